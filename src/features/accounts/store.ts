// SQL for accounts.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { users } from '../../platform/db/schema.js';
import type { Role } from '../../domain/accounts.js';

export type UserRow = typeof users.$inferSelect;
export type UserSettings = Pick<UserRow, 'utcOffsetMinutes'>;

export function createAccountsStore(db: Db) {
  return {
    async insert(values: { handle: string; email: string | null; passwordHash: string | null; role?: Role; isGuest?: boolean }) {
      const [row] = await db.insert(users).values(values).returning();
      return row!;
    },
    async findByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.email, email));
      return row;
    },
    async findById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      return row;
    },
    async setRole(id: string, role: Role): Promise<UserRow | undefined> {
      const [row] = await db.update(users).set({ role }).where(eq(users.id, id)).returning();
      return row;
    },
    async setCredentials(id: string, passwordHash: string, role: Role): Promise<UserRow | undefined> {
      const [row] = await db.update(users).set({ passwordHash, role }).where(eq(users.id, id)).returning();
      return row;
    },
    async findSettings(id: string): Promise<UserSettings | undefined> {
      const [row] = await db.select({ utcOffsetMinutes: users.utcOffsetMinutes }).from(users).where(eq(users.id, id));
      return row;
    },
    async setSettings(id: string, settings: UserSettings): Promise<UserSettings | undefined> {
      const [row] = await db.update(users).set(settings).where(eq(users.id, id)).returning({ utcOffsetMinutes: users.utcOffsetMinutes });
      return row;
    },
    async count(): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
      return row?.n ?? 0;
    },
  };
}

export type AccountsStore = ReturnType<typeof createAccountsStore>;
