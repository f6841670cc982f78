// SQL for answers: one batch reads its games (FOR SHARE, so a close waits for it and it waits
// for a close), its players and any earlier answers, then inserts the new answers in one
// statement. The primary key (game, question, player) is the last word on "one answer each".
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../platform/db/client.js';
import { withTransaction } from '../../../platform/db/transaction.js';
import { arrayLiteral, epochMs, parseJson, rows } from '../../../platform/db/rows.js';
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

    /**
     * Players keyed by `gameId/userId`. Two arrays (games, users), one parameter each, so the
     * statement stays small and the (game, user) index answers it; a user of one game who also
     * plays another game of the batch comes back too, and is simply not asked for.
     */
    async players(tx: Tx, pairs: Array<[gameId: string, userId: string]>): Promise<Map<string, PlayerAtAnswer>> {
      const gameIds = [...new Set(pairs.map(([gameId]) => gameId))];
      const userIds = [...new Set(pairs.map(([, userId]) => userId))];
      const found = await rows(
        tx,
        sql`select id, game_id, user_id, streak, async_seq, ${epochMs(sql`async_sent_at`)} as async_sent_at
            from game_players where game_id = any(${arrayLiteral(gameIds)}::uuid[]) and user_id = any(${arrayLiteral(userIds)}::uuid[])`,
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
        sql`select a.game_id, a.seq, a.player_id, a.choice, a.received_at::float8 as received_at, a.correct, a.points
            from unnest(${arrayLiteral(keys.map((key) => key.gameId))}::uuid[], ${arrayLiteral(keys.map((key) => key.seq))}::int[],
              ${arrayLiteral(keys.map((key) => key.playerId))}::uuid[]) as k(game_id, seq, player_id)
            join game_answers a using (game_id, seq, player_id)`,
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

    /**
     * Inserts the answers that are still new, in one statement of seven array parameters however
     * many there are; returns the keys of those it inserted (a racing instance may have stored one first).
     */
    async insert(tx: Tx, answers: StoredAnswer[]): Promise<Set<string>> {
      if (answers.length === 0) return new Set();
      const column = (value: (answer: StoredAnswer) => string | number) => arrayLiteral(answers.map(value));
      const inserted = await rows(
        tx,
        sql`insert into game_answers (game_id, seq, player_id, choice, received_at, correct, points)
            select game_id, seq, player_id, choice::jsonb, received_at, correct, points
            from unnest(${column((a) => a.gameId)}::uuid[], ${column((a) => a.seq)}::int[], ${column((a) => a.playerId)}::uuid[],
              ${column((a) => JSON.stringify(a.choice))}::text[], ${column((a) => a.receivedAt)}::bigint[],
              ${column((a) => String(a.correct))}::boolean[], ${column((a) => a.points)}::int[])
              as k(game_id, seq, player_id, choice, received_at, correct, points)
            on conflict do nothing
            returning game_id, seq, player_id`,
      );
      return new Set(inserted.map((key) => `${String(key.game_id)}/${Number(key.seq)}/${String(key.player_id)}`));
    },
  };
}

export type AnswersStore = ReturnType<typeof createAnswersStore>;
