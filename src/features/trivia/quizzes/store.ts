// SQL for quizzes.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client.js';
import { quizzes } from '../../../platform/db/schema.js';
import type { Question } from '../../../domain/trivia.js';

export type QuizRow = typeof quizzes.$inferSelect;

export function createQuizzesStore(db: Db) {
  return {
    async create(values: { title: string; questions: Question[]; ownerId: string }): Promise<QuizRow> {
      const [row] = await db.insert(quizzes).values(values).returning();
      return row!;
    },

    async find(id: string): Promise<QuizRow | undefined> {
      const [row] = await db.select().from(quizzes).where(eq(quizzes.id, id));
      return row;
    },

    async listByOwner(ownerId: string, limit: number): Promise<QuizRow[]> {
      return db.select().from(quizzes).where(eq(quizzes.ownerId, ownerId)).orderBy(desc(quizzes.createdAt)).limit(limit);
    },

    async update(id: string, values: { title?: string; questions?: Question[] }): Promise<QuizRow | undefined> {
      const [row] = await db
        .update(quizzes)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(quizzes.id, id))
        .returning();
      return row;
    },

    async delete(id: string, ownerId: string): Promise<boolean> {
      const deleted = await db
        .delete(quizzes)
        .where(and(eq(quizzes.id, id), eq(quizzes.ownerId, ownerId)))
        .returning({ id: quizzes.id });
      return deleted.length > 0;
    },
  };
}

export type QuizzesStore = ReturnType<typeof createQuizzesStore>;
