// `stampede verify-draw <file-or-url>`: recomputes a published lottery or pre-queue proof with
// the same pure module the server uses, without trusting anything the server computed.
// Exit codes: 0 the proof holds, 1 it does not, 2 the input cannot be read as a proof.
import { readFile } from 'node:fs/promises';
import { LOTTERY_ALGORITHM, SHUFFLE_ALGORITHM, commitmentOf, entrantsHashOf, verifyProof, type LotteryProof } from '../features/events/lottery.js';
import { CliError } from './errors.js';

const FETCH_TIMEOUT_MS = 15_000;

async function readSource(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    let response: Response;
    try {
      response = await fetch(source, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (error) {
      throw new CliError(`cannot fetch ${source}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    const body = await response.text();
    if (!response.ok) throw new CliError(`${source} answered ${response.status}: ${body.slice(0, 300)}`);
    return body;
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${source}: ${(error as Error).message}`);
  }
}

/** Accepts the bare proof or an envelope `{ proof: {...} }`; anything else is not a proof. */
function asProof(text: string, source: string): LotteryProof {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${source} is not JSON`);
  }
  const candidate = (parsed as { proof?: unknown } | null)?.proof ?? parsed;
  const p = candidate as Partial<LotteryProof> | null;
  const isProof =
    typeof p === 'object' &&
    p !== null &&
    ['commitment', 'seed', 'entrantsHash', 'algorithm'].every((f) => typeof (p as Record<string, unknown>)[f] === 'string') &&
    Array.isArray(p.entrants) &&
    Array.isArray(p.order);
  if (!isProof) throw new CliError(`${source} is not a lottery proof (expected {commitment, seed, entrantsHash, algorithm, entrants, order})`);
  return p as LotteryProof;
}

const mark = (ok: boolean) => (ok ? 'ok' : 'MISMATCH');

/**
 * Control characters shown as \xNN: a proof comes from anywhere, and one holding terminal
 * escape sequences could otherwise rewrite what the terminal shows, "VERIFIED" included.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
export const printable = (text: string) => text.replace(CONTROL_CHARACTERS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** Prints each check on its own line; returns whether the whole proof holds. */
export function report(proof: LotteryProof, winners: number | undefined, printRaw: (line: string) => void): boolean {
  const print = (line: string) => printRaw(printable(line));
  const verdict = verifyProof(proof);
  const known = proof.algorithm === LOTTERY_ALGORITHM || proof.algorithm === SHUFFLE_ALGORITHM;
  const kind = proof.algorithm === SHUFFLE_ALGORITHM ? 'pre-queue shuffle' : 'weighted draw';
  print(`algorithm    ${proof.algorithm} (${known ? kind : 'UNKNOWN'})`);
  print(`commitment   ${mark(commitmentOf(proof.seed) === proof.commitment)}  sha256(seed) = ${proof.commitment}`);
  let hashOk = false;
  try {
    hashOk = entrantsHashOf(proof.entrants) === proof.entrantsHash;
  } catch {
    // A malformed entrant is reported by the verdict below.
  }
  print(`entrants     ${proof.entrants.length}, hash ${mark(hashOk)}`);
  print(`order        ${proof.order.length} ids`);
  const shown = winners ?? Math.min(10, proof.order.length);
  const label = winners === undefined ? `first ${shown} in order` : `winners (${shown})`;
  print(`${label}: ${proof.order.slice(0, shown).join(', ')}${proof.order.length > shown && winners === undefined ? ', ...' : ''}`);
  if (verdict.ok) print('VERIFIED: the published order is exactly what this seed and entrant list produce.');
  else print(`NOT VERIFIED: ${verdict.reason}`);
  return verdict.ok;
}

export async function verifyDraw(source: string, options: { winners?: number }): Promise<boolean> {
  const proof = asProof(await readSource(source), source);
  console.log(printable(`Proof from ${source}`));
  return report(proof, options.winners, (line) => console.log(line));
}
