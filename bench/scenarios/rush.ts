// The registration rush: --entrants distinct guests each POST one registration to a
// free first-come-first-served event with --capacity spots, all at once (or --rate arrivals per
// second), over --connections keep-alive sockets. Reports the latency of every answer, the
// throughput against the ceiling, how long after the last arrival the last answer came, and the
// final counts as the API reports them, each next to the issue's goal.
import { ms, summarizeBurst } from '../lib/burst.js';
import { startCpuReading } from '../lib/cpu.js';
import type { PrepareDatabase } from '../lib/processes.js';
import type { Measurement, Scenario, ScenarioOptions } from '../lib/scenario.js';
import { setupCall } from '../lib/setup-call.js';
import { createUsers, tokenSigner } from '../../test/harness/entrants.js';
import { countStatuses, rush, type RushAnswer, type RushRequest } from '../../test/harness/rush.js';

const GOAL_P99_MS = 500;
const GOAL_LAST_ANSWER_MS = 2_000;
const GOAL_RATIO = 0.4;
const WARMUP_ENTRANTS_MAX = 2_000;

/** Entrants seeded before the server starts, with tokens signed by its key. */
let seeded: { tokens: string[]; warmupTokens: string[] } | undefined;

const warmupEntrantsFor = (options: ScenarioOptions) =>
  options.warmup > 0 && !options.cold ? Math.min(WARMUP_ENTRANTS_MAX, Math.ceil(options.entrants / 5)) : 0;

/**
 * Guests inserted in batches straight into the record: signing 10,000 people up over HTTP is
 * not what this scenario measures (and would trip the load shedder before the rush began).
 */
function seedEntrants(options: ScenarioOptions): PrepareDatabase {
  return async (database, jwtSecret) => {
    const signer = await tokenSigner(jwtSecret);
    try {
      const warmup = await createUsers(database.db, signer.sign, warmupEntrantsFor(options));
      const entrants = await createUsers(database.db, signer.sign, options.entrants);
      seeded = { tokens: entrants.map((entrant) => entrant.token), warmupTokens: warmup.map((entrant) => entrant.token) };
    } finally {
      await signer.close();
    }
  };
}

/** A free FCFS event, open now. */
async function openEvent(baseUrl: string, token: string, slug: string, capacity: number): Promise<string> {
  const { event } = await setupCall<{ event: { id: string; status: string } }>(baseUrl, 'POST', '/api/events', {
    token,
    body: { slug, title: `Rush ${slug}`, capacity, mode: 'fcfs' },
  });
  if (event.status !== 'open') await setupCall(baseUrl, 'POST', `/api/events/${event.id}/open`, { token });
  return event.id;
}

function registrations(eventId: string, tokens: string[], options: ScenarioOptions): RushRequest[] {
  return tokens.map((token, i) => ({
    path: `/api/events/${eventId}/registrations`,
    token,
    body: {},
    headers: options.idempotency ? { 'idempotency-key': `${eventId}-${i}` } : ({} as Record<string, string>),
  }));
}

const check = (met: boolean) => (met ? 'met' : 'MISSED');

function summarize(
  answers: RushAnswer[],
  cpu: (requests: number) => Record<string, number>,
  counts: Record<string, number>,
  options: ScenarioOptions,
): Measurement {
  const { tailMs, unanswered, serverErrors, notes, ...figures } = summarizeBurst(answers, cpu);
  // Only the entrants who got their 201 are registered (a shed request created nothing).
  const created = figures.statuses['201'] ?? 0;
  const expected = { confirmed: Math.min(options.capacity, created), waitlisted: Math.max(0, created - options.capacity) };
  const countsHold = counts.confirmed === expected.confirmed && counts.waitlisted === expected.waitlisted;
  return {
    name: 'registration rush',
    method: 'POST',
    path: '/api/events/:id/registrations',
    ...figures,
    targetRatio: GOAL_RATIO,
    notes: [
      `${options.entrants.toLocaleString('en-US')} entrants for ${options.capacity.toLocaleString('en-US')} spots, ` +
        `${options.rate ? `arriving at ${options.rate.toLocaleString('en-US')}/s` : 'all arriving at once'}, ` +
        `at most ${options.connections} in flight; throughput = answers / (last answer - first request)`,
      `clients: ${options.idempotency ? 'an Idempotency-Key on every POST' : 'no Idempotency-Key'}; ` +
        `${options.cold ? 'cold (no warm-up rush, a new connection per request)' : 'after a warm-up rush, keep-alive connections'}`,
      ...notes,
      `final counts (GET /api/events/:id): ${JSON.stringify(counts)}; for ${created} registered, expected confirmed ` +
        `${expected.confirmed}, waitlisted ${expected.waitlisted}: ${countsHold ? 'hold' : 'WRONG'}`,
      `goal: every entrant answered within ${ms(GOAL_LAST_ANSWER_MS)} of the last arrival: ` +
        `${check(unanswered === 0 && tailMs <= GOAL_LAST_ANSWER_MS)} (${ms(tailMs)}, ${unanswered} unanswered)`,
      `goal: p99 <= ${ms(GOAL_P99_MS)}: ${check(figures.p99 <= GOAL_P99_MS)} (${ms(figures.p99)})`,
      `goal: zero 5xx: ${check(serverErrors === 0)} (${serverErrors})`,
    ],
  };
}

export const rushScenario: Scenario = {
  description: 'registration rush: --entrants guests register at once for --capacity spots of a first-come event',
  prepare: seedEntrants,
  async run({ stampede, options }) {
    const baseUrl = stampede.url;
    const { token: adminToken } = await setupCall<{ token: string }>(baseUrl, 'POST', '/api/auth/login', { body: stampede.admin });
    if (!seeded) throw new Error('the rush scenario runs after its prepare step seeded the entrants');
    const { tokens, warmupTokens } = seeded;
    const runTag = Date.now().toString(36);

    // A smaller rush on another event first, so the measured one meets a warm JIT and pools.
    if (warmupTokens.length > 0) {
      const warmupEvent = await openEvent(baseUrl, adminToken, `warmup-${runTag}`, Math.ceil(options.capacity / 5));
      console.error(`bench: warm-up rush: ${warmupTokens.length} entrants`);
      const warmup = await rush(registrations(warmupEvent, warmupTokens, options), { baseUrls: [baseUrl], connections: options.connections });
      console.error(`bench: warm-up answers: ${JSON.stringify(countStatuses(warmup))}`);
    }

    const eventId = await openEvent(baseUrl, adminToken, `rush-${runTag}`, options.capacity);
    const rate = options.rate ? `${options.rate}/s` : 'all at once';
    console.error(`bench: rush: ${options.entrants} entrants, ${options.capacity} spots, ${rate}, ${options.connections} connections`);
    const cpu = startCpuReading(stampede.cpu);
    const answers = await rush(registrations(eventId, tokens, options), {
      baseUrls: [baseUrl],
      connections: options.connections,
      ratePerSecond: options.rate,
      keepAlive: !options.cold,
    });
    const { event } = await setupCall<{ event: { counts: Record<string, number> } }>(baseUrl, 'GET', `/api/events/${eventId}`, { token: adminToken });
    return [summarize(answers, cpu, event.counts, options)];
  },
};
