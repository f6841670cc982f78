// SQL for answers: one batch reads its games (FOR SHARE, so a close waits for it and it waits
// for a close), its players and any earlier answers, then inserts the new answers in one
// statement. The primary key (game, question, player) is the last word on "one answer each".
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../platform/db/client.js';
import { gameAnswers } from '../../../platform/db/schema.js';
import { withTransaction } from '../../../platform/db/transaction.js';
import { epochMs, parseJson, rows } from '../../../platform/db/rows.js';
import type { AnswerChoice, GameMode, GameSettings, GameStatus } from '../../../domain/trivia.js';

export interface GameWindow {
  id: string;
  status: GameStatus;
  mode: GameMode;
  seq: number;
  opensAt: number | null;
  closesAt: number | null;
  settings: GameSettings;
}

export interface PlayerAtAnswer {
  id: string;
  gameId: string;
  userId: string;
  streak: number;
  asyncSeq: number;
  asyncSentAt: number | null;
}

export interface StoredAnswer {
  gameId: string;
  seq: number;
  playerId: string;
  choice: AnswerChoice;
  receivedAt: number;
  correct: boolean;
  points: number;
}

const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const tuples = (pairs: Array<[string, unknown]>) =>
  sql.join(
    pairs.map(([a, b]) => sql`(${a}::uuid, ${b})`),
    sql`, `,
  );

export function createAnswersStore(db: Db) {
  return {
    transaction: <T>(work: (tx: Tx) => Promise<T>) => withTransaction(db, work),

    async games(tx: Tx, ids: string[]): Promise<Map<string, GameWindow>> {
      const found = await rows(
        tx,
        sql`select id, status, mode, seq, settings, ${epochMs(sql`opens_at`)} as opens_at, ${epochMs(sql`closes_at`)} as closes_at
            from games where id in (${sql.join(
              ids.map((id) => sql`${id}::uuid`),
              sql`, `,
            )}) for share`,
      );
      return new Map(
        found.map((row) => [
          String(row.id),
          {
            id: String(row.id),
            status: row.status as GameStatus,
            mode: row.mode as GameMode,
            seq: Number(row.seq),
            opensAt: nullableNumber(row.opens_at),
            closesAt: nullableNumber(row.closes_at),
            settings: parseJson(row.settings) as GameSettings,
          },
        ]),
      );
    },

    /** Players keyed by `gameId/userId`. */
    async players(tx: Tx, pairs: Array<[gameId: string, userId: string]>): Promise<Map<string, PlayerAtAnswer>> {
      const found = await rows(
        tx,
        sql`select id, game_id, user_id, streak, async_seq, ${epochMs(sql`async_sent_at`)} as async_sent_at
            from game_players where (game_id, user_id) in (${tuples(pairs.map(([g, u]) => [g, sql`${u}::uuid`]))})`,
      );
      return new Map(
        found.map((row) => [
          `${String(row.game_id)}/${String(row.user_id)}`,
          {
            id: String(row.id),
            gameId: String(row.game_id),
            userId: String(row.user_id),
            streak: Number(row.streak),
            asyncSeq: Number(row.async_seq),
            asyncSentAt: nullableNumber(row.async_sent_at),
          },
        ]),
      );
    },

    /** Answers already stored, keyed by `gameId/seq/playerId`. */
    async existing(tx: Tx, keys: Array<{ gameId: string; seq: number; playerId: string }>): Promise<Map<string, StoredAnswer>> {
      const found = await rows(
        tx,
        sql`select game_id, seq, player_id, choice, received_at::float8 as received_at, correct, points from game_answers
            where (game_id, seq, player_id) in (${sql.join(
              keys.map((key) => sql`(${key.gameId}::uuid, ${key.seq}::int, ${key.playerId}::uuid)`),
              sql`, `,
            )})`,
      );
      return new Map(
        found.map((row) => {
          const answer: StoredAnswer = {
            gameId: String(row.game_id),
            seq: Number(row.seq),
            playerId: String(row.player_id),
            choice: parseJson(row.choice) as AnswerChoice,
            receivedAt: Number(row.received_at),
            correct: row.correct === true,
            points: Number(row.points),
          };
          return [`${answer.gameId}/${answer.seq}/${answer.playerId}`, answer];
        }),
      );
    },

    /** Inserts the answers that are still new; returns the keys of those it inserted (a racing instance may have stored one first). */
    async insert(tx: Tx, answers: StoredAnswer[]): Promise<Set<string>> {
      if (answers.length === 0) return new Set();
      const inserted = await tx
        .insert(gameAnswers)
        .values(answers)
        .onConflictDoNothing()
        .returning({ gameId: gameAnswers.gameId, seq: gameAnswers.seq, playerId: gameAnswers.playerId });
      return new Set(inserted.map((key) => `${key.gameId}/${key.seq}/${key.playerId}`));
    },
  };
}

export type AnswersStore = ReturnType<typeof createAnswersStore>;
