/**
 * Verifiable draws: pure functions over node:crypto, no I/O, so the server, the tests and
 * `stampede verify-draw` all run the very same code. docs/lottery.md states the algorithm
 * byte for byte so that anyone can re-implement the check in another language.
 *
 * Conventions shared by every function here:
 * - the seed is used as the UTF-8 bytes of its string form (the hex string itself, not the
 *   32 bytes it encodes), both for the commitment and as the HMAC key;
 * - ids are compared as JavaScript strings (UTF-16 code units; byte order for ASCII ids).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const LOTTERY_ALGORITHM = 'efraimidis-spirakis/hmac-sha256/v1';
export const SHUFFLE_ALGORITHM = 'hmac-sha256-shuffle/v1';

export interface Entrant {
  id: string;
  /** >= 1; the priority group's weight. */
  weight: number;
}

export interface LotteryProof {
  commitment: string;
  seed: string;
  entrantsHash: string;
  algorithm: string;
  entrants: Entrant[];
  order: string[];
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** 32 random bytes as lowercase hex: the secret the server commits to before entries open. */
export function newSeed(): string {
  return randomBytes(32).toString('hex');
}

export function commitmentOf(seed: string): string {
  return createHash('sha256').update(seed, 'utf8').digest('hex');
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedById(entrants: readonly Entrant[]): Entrant[] {
  return [...entrants].sort((a, b) => compareIds(a.id, b.id));
}

/** sha256 of `JSON.stringify([{"id":..,"weight":..}, ...])`, entrants sorted by id. */
export function entrantsHashOf(entrants: readonly Entrant[]): string {
  const canonical = JSON.stringify(sortedById(entrants).map((e) => ({ id: e.id, weight: e.weight })));
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

function digestFor(seed: string, id: string): Buffer {
  return createHmac('sha256', Buffer.from(seed, 'utf8')).update(id, 'utf8').digest();
}

/**
 * Maps a digest to a uniform u strictly inside (0, 1), computed exactly in a double:
 * n = the top 52 bits of the digest (big-endian), u = (2n + 1) / 2^53. 2n + 1 < 2^53 is an
 * exact integer in a double and dividing by a power of two is exact, so every implementation
 * that follows this formula gets the same u bit for bit, and u is never 0 (ln(0) = -inf).
 */
export function uniformOf(digest: Buffer): number {
  const high32 = digest.readUInt32BE(0);
  const next20 = digest.readUInt32BE(4) >>> 12;
  const n = high32 * 2 ** 20 + next20;
  return (2 * n + 1) / 2 ** 53;
}

function assertValidEntrants(entrants: readonly Entrant[]): void {
  const seen = new Set<string>();
  for (const e of entrants) {
    if (typeof e.id !== 'string' || e.id.length === 0) throw new RangeError('entrant id must be a non-empty string');
    if (typeof e.weight !== 'number' || !Number.isFinite(e.weight) || e.weight < 1) {
      throw new RangeError(`entrant ${e.id}: weight must be a finite number >= 1`);
    }
    if (seen.has(e.id)) throw new RangeError(`entrant ${e.id} appears twice`);
    seen.add(e.id);
  }
}

/**
 * Efraimidis–Spirakis weighted sampling without replacement: key_i = ln(u_i) / w_i with
 * u_i = uniformOf(HMAC-SHA256(seed, id_i)); the order by key descending (ties by id) is a
 * weighted draw of every entrant, so the top k are the winners for any k.
 */
export function drawOrder(seed: string, entrants: readonly Entrant[]): string[] {
  assertValidEntrants(entrants);
  return entrants
    .map((e) => ({ id: e.id, key: Math.log(uniformOf(digestFor(seed, e.id))) / e.weight }))
    .sort((a, b) => b.key - a.key || compareIds(a.id, b.id))
    .map((e) => e.id);
}

/**
 * A uniform permutation (the pre-queue order): ids sorted by HMAC-SHA256(seed, id) as
 * unsigned 256-bit big-endian numbers ascending, ties by id. The result does not depend on
 * the input order.
 */
export function shuffleOrder(seed: string, ids: readonly string[]): string[] {
  return ids
    .map((id) => ({ id, digest: digestFor(seed, id) }))
    .sort((a, b) => Buffer.compare(a.digest, b.digest) || compareIds(a.id, b.id))
    .map((e) => e.id);
}

function shapeProblem(proof: unknown): string | undefined {
  if (typeof proof !== 'object' || proof === null) return 'proof is not an object';
  const p = proof as Record<string, unknown>;
  for (const field of ['commitment', 'seed', 'entrantsHash', 'algorithm'] as const) {
    if (typeof p[field] !== 'string') return `${field} must be a string`;
  }
  if (!Array.isArray(p.entrants)) return 'entrants must be an array';
  if (!Array.isArray(p.order) || !p.order.every((id) => typeof id === 'string')) return 'order must be an array of strings';
  for (const e of p.entrants as unknown[]) {
    if (typeof e !== 'object' || e === null) return 'every entrant must be an object {id, weight}';
  }
  return undefined;
}

function recomputedOrder(proof: LotteryProof): string[] | string {
  try {
    assertValidEntrants(proof.entrants);
  } catch (err) {
    return (err as Error).message;
  }
  if (proof.algorithm === LOTTERY_ALGORITHM) return drawOrder(proof.seed, proof.entrants);
  if (proof.algorithm === SHUFFLE_ALGORITHM) {
    // The shuffle ignores weights; requiring 1 keeps the published entrants list unambiguous.
    if (proof.entrants.some((e) => e.weight !== 1)) return 'shuffle entrants must all have weight 1';
    return shuffleOrder(
      proof.seed,
      proof.entrants.map((e) => e.id),
    );
  }
  return `unknown algorithm ${JSON.stringify(proof.algorithm)}`;
}

/** Recomputes everything a proof claims; never throws, whatever the input. */
export function verifyProof(proof: LotteryProof): VerifyResult {
  const problem = shapeProblem(proof);
  if (problem) return { ok: false, reason: problem };
  if (commitmentOf(proof.seed) !== proof.commitment) return { ok: false, reason: 'commitment does not match sha256(seed)' };
  const order = recomputedOrder(proof);
  if (typeof order === 'string') return { ok: false, reason: order };
  if (entrantsHashOf(proof.entrants) !== proof.entrantsHash) {
    return { ok: false, reason: 'entrantsHash does not match the entrants' };
  }
  if (order.length !== proof.order.length) {
    return { ok: false, reason: `order lists ${proof.order.length} ids, the entrants give ${order.length}` };
  }
  const at = order.findIndex((id, i) => id !== proof.order[i]);
  if (at !== -1) {
    return { ok: false, reason: `order differs at position ${at + 1}: expected ${order[at]}, proof has ${proof.order[at]}` };
  }
  return { ok: true };
}
