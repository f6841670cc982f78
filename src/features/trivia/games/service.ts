// Games: created from a quiz with a 6-digit pin, joined by nickname, moved by the host or the
// schedule through the state machine in transitions.ts. Every move locks the game row and
// re-checks the state there, so one instance makes it, once; pushes follow the commit.
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../../errors.js';
import type { Actor } from '../../../domain/accounts.js';
import { DEFAULT_GAME_SETTINGS, type AnswerChoice, type GameMode, type GameSettings, type Question } from '../../../domain/trivia.js';
import { pgErrorInfo, UNIQUE_VIOLATION } from '../../../platform/db/errors.js';
import type { RankIndex } from '../../../platform/rank-index/port.js';
import { gameBoard } from '../keys.js';
import { questionView, RESULTS_TOP, resultsMessage, type Live, type QuestionView, type ResultsMessage, type TopEntry } from './live.js';
import { createFeeding, type ScoreFeed } from './feed.js';
import type { GameRow, GamesStore, PlayerRow } from './store.js';
import { createSeating } from './seating.js';
import { step, type Action } from './transitions.js';

export interface Game {
  id: string;
  pin: string;
  title: string;
  mode: GameMode;
  status: GameRow['status'];
  seq: number;
  questionCount: number;
  players: number;
  settings: GameSettings;
  hostId: string;
  createdAt: string;
}

export interface PlayerView {
  playerId: string;
  nickname: string;
  score: number;
  rank: number | null;
}

export interface GameState {
  game: Game;
  question: QuestionView | null;
  me: (PlayerView & { answer: { questionId: number; choice: AnswerChoice; receivedAt: number } | null }) | null;
  serverNow: number;
}

/** What a big screen shows, for anyone who knows the game: never a correct answer before its question is scored. */
export interface ScreenView {
  game: Game;
  question: QuestionView | null;
  /** Answers to the open question so far (the `answered` push keeps it live). */
  answered: number | null;
  /** The last scored question's results, while they are on show and after the game ended. */
  results: ResultsMessage | null;
  top: TopEntry[];
  serverNow: number;
}

export interface GamesDeps {
  store: GamesStore;
  live: Live;
  rankIndex: RankIndex;
  log: Logger;
  clock: () => number;
  /** After every committed move: the schedule sets a local timer for the game's next due time. */
  onDue: (gameId: string, dueAt: Date | null) => void;
  /** After the move to ended commits. */
  onEnded: (gameId: string) => void;
  /** Scoring's side of settings.feed. */
  feed: ScoreFeed;
  /** Group commit of joins. */
  batch: { maxItems: number; maxWaitMs: number };
}

const PIN_ATTEMPTS = 5;

export const toGame = (row: GameRow): Game => ({
  id: row.id,
  pin: row.pin,
  title: row.title,
  mode: row.mode,
  status: row.status,
  seq: row.seq,
  questionCount: row.questions.length,
  players: row.players,
  settings: row.settings,
  hostId: row.hostId,
  createdAt: row.createdAt.toISOString(),
});

const isViolation = (error: unknown, constraint: string) => {
  const info = pgErrorInfo(error);
  return info?.code === UNIQUE_VIOLATION && info.constraint === constraint;
};

export function createGamesService({ store, live, rankIndex, log, clock, onDue, onEnded, feed, batch }: GamesDeps) {
  const seating = createSeating(store, batch);
  const feeding = createFeeding({ store, feed, log });
  // Questions never change once a game exists, so each instance keeps them for the answer path.
  const questionCache = new Map<string, Question[]>();

  async function questionsOf(gameId: string): Promise<Question[] | undefined> {
    const cached = questionCache.get(gameId);
    if (cached) return cached;
    const row = await store.find(gameId);
    if (row) questionCache.set(gameId, row.questions);
    return row?.questions;
  }

  async function gameOrNotFound(id: string): Promise<GameRow> {
    const row = await store.find(id);
    if (!row) throw new AppError('NOT_FOUND', `No game ${id}`);
    return row;
  }

  /** Runs one move under the game's lock and, after commit, its pushes. Undefined when nothing was due. */
  async function move(gameId: string, action: Action, authorize?: (game: GameRow) => void): Promise<GameRow | undefined> {
    const outcome = await store.transaction(async (tx) => {
      const game = await store.lock(tx, gameId);
      if (!game) throw new AppError('NOT_FOUND', `No game ${gameId}`);
      authorize?.(game);
      const next = step(game, action, clock());
      if (!next) return undefined;
      if (next.scoreSeq !== undefined) await store.applyScores(tx, gameId, next.scoreSeq);
      return { game: await store.update(tx, gameId, next.changes), next };
    });
    if (!outcome) return undefined;
    const { game, next } = outcome;
    onDue(game.id, game.dueAt);
    if (game.status === 'ended') onEnded(game.id);
    try {
      if (next.push === 'question') live.question(game);
      else if (next.push === 'results') {
        await live.results(game, game.seq);
        await feeding.feed(game, [game.seq]);
      } else if (next.push === 'ended') {
        await live.ended(game);
        // Every question not fed in full here: a results feed that a crash cut short is completed (once per player and question).
        await feeding.feed(
          game,
          game.questions.map((_, seq) => seq),
        );
        feeding.forget(game.id);
      } else if (next.push === 'paused') live.paused(game);
      else if (next.push === 'started') live.started(game);
    } catch (error) {
      // The move is committed; clients catch up from GET /state.
      log.warn({ err: error, gameId, action }, 'could not push a game update');
    }
    return game;
  }

  async function rankOf(gameId: string, userId: string): Promise<number | null> {
    try {
      if (!(await rankIndex.isLoaded(gameBoard(gameId)))) {
        const all = await store.standings(gameId);
        await rankIndex.replace(
          gameBoard(gameId),
          all.map((entry) => ({ member: entry.userId, score: entry.score, reachedAt: entry.reachedAt })),
        );
      }
      return (await rankIndex.rank(gameBoard(gameId), userId))?.rank ?? null;
    } catch (error) {
      log.warn({ err: error, gameId }, 'game rank index unavailable; answering from the database');
      return (await store.standings(gameId)).find((entry) => entry.userId === userId)?.rank ?? null;
    }
  }

  /** A live game's current question is scored: its results are showing, or the game has ended. */
  const scoredLive = (game: GameRow) =>
    game.mode === 'live' && game.seq >= 0 && (game.status === 'results' || game.pausedFrom === 'results' || game.status === 'ended');

  const playerView = async (player: PlayerRow): Promise<PlayerView> => ({
    playerId: player.id,
    nickname: player.nickname,
    score: player.score,
    rank: await rankOf(player.gameId, player.userId),
  });

  return {
    questionsOf,

    async create(
      actor: Actor,
      quiz: { id: string; title: string; questions: Question[] },
      mode: GameMode,
      settings: Partial<GameSettings>,
    ): Promise<Game> {
      if (settings.feed) await feed.authorize(actor, settings.feed.actionTypeId);
      for (let attempt = 1; ; attempt++) {
        const pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
        try {
          const row = await store.create({
            pin,
            quizId: quiz.id,
            title: quiz.title,
            questions: quiz.questions,
            mode,
            settings: { ...DEFAULT_GAME_SETTINGS, ...settings },
            hostId: actor.id,
          });
          return toGame(row);
        } catch (error) {
          // A pin held by a game still running: draw another.
          if (attempt < PIN_ATTEMPTS && isViolation(error, 'games_live_pin_key')) continue;
          throw error;
        }
      }
    },

    async get(id: string): Promise<Game> {
      return toGame(await gameOrNotFound(id));
    },

    /** The game a pin names (a messaging adapter checks it before making its player an account). */
    async byPin(pin: string): Promise<Game> {
      const game = await store.findByPin(pin);
      if (!game) throw new AppError('NOT_FOUND', `No game with pin ${pin}`);
      return toGame(game);
    },

    /** Joins by pin; a user who joined before gets their seat (and score) back, whatever nickname they send. */
    async join(actor: Actor, pin: string, nickname: string): Promise<{ game: Game; player: PlayerView; rejoined: boolean }> {
      const game = await store.findByPin(pin);
      if (!game) throw new AppError('NOT_FOUND', `No game with pin ${pin}`);
      try {
        const { player, rejoined } = await seating.take({ gameId: game.id, userId: actor.id, nickname });
        return { game: toGame(game), player: await playerView(player), rejoined };
      } catch (error) {
        if (isViolation(error, 'game_players_nickname_key')) throw new AppError('NICKNAME_TAKEN', `The nickname '${nickname}' is taken in this game`);
        throw error;
      }
    },

    /** A host action: only the host or an admin. */
    async act(actor: Actor, gameId: string, action: Exclude<Action, 'due'>): Promise<Game> {
      const game = await move(gameId, action, (row) => {
        if (row.hostId !== actor.id && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only the host may run the game');
      });
      return toGame(game!);
    },

    /** The schedule's move for a game whose dueAt passed; a no-op when another instance made it first. */
    runDue: (gameId: string) => move(gameId, 'due'),

    /** What a client needs after (re)connecting: the game, the current question, and the caller's own answer and score. */
    async state(gameId: string, userId: string | undefined): Promise<GameState> {
      const game = await gameOrNotFound(gameId);
      const now = clock();
      const player = userId ? await store.player(store.db, gameId, userId) : undefined;
      let question: QuestionView | null = null;
      let seq = game.seq;
      if (game.mode === 'live' && game.opensAt && game.closesAt && (game.status === 'question' || game.pausedFrom === 'question')) {
        question = questionView(game, game.seq, game.opensAt.getTime(), game.closesAt.getTime(), now);
      } else if (game.mode === 'async' && player && player.asyncSentAt && game.status === 'question') {
        seq = player.asyncSeq;
        const sentAt = player.asyncSentAt.getTime();
        question = questionView(game, seq, sentAt, sentAt + game.questions[seq]!.timeLimitSec * 1000, now);
      }
      const answer = player && seq >= 0 ? await store.answerOf(gameId, seq, player.id) : undefined;
      // Once scored, the answer's outcome too: a client that missed its personal `result` push
      // (they are not replayed on reconnection, see live.ts) reads it here.
      const outcome = answer && scoredLive(game) ? { correct: answer.correct, points: answer.points } : {};
      return {
        game: toGame(game),
        question,
        me: player
          ? {
              ...(await playerView(player)),
              answer: answer ? { questionId: answer.seq, choice: answer.choice, receivedAt: answer.receivedAt, ...outcome } : null,
            }
          : null,
        serverNow: now,
      };
    },

    /**
     * The big screen's view of a live game. Public, so it reveals a question's answer only once
     * the question is scored (results, or the game ended; a question still open at `end` is
     * scored before the game ends). Async games show their standings only: each player is on
     * their own question.
     */
    async screen(gameId: string): Promise<ScreenView> {
      const game = await gameOrNotFound(gameId);
      const now = clock();
      const live = game.mode === 'live';
      const asked = live && game.opensAt && game.closesAt && (game.status === 'question' || game.pausedFrom === 'question');
      const scored = scoredLive(game);
      const [top, answered, tallies] = await Promise.all([
        store.standings(gameId, RESULTS_TOP),
        asked ? store.answerCount(gameId, game.seq) : null,
        scored ? store.choiceTally(gameId, game.seq) : null,
      ]);
      const topEntries = top.map(({ userId, nickname, score, rank }) => ({ userId, nickname, score, rank }));
      return {
        game: toGame(game),
        question: asked ? questionView(game, game.seq, game.opensAt!.getTime(), game.closesAt!.getTime(), now) : null,
        answered,
        results: tallies ? resultsMessage(game, game.seq, tallies, topEntries) : null,
        top: topEntries,
        serverNow: now,
      };
    },

    /**
     * Async mode (WhatsApp and other turn-by-turn clients): the player's current question. The
     * first call sends question 0; once the player has answered, or the window has passed, the
     * next call scores that question for them and sends the next one, whose window starts now.
     */
    async currentAsync(userId: string, gameId: string): Promise<{ question: QuestionView | null; done: boolean; me: PlayerView }> {
      const outcome = await store.transaction(async (tx) => {
        const game = await store.find(gameId, tx);
        if (!game) throw new AppError('NOT_FOUND', `No game ${gameId}`);
        if (game.mode !== 'async' || game.status !== 'question')
          throw new AppError('GAME_STATE', `The game is ${game.status}`, { gameStatus: game.status });
        const player = await store.lockPlayer(tx, gameId, userId);
        if (!player) throw new AppError('NOT_IN_GAME', 'Join the game first');
        const now = clock();
        let { asyncSeq: seq, asyncSentAt: sentAt } = player;
        if (seq >= 0 && sentAt) {
          const windowEnd = sentAt.getTime() + game.questions[seq]!.timeLimitSec * 1000 + game.settings.graceMs;
          const answered = await store.answerOf(gameId, seq, player.id, tx);
          if (!answered && now <= windowEnd) return { game, seq, sentAt: sentAt.getTime(), now };
          await store.applyScores(tx, gameId, seq, player.id);
        }
        // Done already (a player who writes again after the last question): nothing moves.
        if (seq >= game.questions.length) return { game, seq, sentAt: null, now };
        seq += 1;
        sentAt = seq < game.questions.length ? new Date(now) : null;
        await store.updatePlayer(tx, player.id, { asyncSeq: seq, asyncSentAt: sentAt });
        return { game, seq, sentAt: sentAt?.getTime() ?? null, now };
      });
      const { game, seq, sentAt, now } = outcome;
      const player = (await store.player(store.db, gameId, userId))!;
      await rankIndex
        .set(gameBoard(gameId), [{ member: userId, score: player.score, reachedAt: player.scoreReachedAt }])
        .catch((error: unknown) => log.warn({ err: error, gameId }, 'could not update the game rank index'));
      if (sentAt === null) return { question: null, done: true, me: await playerView(player) };
      const question = questionView(game, seq, sentAt, sentAt + game.questions[seq]!.timeLimitSec * 1000, now);
      return { question, done: false, me: await playerView(player) };
    },

    close: () => seating.close(),
  };
}

export type GamesService = ReturnType<typeof createGamesService>;
