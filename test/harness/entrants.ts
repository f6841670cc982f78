// Many users with tokens, fast: one multi-row INSERT per thousand guests and tokens signed with
// the server's own key. Signing 10,000 users up over HTTP would spend minutes in scrypt and test
// nothing a rush is about.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { registerAuth, signToken, type TokenClaims } from '../../src/http/auth.js';
import type { Executor } from '../../src/platform/db/client.js';
import { users } from '../../src/platform/db/schema.js';
import type { Role } from '../../src/domain/accounts.js';
import type { App } from '../../src/server.js';

export interface Entrant {
  id: string;
  token: string;
}

export type SignToken = (claims: TokenClaims) => string;

const ROWS_PER_INSERT = 1_000;
let batchCounter = 0;

/** Inserts `count` guest users (or users with `role`) and returns their ids, in order. */
export async function insertUsers(db: Executor, count: number, role: Role = 'player'): Promise<string[]> {
  // Handles are unique (case-insensitively): a per-process, per-call tag keeps batches apart.
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}${(batchCounter++).toString(36)}`;
  const rows = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), handle: `r${tag}-${i}`, role, isGuest: true }));
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    await db.insert(users).values(rows.slice(start, start + ROWS_PER_INSERT));
  }
  return rows.map((row) => row.id);
}

/** Users in the database plus a valid token each, signed by `sign`. */
export async function createUsers(db: Executor, sign: SignToken, count: number, role: Role = 'player'): Promise<Entrant[]> {
  const ids = await insertUsers(db, count, role);
  return ids.map((id) => ({ id, token: sign({ sub: id, role, guest: true }) }));
}

/** Entrants for a server running in this process (startTestApp). */
export function createEntrants(server: Pick<App, 'app' | 'platform'>, count: number, role: Role = 'player'): Promise<Entrant[]> {
  return createUsers(server.platform.database.db, (claims) => signToken(server.app, claims), count, role);
}

/**
 * A signer for a server running in another process, built from the same auth plugin the server
 * registers, so the tokens are exactly what it would issue itself.
 */
export async function tokenSigner(secret: string, ttlSeconds = 3600): Promise<{ sign: SignToken; close(): Promise<void> }> {
  const app = Fastify();
  await registerAuth(app, secret, ttlSeconds);
  await app.ready();
  return { sign: (claims) => signToken(app, claims), close: () => app.close() };
}
