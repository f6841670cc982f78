// Quizzes: an organizer's question sets, validated as a whole, shared as JSON.
import { AppError } from '../../../errors.js';
import type { Actor } from '../../../domain/accounts.js';
import type { Question } from '../../../domain/trivia.js';
import { DEFAULT_POINTS, questionProblems } from './rules.js';
import type { QuizRow, QuizzesStore } from './store.js';

export interface Quiz {
  id: string;
  title: string;
  questions: Question[];
  ownerId: string;
  createdAt: string;
  updatedAt: string;
}

/** The shareable form: no ids, no owner, so it imports anywhere. */
export interface QuizExport {
  format: 'stampede-quiz';
  version: 1;
  title: string;
  questions: Question[];
}

export type QuestionInput = Omit<Question, 'points'> & { points?: number };

const MAX_LIST = 200;

const toQuiz = (row: QuizRow): Quiz => ({
  id: row.id,
  title: row.title,
  questions: row.questions,
  ownerId: row.ownerId,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Fills in the default points and refuses the quiz with every problem listed. */
export function validQuestions(inputs: QuestionInput[]): Question[] {
  if (inputs.length === 0)
    throw new AppError('VALIDATION_FAILED', 'A quiz needs at least one question', {
      errors: [{ field: '/questions', message: 'At least one question' }],
    });
  const questions = inputs.map((input) => ({ ...input, points: input.points ?? DEFAULT_POINTS }));
  const errors = questions.flatMap((question, index) => questionProblems(question, `/questions/${index}`));
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', errors.map((error) => `${error.field}: ${error.message}`).join('; '), { errors });
  return questions;
}

export function createQuizzesService(store: QuizzesStore) {
  /** The quiz, if the actor owns it (admins own every quiz). A quiz someone else owns is a 403. */
  async function owned(actor: Actor, id: string): Promise<QuizRow> {
    const row = await store.find(id);
    if (!row) throw new AppError('NOT_FOUND', `No quiz ${id}`);
    if (row.ownerId !== actor.id && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only the quiz owner may do this');
    return row;
  }

  return {
    async create(actor: Actor, input: { title: string; questions: QuestionInput[] }): Promise<Quiz> {
      return toQuiz(await store.create({ title: input.title, questions: validQuestions(input.questions), ownerId: actor.id }));
    },

    async get(actor: Actor, id: string): Promise<Quiz> {
      return toQuiz(await owned(actor, id));
    },

    async list(actor: Actor): Promise<Quiz[]> {
      return (await store.listByOwner(actor.id, MAX_LIST)).map(toQuiz);
    },

    async update(actor: Actor, id: string, input: { title?: string; questions?: QuestionInput[] }): Promise<Quiz> {
      await owned(actor, id);
      const questions = input.questions && validQuestions(input.questions);
      const row = await store.update(id, { ...(input.title ? { title: input.title } : {}), ...(questions ? { questions } : {}) });
      if (!row) throw new AppError('NOT_FOUND', `No quiz ${id}`);
      return toQuiz(row);
    },

    async delete(actor: Actor, id: string): Promise<void> {
      const row = await owned(actor, id);
      // Games keep their own copy of the questions, so deleting a quiz never breaks one.
      await store.delete(id, row.ownerId);
    },

    async export(actor: Actor, id: string): Promise<QuizExport> {
      const { title, questions } = await owned(actor, id);
      return { format: 'stampede-quiz', version: 1, title, questions };
    },

    /** Imports an export (from here or elsewhere) as a new quiz owned by the actor. */
    async import(actor: Actor, data: { title: string; questions: QuestionInput[] }): Promise<Quiz> {
      return this.create(actor, data);
    },

    /** The quiz's questions, for a game the actor creates from it. */
    async questionsFor(actor: Actor, id: string): Promise<{ title: string; questions: Question[] }> {
      const { title, questions } = await owned(actor, id);
      return { title, questions };
    },
  };
}

export type QuizzesService = ReturnType<typeof createQuizzesService>;
