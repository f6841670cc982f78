// Trivia points on the existing leaderboards: a game whose settings name an action type
// (settings.feed) completes, at each question's results, one action per player who scored,
// worth that question's points. The identifier `trivia:<game>:<question>` makes it once per
// player per question, so the catch-up at the end (which feeds again every question this process
// did not feed in full, for a results feed a crash or another instance cut short) adds nothing
// twice. Guests are left out: their points stay on the game's own board.
import type { Logger } from 'pino';
import type { Actor } from '../../../domain/accounts.js';
import { isAppError } from '../../../errors.js';
import type { GameRow, GamesStore } from './store.js';

/** What trivia needs from scoring, wired by the server. */
export interface ScoreFeed {
  /** Resolves when the actor may feed this action type; 404 unknown, 403 someone else's. */
  authorize(actor: Actor, actionTypeId: string): Promise<void>;
  /** One action worth `score`, once per user, type and identifier; the type's rules apply. */
  complete(userId: string, actionTypeId: string, input: { identifier: string; score: number; metadata: Record<string, unknown> }): Promise<unknown>;
}

export function createFeeding(deps: { store: Pick<GamesStore, 'feedEntries'>; feed: ScoreFeed; log: Logger }) {
  // Questions this process fed in full, per game: the catch-up at the end skips them, so a game
  // that ran here without a crash is not fed a second time as replays. Dropped at the end.
  const fedHere = new Map<string, Set<number>>();

  async function feedQuestions(game: GameRow, requested: number[]): Promise<void> {
    const actionTypeId = game.settings.feed?.actionTypeId;
    const done = fedHere.get(game.id) ?? new Set<number>();
    const seqs = requested.filter((seq) => !done.has(seq));
    if (!actionTypeId || seqs.length === 0) return;
    const entries = await deps.store.feedEntries(game.id, seqs);
    const outcomes = await Promise.allSettled(
      entries.map(({ userId, seq, points }) =>
        deps.feed.complete(userId, actionTypeId, {
          identifier: `trivia:${game.id}:${seq}`,
          score: points,
          metadata: { gameId: game.id, questionId: seq },
        }),
      ),
    );
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    // A type's own rules (inactive, cooldown, entrants only) can refuse a player: that is the organizer's choice, not a fault.
    const faults = refused.filter((reason) => !isAppError(reason));
    if (faults.length === 0) fedHere.set(game.id, new Set([...done, ...seqs]));
    if (refused.length > 0)
      deps.log.warn(
        { gameId: game.id, seqs, refused: refused.length, err: faults[0] ?? refused[0] },
        'some trivia points did not feed their action type',
      );
  }

  return {
    /** After the results are out, so players never wait for it; a failure is logged, the game goes on. */
    feed: (game: GameRow, seqs: number[]) =>
      feedQuestions(game, seqs).catch((error: unknown) => deps.log.warn({ err: error, gameId: game.id }, 'could not feed trivia points')),
    /** The game ended: what it fed here is no longer needed. */
    forget: (gameId: string) => fedHere.delete(gameId),
  };
}
