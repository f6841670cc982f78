// The lottery proof check, in the browser, with Web Crypto: an independent re-implementation of
// the published algorithm (docs/lottery.md; the server's is src/features/events/lottery.ts), so a
// visitor need trust neither the server's code nor its verdict. verify-proof.test.ts checks it
// against proofs the server's own module produced, and against tampered ones.

export const LOTTERY_ALGORITHM = 'efraimidis-spirakis/hmac-sha256/v1';
export const SHUFFLE_ALGORITHM = 'hmac-sha256-shuffle/v1';

export interface Entrant {
  id: string;
  weight: number;
}

export interface Proof {
  commitment: string;
  seed: string;
  entrantsHash: string;
  algorithm: string;
  entrants: Entrant[];
  order: string[];
}

export interface Check {
  name: 'commitment' | 'entrants' | 'order';
  ok: boolean;
  detail: string;
}

export type Verdict = { ok: true; checks: Check[] } | { ok: false; reason: string; checks: Check[] };

const utf8 = new TextEncoder();
const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
}

/** The seed's UTF-8 bytes (its hex string, not the bytes it encodes) are the HMAC key. */
async function hmacDigests(seed: string, ids: string[]): Promise<Uint8Array[]> {
  const key = await crypto.subtle.importKey('raw', utf8.encode(seed), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return Promise.all(ids.map(async (id) => new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8.encode(id)))));
}

/** u = (2n + 1) / 2^53 with n the digest's top 52 bits: exact in a double, never 0. */
export function uniformOf(digest: Uint8Array): number {
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  const n = view.getUint32(0) * 2 ** 20 + (view.getUint32(4) >>> 12);
  return (2 * n + 1) / 2 ** 53;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export async function entrantsHashOf(entrants: Entrant[]): Promise<string> {
  const sorted = [...entrants].sort((a, b) => compareIds(a.id, b.id)).map((e) => ({ id: e.id, weight: e.weight }));
  return sha256Hex(JSON.stringify(sorted));
}

function entrantsProblem(entrants: unknown): string | undefined {
  if (!Array.isArray(entrants)) return 'entrants must be a list';
  const seen = new Set<string>();
  for (const e of entrants as Array<Partial<Entrant> | null>) {
    if (typeof e?.id !== 'string' || e.id === '') return 'every entrant needs a non-empty id';
    if (typeof e.weight !== 'number' || !Number.isFinite(e.weight) || e.weight < 1) return `entrant ${e.id}: weight must be a number >= 1`;
    if (seen.has(e.id)) return `entrant ${e.id} appears twice`;
    seen.add(e.id);
  }
  return undefined;
}

/** The order the algorithm gives for this seed and these entrants, or why it cannot be computed. */
export async function recomputeOrder(proof: Proof): Promise<string[] | string> {
  const problem = entrantsProblem(proof.entrants);
  if (problem) return problem;
  const ids = proof.entrants.map((e) => e.id);
  const digests = await hmacDigests(proof.seed, ids);
  if (proof.algorithm === LOTTERY_ALGORITHM) {
    return proof.entrants
      .map((e, i) => ({ id: e.id, key: Math.log(uniformOf(digests[i]!)) / e.weight }))
      .sort((a, b) => b.key - a.key || compareIds(a.id, b.id))
      .map((e) => e.id);
  }
  if (proof.algorithm === SHUFFLE_ALGORITHM) {
    if (proof.entrants.some((e) => e.weight !== 1)) return 'shuffle entrants must all have weight 1';
    return ids
      .map((id, i) => ({ id, digest: digests[i]! }))
      .sort((a, b) => compareBytes(a.digest, b.digest) || compareIds(a.id, b.id))
      .map((e) => e.id);
  }
  return `unknown algorithm ${JSON.stringify(proof.algorithm)}`;
}

/** Recomputes every claim of the proof; never throws, whatever it was given. */
export async function verifyProof(input: unknown): Promise<Verdict> {
  const proof = input as Proof;
  const checks: Check[] = [];
  if (typeof proof !== 'object' || proof === null) return { ok: false, reason: 'this is not a proof', checks };
  for (const field of ['commitment', 'seed', 'entrantsHash', 'algorithm'] as const) {
    if (typeof proof[field] !== 'string') return { ok: false, reason: `${field} is missing`, checks };
  }
  if (!Array.isArray(proof.order) || !proof.order.every((id) => typeof id === 'string'))
    return { ok: false, reason: 'order must be a list of ids', checks };

  const commitment = await sha256Hex(proof.seed);
  checks.push({ name: 'commitment', ok: commitment === proof.commitment, detail: `sha256(seed) = ${commitment}` });
  const order = await recomputeOrder(proof);
  if (typeof order === 'string') return { ok: false, reason: order, checks };
  const entrantsHash = await entrantsHashOf(proof.entrants);
  checks.push({ name: 'entrants', ok: entrantsHash === proof.entrantsHash, detail: `${proof.entrants.length} entrants, hash ${entrantsHash}` });
  const at = order.length === proof.order.length ? order.findIndex((id, i) => id !== proof.order[i]) : Math.min(order.length, proof.order.length);
  checks.push({
    name: 'order',
    ok: at === -1,
    detail:
      at === -1
        ? `${order.length} places, all as published`
        : `differs at place ${at + 1}: expected ${order[at] ?? '(none)'}, published ${proof.order[at] ?? '(none)'}`,
  });
  const failed = checks.find((check) => !check.ok);
  if (!failed) return { ok: true, checks };
  const reasons = {
    commitment: 'the seed does not match the commitment published before the draw',
    entrants: 'the entrant list does not match its published hash',
    order: 'the published order is not what this seed gives',
  };
  return { ok: false, reason: reasons[failed.name], checks };
}
