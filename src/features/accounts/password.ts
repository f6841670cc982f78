// scrypt password hashing from node:crypto. The parameters are stored with each hash, so the
// cost can be raised without invalidating old passwords: a login with a hash below the current
// cost stores a new one (needsRehash).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** log2 of scrypt's N. OWASP's minimum is N = 2^17 with r = 8, p = 1 (128 MiB per hash). */
export const DEFAULT_PASSWORD_COST = 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: Required<Pick<ScryptOptions, 'N' | 'r' | 'p'>>): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; maxmem must exceed it.
  const maxmem = 128 * options.N * options.r + 16 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_COST): Promise<string> {
  const salt = randomBytes(16);
  const N = 2 ** cost;
  const key = await derive(password, salt, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, expected] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !expected) return false;
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  const expectedKey = Buffer.from(expected, 'base64url');
  return key.length === expectedKey.length && timingSafeEqual(key, expectedKey);
}

/** True when the stored hash was made with less work than `cost` asks for. */
export function needsRehash(stored: string, cost = DEFAULT_PASSWORD_COST): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) < 2 ** cost || Number(r) < R || Number(p) < P;
}

// Verifying against this when the email is unknown makes both failures take the same time.
const decoys = new Map<number, Promise<string>>();
export function decoy(cost = DEFAULT_PASSWORD_COST): Promise<string> {
  let hash = decoys.get(cost);
  if (!hash) decoys.set(cost, (hash = hashPassword(randomBytes(16).toString('hex'), cost)));
  return hash;
}
