// The game's state machine, pure: from the row, an action and the time, the changes to write
// and what must follow the commit. lobby -> question -> results -> ... -> ended, with paused
// beside question and results. The schedule and the host both go through here.
import { AppError } from '../../../errors.js';
import type { GameChanges, GameRow } from './store.js';

export const HOST_ACTIONS = ['start', 'next', 'close', 'pause', 'resume', 'end'] as const;
export type HostAction = (typeof HOST_ACTIONS)[number];
/** What the schedule does when a game's dueAt has passed. */
export type Action = HostAction | 'due';

export interface Step {
  changes: GameChanges;
  /** The question whose answers must be added to the scores in the same transaction. */
  scoreSeq?: number;
  /** What to push after commit. */
  push?: 'question' | 'results' | 'ended' | 'paused' | 'started';
}

const stateError = (game: GameRow, action: Action) =>
  new AppError('GAME_STATE', `Cannot ${action} while the game is in ${game.status}`, { gameStatus: game.status });

function openQuestion(game: GameRow, seq: number, now: number): Step {
  const { leadMs, graceMs } = game.settings;
  const opensAt = now + leadMs;
  const closesAt = opensAt + game.questions[seq]!.timeLimitSec * 1000;
  return {
    changes: {
      status: 'question',
      seq,
      opensAt: new Date(opensAt),
      closesAt: new Date(closesAt),
      dueAt: new Date(closesAt + graceMs),
      pausedFrom: null,
      pausedAt: null,
    },
    push: 'question',
  };
}

function showResults(game: GameRow, now: number): Step {
  const { autoAdvance, resultsMs } = game.settings;
  return { changes: { status: 'results', dueAt: autoAdvance ? new Date(now + resultsMs) : null }, scoreSeq: game.seq, push: 'results' };
}

function nextOrEnd(game: GameRow, now: number): Step {
  return game.seq + 1 < game.questions.length ? openQuestion(game, game.seq + 1, now) : end();
}

const end = (scoreSeq?: number): Step => ({ changes: { status: 'ended', dueAt: null, pausedFrom: null, pausedAt: null }, scoreSeq, push: 'ended' });

/** The step for `action` at `now`, or a GAME_STATE error. `due` returns undefined when nothing is due (another instance did it). */
export function step(game: GameRow, action: Action, now: number): Step | undefined {
  const live = game.mode === 'live';
  switch (action) {
    case 'start':
      if (game.status !== 'lobby') throw stateError(game, action);
      // Async games open at once; each player's clock starts when their own question is sent.
      return live ? openQuestion(game, 0, now) : { changes: { status: 'question', seq: 0, dueAt: null }, push: 'started' };
    case 'next':
      if (!live || game.status !== 'results') throw stateError(game, action);
      return nextOrEnd(game, now);
    case 'close': {
      if (!live || game.status !== 'question') throw stateError(game, action);
      const closesAt = Math.min(game.closesAt!.getTime(), now);
      return { changes: { closesAt: new Date(closesAt), dueAt: new Date(closesAt + game.settings.graceMs) } };
    }
    case 'pause':
      if (!live || (game.status !== 'question' && game.status !== 'results')) throw stateError(game, action);
      return { changes: { status: 'paused', pausedFrom: game.status, pausedAt: new Date(now), dueAt: null }, push: 'paused' };
    case 'resume':
      return resume(game, now);
    case 'end':
      if (game.status === 'ended') throw stateError(game, action);
      // A question still running is scored before the game ends, so no answer is dropped.
      return end(live && (game.status === 'question' || game.pausedFrom === 'question') ? game.seq : undefined);
    case 'due':
      if (!game.dueAt || game.dueAt.getTime() > now) return undefined;
      if (game.status === 'question') return showResults(game, now);
      if (game.status === 'results') return nextOrEnd(game, now);
      return { changes: { dueAt: null } };
  }
}

/** Resuming shifts the question's window by the time spent paused, so players lose none of it. */
function resume(game: GameRow, now: number): Step {
  if (game.status !== 'paused' || !game.pausedAt) throw stateError(game, 'resume');
  const shift = now - game.pausedAt.getTime();
  const cleared = { pausedFrom: null, pausedAt: null };
  if (game.pausedFrom === 'question') {
    const closesAt = game.closesAt!.getTime() + shift;
    return {
      changes: {
        ...cleared,
        status: 'question',
        opensAt: new Date(game.opensAt!.getTime() + shift),
        closesAt: new Date(closesAt),
        dueAt: new Date(closesAt + game.settings.graceMs),
      },
      push: 'question',
    };
  }
  const { autoAdvance, resultsMs } = game.settings;
  return { changes: { ...cleared, status: 'results', dueAt: autoAdvance ? new Date(now + resultsMs) : null }, push: 'results' };
}
