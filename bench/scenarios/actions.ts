// Scored actions and live leaderboards, next to the bare Fastify ceiling:
//   (a) POST /api/actions/complete by --users users at once, each answer carrying the rank;
//   (b) rank and top-10 reads on a board seeded with --board-size entries (1,000,000), plus the
//       rank index's own operation latency on a board that size, both adapters;
//   (c) --sockets Socket.IO clients on board:global, timed from just before the POST that
//       changes the top 10 to each client's receipt of the push.
// The board is seeded in SQL before the server starts, which loads its rank index from
// PostgreSQL at start, as after any restart.
import { randomInt } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { asEachUser, cacheCounter } from '../lib/requests.js';
import { summarizeBurst } from '../lib/burst.js';
import { startCpuReading } from '../lib/cpu.js';
import type { StampedeService } from '../lib/processes.js';
import type { Measurement, Scenario, ScenarioContext, ScenarioOptions } from '../lib/scenario.js';
import { rush, type RushRequest } from '../../test/harness/rush.js';
import { setupCall } from '../lib/setup-call.js';
import { leaderboardScores } from '../../src/platform/db/schema.js';
import { createUsers, tokenSigner, type Entrant } from '../../test/harness/entrants.js';
import { formatIndexTimings, timeRankIndexes } from './actions-index.js';
import { SCORE_RANGE, seedBoard } from './actions-seed.js';
import { measureFanOut, subscribeMany } from './actions-sockets.js';

const BOARD = 'global';
const GOAL_ACTIONS_PER_SEC = 10_000;
const GOAL_ACTIONS_P99_MS = 50;
const GOAL_READ_P99_MS = 5;
const GOAL_PUSH_P99_MS = 300;
/** Seeded users whose tokens the rank reads rotate through, so the per-user cache rarely hits. */
const READERS_MAX = 100_000;
const INDEX_CALLS = 5_000;
const PROBES = 20;
/** A quiet gap between probes, past the 250 ms coalescing window, so each push goes out at once. */
const PROBE_GAP_MS = 400;
/** Points for the probe's action: enough to lead the board every time. */
const JUMP_SCORE = 100 * SCORE_RANGE;

interface Prepared {
  players: Entrant[];
  /** The user whose actions change the top 10 in part (c). */
  prober: Entrant;
  /** Seeded users (on the board) with tokens, for rank reads. */
  readers: Entrant[];
}

const progress = (message: string) => console.error(`bench: ${message}`);
const ms = (n: number) => `${n.toFixed(2)} ms`;
const goal = (met: boolean) => (met ? 'met' : 'MISSED');

function readGoal(result: Measurement): string {
  return `goal: p99 < ${GOAL_READ_P99_MS} ms: ${goal(result.p99 < GOAL_READ_P99_MS)} (${ms(result.p99)})`;
}

/**
 * (a) Completions, each with a fresh identifier (and an Idempotency-Key unless --idempotency off):
 * a timed load with each request as the next user, or with --per-user a burst of users × n
 * where each user's n completions arrive together.
 */
async function completeActions(
  baseUrl: string,
  stampede: StampedeService,
  options: ScenarioOptions,
  players: Entrant[],
  measure: ScenarioContext['measure'],
  boardNote: string,
): Promise<Measurement> {
  const clients = `clients: ${options.idempotency ? 'an Idempotency-Key on every POST' : 'no Idempotency-Key'}${options.cold ? '; cold (first load on the server, no warm-up)' : ''}`;
  if (options.perUser !== undefined) {
    const perUser = options.perUser;
    const requests: RushRequest[] = players.flatMap((player, u) =>
      Array.from({ length: perUser }, (_, k) => ({
        path: '/api/actions/complete',
        token: player.token,
        body: { actionType: 'bench-action', identifier: `burst-${u}-${k}` },
        headers: options.idempotency ? { 'idempotency-key': `burst-${u}-${k}` } : ({} as Record<string, string>),
      })),
    );
    progress(`actions burst: ${players.length} users × ${perUser}, ${options.connections} connections${options.cold ? ', new connection each' : ''}`);
    const cpu = startCpuReading(stampede.cpu);
    const answers = await rush(requests, { baseUrls: [baseUrl], connections: options.connections, keepAlive: !options.cold });
    const { tailMs, unanswered, serverErrors, notes, ...figures } = summarizeBurst(answers, cpu);
    return {
      name: 'burst of completions',
      method: 'POST',
      path: '/api/actions/complete',
      ...figures,
      notes: [
        `${players.length.toLocaleString('en-US')} users × ${perUser} completions, each user's together, all arriving at once, at most ${options.connections} in flight; on the ${boardNote}`,
        clients,
        ...notes,
        `last answer ${Math.round(tailMs)} ms after the last arrival; ${unanswered} unanswered; ${serverErrors} 5xx`,
        `goal: no stragglers, p99 <= 2 × p50: ${goal(figures.p99 <= 2 * figures.p50)} (p99 ${ms(figures.p99)}, p50 ${ms(figures.p50)})`,
      ],
    };
  }
  let withRank = 0;
  let withoutRank = 0;
  const actionsResult = await measure({
    name: 'complete an action',
    method: 'POST',
    path: '/api/actions/complete',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    setupRequest: asEachUser(players, (request, n) => ({
      ...request,
      headers: options.idempotency ? { ...request.headers, 'idempotency-key': `a-${n}` } : request.headers,
      body: JSON.stringify({ actionType: 'bench-action', identifier: `a-${n}` }),
    })),
    onResponse: (status, body) => {
      if (status !== 200) return;
      if (/"rank":\d/.test(body)) withRank++;
      else withoutRank++;
    },
  });
  return {
    ...actionsResult,
    notes: [
      `${players.length.toLocaleString('en-US')} users, each request as the next user with a fresh identifier, on the ${boardNote}`,
      clients,
      `answers with a rank: ${withRank.toLocaleString('en-US')}; 200 without one: ${withoutRank.toLocaleString('en-US')}`,
      `goal: >= ${GOAL_ACTIONS_PER_SEC.toLocaleString('en-US')} actions/s: ${goal(actionsResult.requestsPerSec >= GOAL_ACTIONS_PER_SEC)} (${Math.round(actionsResult.requestsPerSec).toLocaleString('en-US')})`,
      `goal: p99 <= ${GOAL_ACTIONS_P99_MS} ms: ${goal(actionsResult.p99 <= GOAL_ACTIONS_P99_MS)} (${ms(actionsResult.p99)})`,
    ],
  };
}

export function createActionsScenario(): Scenario {
  let prepared: Prepared | undefined;

  return {
    description: 'scored actions: actions/s with ranks, reads on a 1M-entry board, top-10 pushes to 10k sockets',

    prepare: (options: ScenarioOptions) => async (database, jwtSecret) => {
      progress(`seeding ${options.boardSize.toLocaleString('en-US')} entries on board ${BOARD}`);
      await seedBoard(database, BOARD, options.boardSize, progress);
      const signer = await tokenSigner(jwtSecret, 24 * 3600);
      try {
        const players = await createUsers(database.db, signer.sign, options.users);
        const [prober] = await createUsers(database.db, signer.sign, 1);
        const seeded = await database.db
          .select({ id: leaderboardScores.userId })
          .from(leaderboardScores)
          .where(eq(leaderboardScores.board, BOARD))
          .limit(Math.min(READERS_MAX, options.boardSize));
        const readers = seeded.map(({ id }) => ({ id, token: signer.sign({ sub: id, role: 'player', guest: true }) }));
        prepared = { players, prober: prober!, readers };
      } finally {
        await signer.close();
      }
    },

    async run({ stampede, options, measure }) {
      if (!prepared) throw new Error('the actions scenario runs only after its prepare step');
      const { players, prober, readers } = prepared;
      const baseUrl = stampede.url;
      const measurements: Measurement[] = [];

      // The index alone first, while the server is idle.
      const timings = await timeRankIndexes(options.boardSize, INDEX_CALLS, progress);

      const { token: admin } = await setupCall<{ token: string }>(baseUrl, 'POST', '/api/auth/login', { body: stampede.admin });
      for (const [key, baseScore] of [
        ['bench-action', 10],
        ['bench-jump', JUMP_SCORE],
      ] as const) {
        await setupCall(baseUrl, 'POST', '/api/action-types', { token: admin, body: { key, name: key, baseScore, active: true } });
      }

      // (b) The server loaded its rank index from PostgreSQL at start; check it holds the board.
      const first = await setupCall<{ total: number }>(baseUrl, 'GET', `/api/leaderboards/${BOARD}?limit=10`);
      if (first.total !== options.boardSize) throw new Error(`board ${BOARD} holds ${first.total} entries, expected ${options.boardSize}`);

      // Cold: the completions meet the server before any other load.
      if (options.cold)
        measurements.push(
          await completeActions(baseUrl, stampede, options, players, measure, `${options.boardSize.toLocaleString('en-US')}-entry board`),
        );

      const top = cacheCounter();
      const topResult = await measure({ name: 'top 10', path: `/api/leaderboards/${BOARD}?limit=10`, onResponse: top.onResponse });
      const pages = cacheCounter();
      const pagesResult = await measure({
        name: 'a page of 10 anywhere',
        path: `/api/leaderboards/${BOARD}?limit=10`,
        setupRequest: (request) => ({
          ...request,
          path: `/api/leaderboards/${BOARD}?limit=10&offset=${randomInt(Math.max(1, options.boardSize - 10))}`,
        }),
        onResponse: pages.onResponse,
      });
      const mine = cacheCounter();
      const mineResult = await measure({
        name: 'my rank ± 5',
        path: `/api/leaderboards/${BOARD}/me?around=5`,
        setupRequest: asEachUser(readers),
        onResponse: mine.onResponse,
      });
      const boardNote = `${options.boardSize.toLocaleString('en-US')}-entry board`;
      measurements.push(
        { ...topResult, notes: [`${boardNote}; one cached page, as a big screen reads it; ${top.note()}`, readGoal(topResult)] },
        {
          ...pagesResult,
          notes: [`${boardNote}; a random offset per request (mostly cache misses: the rank index answers); ${pages.note()}`, readGoal(pagesResult)],
        },
        {
          ...mineResult,
          notes: [
            `${boardNote}; as each of ${readers.length.toLocaleString('en-US')} seeded users in turn; ${mine.note()}`,
            readGoal(mineResult),
            `rank index alone on ${options.boardSize.toLocaleString('en-US')} entries, one call at a time in the bench process (Redis: a throwaway local server):`,
            ...formatIndexTimings(timings),
          ],
        },
      );

      if (!options.cold) measurements.push(await completeActions(baseUrl, stampede, options, players, measure, boardNote));

      // (c) Top-10 pushes to every subscribed socket.
      if (options.sockets > 0) {
        progress(`opening ${options.sockets.toLocaleString('en-US')} sockets on board:${BOARD}`);
        const sockets = await subscribeMany(baseUrl, players[0]!.token, `board:${BOARD}`, options.sockets);
        // The prober has not scored yet: its k-th action brings it to k × JUMP_SCORE.
        progress(`${PROBES} top-10 changes, each timed to all ${sockets.length.toLocaleString('en-US')} sockets`);
        const fanOut = await measureFanOut(sockets, { probes: PROBES, gapMs: PROBE_GAP_MS }, (probe) => {
          const expected = `"userId":"${prober.id}","handle":`;
          const score = `"score":${(probe + 1) * JUMP_SCORE}`;
          return {
            // The leaderboard push that holds the prober with its new score (no other score is that high).
            matches: (frame) =>
              frame.startsWith('42["leaderboard"') && frame.includes(expected) && (frame.includes(`${score},`) || frame.includes(`${score}}`)),
            send: async () => {
              await setupCall(baseUrl, 'POST', '/api/actions/complete', {
                token: prober.token,
                body: { actionType: 'bench-jump', identifier: `jump-${probe}` },
              });
            },
          };
        });
        sockets.forEach((socket) => socket.close());
        const last = measurements.at(-1)!;
        last.notes!.push(
          `top-10 pushes: ${fanOut.sockets.toLocaleString('en-US')} sockets on board:${BOARD}, ${fanOut.probes} changes ${PROBE_GAP_MS} ms apart; ` +
            `POST sent -> push received: p50 ${ms(fanOut.p50)}, p95 ${ms(fanOut.p95)}, p99 ${ms(fanOut.p99)}, max ${ms(fanOut.max)}; ` +
            `first socket of each change (the server's reaction before fan-out): median ${ms(fanOut.firstReceiptP50)}; ` +
            `${fanOut.receipts.toLocaleString('en-US')} receipts, ${fanOut.missed} missed`,
          `goal: pushes within ${GOAL_PUSH_P99_MS} ms p99: ${goal(fanOut.missed === 0 && fanOut.p99 <= GOAL_PUSH_P99_MS)} (${ms(fanOut.p99)})`,
        );
      }
      return measurements;
    },
  };
}
