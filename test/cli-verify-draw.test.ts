// `stampede verify-draw` as a user runs it: against a proof file and against a proof served over
// HTTP (a local node:http server standing in for GET /api/events/:id/lottery/proof).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp } from './harness/app.js';
import { ADMIN_ENV, createEvent, organizer, register } from './http/events-fixtures.js';
import {
  LOTTERY_ALGORITHM,
  SHUFFLE_ALGORITHM,
  commitmentOf,
  drawOrder,
  entrantsHashOf,
  newSeed,
  shuffleOrder,
  type LotteryProof,
} from '../src/features/events/lottery.js';

const MAIN = path.resolve('src/main.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'stampede-verify-'));

function verifyDraw(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Async spawn: the proof server below lives in this process and must keep answering.
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'verify-draw', ...args], {
    env: { ...process.env, STAMPEDE_DATA_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

function writeProof(name: string, proof: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof proof === 'string' ? proof : JSON.stringify(proof));
  return file;
}

const seed = newSeed();
const entrants = Array.from({ length: 40 }, (_, i) => ({ id: `reg-${i}`, weight: i < 10 ? 3 : 1 }));
const proof: LotteryProof = {
  commitment: commitmentOf(seed),
  seed,
  entrantsHash: entrantsHashOf(entrants),
  algorithm: LOTTERY_ALGORITHM,
  entrants,
  order: drawOrder(seed, entrants),
};

// Each run spawns the CLI through tsx, which takes seconds on a busy machine.
const SLOW = { timeout: 120_000 };

describe('stampede verify-draw', SLOW, () => {
  let server: Server;
  let base = '';
  const served = new Map<string, { status: number; body: string }>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = served.get(req.url ?? '') ?? { status: 404, body: '{"code":"NOT_FOUND"}' };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('exits 0 with a clear verdict for an honest proof file', async () => {
    const result = await verifyDraw(writeProof('honest.json', proof), '--winners', '5');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`entrants     40, hash ok`);
    expect(result.stdout).toContain(`commitment   ok`);
    expect(result.stdout).toContain(`winners (5): ${proof.order.slice(0, 5).join(', ')}`);
    expect(result.stdout).toContain('VERIFIED');
  });

  it('exits 1 for tampered proofs, naming what does not hold', async () => {
    const [first, second, ...rest] = proof.order;
    const swapped = await verifyDraw(writeProof('swapped.json', { ...proof, order: [second, first, ...rest] }));
    expect(swapped.status).toBe(1);
    expect(swapped.stdout).toMatch(/NOT VERIFIED: order differs at position 1/);

    const reweighted = entrants.map((e, i) => (i === 20 ? { ...e, weight: 5 } : e));
    const weight = await verifyDraw(writeProof('weight.json', { ...proof, entrants: reweighted }));
    expect(weight.status).toBe(1);
    expect(weight.stdout).toMatch(/hash MISMATCH[\s\S]*NOT VERIFIED: entrantsHash/);

    const otherSeed = await verifyDraw(writeProof('seed.json', { ...proof, seed: newSeed() }));
    expect(otherSeed.status).toBe(1);
    expect(otherSeed.stdout).toMatch(/commitment {3}MISMATCH/);
  });

  it('prints control characters from a crafted proof as \\xNN, so it cannot drive the terminal', async () => {
    const crafted = { ...proof, algorithm: 'x\u001b[2J\u001b[1;1HVERIFIED\u0007', order: ['\u001b]0;pwned\u0007', ...proof.order.slice(1)] };
    const result = await verifyDraw(writeProof('crafted.json', crafted));
    expect(result.status).toBe(1);
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(result.stdout).toContain('x\\x1b[2J\\x1b[1;1HVERIFIED\\x07 (UNKNOWN)');
    expect(result.stdout).toContain('\\x1b]0;pwned\\x07');
  });

  it('fetches a proof over HTTP, bare or wrapped in {proof}, and checks pre-queue shuffles too', async () => {
    served.set('/api/events/e1/lottery/proof', { status: 200, body: JSON.stringify(proof) });
    const ids = ['a', 'b', 'c', 'd'];
    const shuffle = {
      commitment: commitmentOf(seed),
      seed,
      entrantsHash: entrantsHashOf(ids.map((id) => ({ id, weight: 1 }))),
      algorithm: SHUFFLE_ALGORITHM,
      entrants: ids.map((id) => ({ id, weight: 1 })),
      order: shuffleOrder(seed, ids),
    };
    served.set('/api/events/e2/prequeue/proof', { status: 200, body: JSON.stringify({ proof: shuffle }) });
    served.set('/tampered', { status: 200, body: JSON.stringify({ ...shuffle, order: [...shuffle.order].reverse() }) });

    const fetched = await verifyDraw(`${base}/api/events/e1/lottery/proof`);
    expect(fetched.status).toBe(0);
    expect(fetched.stdout).toContain(`first 10 in order: ${proof.order.slice(0, 10).join(', ')}, ...`);
    const shuffled = await verifyDraw(`${base}/api/events/e2/prequeue/proof`);
    expect(shuffled.status).toBe(0);
    expect(shuffled.stdout).toContain('pre-queue shuffle');
    expect((await verifyDraw(`${base}/tampered`)).status).toBe(1);
  });

  it('exits 2 when the input cannot be read as a proof', async () => {
    const missing = await verifyDraw(path.join(dir, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
    expect((await verifyDraw(writeProof('garbage.json', 'not json {'))).status).toBe(2);
    const notProof = await verifyDraw(writeProof('other.json', { hello: 'world' }));
    expect(notProof.status).toBe(2);
    expect(notProof.stderr).toContain('not a lottery proof');
    const notFound = await verifyDraw(`${base}/api/events/unknown/lottery/proof`);
    expect(notFound.status).toBe(2);
    expect(notFound.stderr).toContain('answered 404');
  });
});

describe('stampede verify-draw against a real Stampede server', SLOW, () => {
  it('verifies the proof a lottery draw publishes, and the winners are the drawn registrations', async () => {
    const app = await startTestApp({ env: ADMIN_ENV });
    try {
      const org = await organizer(app);
      const event = await createEvent(app, org.token, { mode: 'lottery', capacity: 2 });
      const entrants = await Promise.all(Array.from({ length: 6 }, () => signUp(app)));
      const registrations = new Map<string, string>();
      for (const entrant of entrants) {
        const { status, body } = await register(app, event.id, entrant.token);
        expect(status).toBe(201);
        registrations.set(body.registration.id, entrant.token);
      }
      expect((await app.request('POST', `/api/events/${event.id}/draw`, { token: org.token })).status).toBe(200);
      const proof = await (await app.request('GET', `/api/events/${event.id}/lottery/proof`)).json();

      const result = await verifyDraw(`${app.url}/api/events/${event.id}/lottery/proof`, '--winners', '2');
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('entrants     6, hash ok');
      expect(result.stdout).toContain(`winners (2): ${proof.order.slice(0, 2).join(', ')}`);
      for (const [index, id] of (proof.order as string[]).entries()) {
        const mine = await (await app.request('GET', `/api/events/${event.id}/registrations/me`, { token: registrations.get(id)! })).json();
        expect(mine.registration.status).toBe(index < 2 ? 'confirmed' : 'waitlisted');
      }
    } finally {
      await app.stop();
    }
  });
});
