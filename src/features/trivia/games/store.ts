// SQL for games and their players: the state machine's row, joins, and the scores applied at
// each question's close, all in statements over whole sets of players (never one per player).
import { and, asc, desc, eq, inArray, lte, ne, sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../../platform/db/client.js';
import { gameAnswers, gamePlayers, games } from '../../../platform/db/schema.js';
import { withTransaction } from '../../../platform/db/transaction.js';
import { rows } from '../../../platform/db/rows.js';

export type GameRow = typeof games.$inferSelect;
export type PlayerRow = typeof gamePlayers.$inferSelect;
export type GameChanges = Partial<Omit<GameRow, 'id' | 'pin' | 'hostId' | 'createdAt' | 'questions' | 'mode'>>;

export interface Standing {
  userId: string;
  nickname: string;
  score: number;
  rank: number;
}

export function createGamesStore(db: Db) {
  return {
    db,
    transaction: <T>(work: (tx: Tx) => Promise<T>) => withTransaction(db, work),

    async create(values: typeof games.$inferInsert): Promise<GameRow> {
      const [row] = await db.insert(games).values(values).returning();
      return row!;
    },

    async find(id: string, ex: Executor = db): Promise<GameRow | undefined> {
      const [row] = await ex.select().from(games).where(eq(games.id, id));
      return row;
    },

    async findByPin(pin: string): Promise<GameRow | undefined> {
      const [row] = await db
        .select()
        .from(games)
        .where(and(eq(games.pin, pin), ne(games.status, 'ended')));
      return row;
    },

    /** Locks the game row: every transition of one game queues here, and answers wait (FOR SHARE) while one runs. */
    async lock(tx: Tx, id: string): Promise<GameRow | undefined> {
      const [row] = await tx.select().from(games).where(eq(games.id, id)).for('update');
      return row;
    },

    async update(tx: Executor, id: string, changes: GameChanges): Promise<GameRow> {
      const [row] = await tx.update(games).set(changes).where(eq(games.id, id)).returning();
      return row!;
    },

    /** Games whose schedule is due; each is then locked and re-checked, so several instances may ask at once. */
    async due(now: number, limit = 100): Promise<string[]> {
      const found = await db
        .select({ id: games.id })
        .from(games)
        .where(lte(games.dueAt, new Date(now)))
        .orderBy(asc(games.dueAt))
        .limit(limit);
      return found.map((row) => row.id);
    },

    async player(ex: Executor, gameId: string, userId: string): Promise<PlayerRow | undefined> {
      const [row] = await ex
        .select()
        .from(gamePlayers)
        .where(and(eq(gamePlayers.gameId, gameId), eq(gamePlayers.userId, userId)));
      return row;
    },

    /** Locks one player's row: their async progress moves one step at a time. */
    async lockPlayer(tx: Tx, gameId: string, userId: string): Promise<PlayerRow | undefined> {
      const [row] = await tx
        .select()
        .from(gamePlayers)
        .where(and(eq(gamePlayers.gameId, gameId), eq(gamePlayers.userId, userId)))
        .for('update');
      return row;
    },

    /** The players among `userIds`, keyed by user. */
    async players(tx: Tx, gameId: string, userIds: string[]): Promise<Map<string, PlayerRow>> {
      const found = await tx
        .select()
        .from(gamePlayers)
        .where(and(eq(gamePlayers.gameId, gameId), inArray(gamePlayers.userId, userIds)));
      return new Map(found.map((row) => [row.userId, row]));
    },

    async addPlayers(tx: Tx, values: Array<{ gameId: string; userId: string; nickname: string }>): Promise<PlayerRow[]> {
      if (values.length === 0) return [];
      return tx.insert(gamePlayers).values(values).returning();
    },

    async addToPlayerCount(tx: Tx, gameId: string, added: number): Promise<void> {
      if (added > 0)
        await tx
          .update(games)
          .set({ players: sql`${games.players} + ${added}` })
          .where(eq(games.id, gameId));
    },

    async updatePlayer(tx: Executor, playerId: string, changes: Partial<Pick<PlayerRow, 'asyncSeq' | 'asyncSentAt'>>): Promise<void> {
      await tx.update(gamePlayers).set(changes).where(eq(gamePlayers.id, playerId));
    },

    /**
     * Adds the answers of question `seq` to their players' scores and streaks (one player, or all),
     * and breaks the streak of every player who did not answer. Runs once per question, under the game's lock.
     * A wrong answer to a player without a streak changes nothing, so its row is left alone.
     * The streak reset is a NOT IN, planned as one hashed set of the answers whatever the
     * statistics say: a NOT EXISTS was planned, on tables nobody had analysed yet (PGlite never
     * does; PostgreSQL not during a game's first minutes), as a nested loop comparing every
     * player with every answer, 1.1 s at 10,000 players on PGlite and over the 5 s statement
     * timeout on a busy PostgreSQL.
     */
    async applyScores(tx: Tx, gameId: string, seq: number, playerId?: string): Promise<void> {
      const onePlayer = playerId ? sql`and p.id = ${playerId}` : sql``;
      await tx.execute(sql`
        update game_players p set
          score = p.score + a.points,
          score_reached_at = case when a.points > 0 then a.received_at else p.score_reached_at end,
          streak = case when a.correct then p.streak + 1 else 0 end
        from game_answers a
        where a.game_id = ${gameId} and a.seq = ${seq} and a.player_id = p.id and (a.points > 0 or a.correct or p.streak > 0) ${onePlayer}`);
      await tx.execute(sql`
        update game_players p set streak = 0
        where p.game_id = ${gameId} and p.streak > 0 ${onePlayer}
          and p.id not in (select a.player_id from game_answers a where a.game_id = ${gameId} and a.seq = ${seq})`);
    },

    /** Every player with an exact rank: score, then who reached it first, then id (the rank index's order). */
    async standings(gameId: string, limit?: number): Promise<Array<Standing & { playerId: string; reachedAt: number }>> {
      const found = await rows(
        db,
        sql`select id, user_id, nickname, score::float8 as score, score_reached_at::float8 as reached_at,
              row_number() over (order by score desc, score_reached_at asc, id asc)::int as rank
            from game_players where game_id = ${gameId}
            order by rank ${limit === undefined ? sql`` : sql`limit ${limit}`}`,
      );
      return found.map((row) => ({
        playerId: String(row.id),
        userId: String(row.user_id),
        nickname: String(row.nickname),
        score: Number(row.score),
        reachedAt: Number(row.reached_at),
        rank: Number(row.rank),
      }));
    },

    async top(gameId: string, limit: number) {
      return db
        .select({ userId: gamePlayers.userId, nickname: gamePlayers.nickname, score: gamePlayers.score })
        .from(gamePlayers)
        .where(eq(gamePlayers.gameId, gameId))
        .orderBy(desc(gamePlayers.score), asc(gamePlayers.scoreReachedAt), asc(gamePlayers.id))
        .limit(limit);
    },

    async answersOf(gameId: string, seq: number) {
      return db
        .select({ playerId: gameAnswers.playerId, choice: gameAnswers.choice, correct: gameAnswers.correct, points: gameAnswers.points })
        .from(gameAnswers)
        .where(and(eq(gameAnswers.gameId, gameId), eq(gameAnswers.seq, seq)));
    },

    /** The answers of a question grouped by choice: a handful of rows for a choice question, however many players. */
    async choiceTally(gameId: string, seq: number): Promise<Array<{ choice: unknown; correct: boolean; count: number }>> {
      const found = await db
        .select({ choice: gameAnswers.choice, correct: gameAnswers.correct, count: sql<number>`count(*)::int` })
        .from(gameAnswers)
        .where(and(eq(gameAnswers.gameId, gameId), eq(gameAnswers.seq, seq)))
        .groupBy(gameAnswers.choice, gameAnswers.correct);
      return found.map((row) => ({ ...row, count: Number(row.count) }));
    },

    /** The points that feed an action type: scored answers of these questions, by players with accounts (not guests). */
    async feedEntries(gameId: string, seqs: number[]): Promise<Array<{ userId: string; seq: number; points: number }>> {
      const found = await rows(
        db,
        sql`select p.user_id, a.seq, a.points from game_answers a
            join game_players p on p.id = a.player_id
            join users u on u.id = p.user_id
            where a.game_id = ${gameId}::uuid and a.seq in (${sql.join(
              seqs.map((seq) => sql`${seq}::int`),
              sql`, `,
            )}) and a.points > 0 and not u.is_guest`,
      );
      return found.map((row) => ({ userId: String(row.user_id), seq: Number(row.seq), points: Number(row.points) }));
    },

    async answerCount(gameId: string, seq: number): Promise<number> {
      const [row] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(gameAnswers)
        .where(and(eq(gameAnswers.gameId, gameId), eq(gameAnswers.seq, seq)));
      return Number(row?.count ?? 0);
    },

    async answerOf(gameId: string, seq: number, playerId: string, ex: Executor = db) {
      const [row] = await ex
        .select()
        .from(gameAnswers)
        .where(and(eq(gameAnswers.gameId, gameId), eq(gameAnswers.seq, seq), eq(gameAnswers.playerId, playerId)));
      return row;
    },

    async liveCounts(): Promise<{ games: number; players: number }> {
      const [row] = await db
        .select({ games: sql<number>`count(*)::int`, players: sql<number>`coalesce(sum(${games.players}), 0)::int` })
        .from(games)
        .where(ne(games.status, 'ended'));
      return { games: Number(row?.games ?? 0), players: Number(row?.players ?? 0) };
    },
  };
}

export type GamesStore = ReturnType<typeof createGamesStore>;
