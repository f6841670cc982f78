// Answer ledger: "the first answer wins" and the running tally, as one atomic step per answer.
// A claim records the first value for a key within a scope (a game) and, only when it is the
// first, adds its points to the scope's tally; a repeat gets the first value back instead, so
// the caller can replay it or refuse a different one. The database stays the record: a caller
// commits what it claimed, and undoes (release) the claims of a write that failed.
// Methods reject bad input with a RangeError and an unreachable store with AnswerLedgerUnavailableError.

export interface AnswerClaim {
  /** Groups keys (one game); a scope's keys live together and are dropped together. */
  scope: string;
  /** What is answered once (question and player). */
  key: string;
  /** The answer as the caller serialises it; non-empty. */
  value: string;
  /** Whose tally the points go to. */
  member: string;
  points: number;
}

/** `first` when this claim is the first for its key; otherwise the value that was. */
export type ClaimOutcome = { first: true } | { first: false; value: string };

export interface AnswerLedger {
  /** Claims in the order given; a later claim in the same call sees the earlier ones. */
  claim(claims: AnswerClaim[]): Promise<ClaimOutcome[]>;
  /** Undoes claims that were first: a key is freed and its points taken back only while it still holds that value. */
  release(claims: AnswerClaim[]): Promise<void>;
  /** Each member's summed points in a scope. */
  totals(scope: string): Promise<Map<string, number>>;
  drop(scope: string): Promise<void>;
  close(): Promise<void>;
}

export class AnswerLedgerUnavailableError extends Error {
  constructor(cause: unknown) {
    super('answer ledger unavailable', { cause });
    this.name = 'AnswerLedgerUnavailableError';
  }
}

/** Both adapters refuse the same input. */
export function assertClaim({ scope, key, value, member, points }: AnswerClaim): void {
  for (const [name, text] of Object.entries({ scope, key, value, member }))
    if (typeof text !== 'string' || text.length === 0) throw new RangeError(`answer ledger: ${name} must be a non-empty string`);
  if (!Number.isSafeInteger(points)) throw new RangeError(`answer ledger: points of ${key} must be a whole number`);
}
