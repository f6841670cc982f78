// What the HTTP layer hands a batched feature so that an Idempotency-Key is claimed, and its
// answer stored, in the same transaction as the effect it protects (no statement of its own).
import type { AppError } from '../../errors.js';

/** An answer as the client gets it. A null body on a 2xx means "the effect is the answer": see EFFECT_IS_THE_ANSWER. */
export interface StoredAnswer {
  status: number;
  body: string | null;
  contentType: string | null;
}

/**
 * Stored for a request whose effect answers its own replays (an action completion finds its
 * action by identifier): a replay of the key runs again and meets that effect, so the row only
 * has to remember the request's hash.
 */
export const EFFECT_IS_THE_ANSWER: StoredAnswer = { status: 200, body: null, contentType: null };

export interface IdempotencyTicket {
  /** Per user (per client address when anonymous), as the HTTP layer scopes keys. */
  scope: string;
  key: string;
  /** Method, path and body: a key reused for another request is refused. */
  requestHash: string;
  ttlSeconds: number;
  /** The answer for an outcome, exactly as the HTTP layer would send it. */
  render(outcome: { status: number; payload: unknown } | AppError): StoredAnswer;
}

/** What the key says before the effect runs. Undefined: a fresh key, recorded with the effect. */
export type KeyVerdict =
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'refused'; error: AppError }
  /** The key was answered by its effect (EFFECT_IS_THE_ANSWER): run again, record nothing. */
  | { kind: 'effect' };
