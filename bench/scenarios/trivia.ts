// Live trivia at scale: --players guests join one game over HTTP, connect as Socket.IO clients
// subscribed to it, and play --questions questions run by the schedule (autoAdvance). Each
// player answers at a random moment of the first 2 s of each question, over the socket with an
// ack. Reports the question fan-out (serverNow -> receipt), the ack latency, answers per second,
// results delivery after the close, answers lost (acked but missing from the database count the
// results carry), and the server's heap and CPU per answer, each next to the goal.
import { io as connect } from 'socket.io-client';
import { percentile } from '../lib/load.js';
import type { PrepareDatabase } from '../lib/processes.js';
import type { Measurement, Scenario, ScenarioOptions } from '../lib/scenario.js';
import { setupCall } from '../lib/setup-call.js';
import { createUsers, tokenSigner } from '../../test/harness/entrants.js';
import { countStatuses, rush } from '../../test/harness/rush.js';
import { isCorrect } from '../../src/features/trivia/quizzes/rules.js';
import type { Question } from '../../src/domain/trivia.js';
import { connectPlayers, type PlayerQuestion } from './trivia-players.js';

const ANSWER_SPREAD_MS = 2_000;
const TIME_LIMIT_SEC = 5;
const LEAD_MS = 3_000;
const GRACE_MS = 500;
const RESULTS_MS = 3_000;
const GOALS = { fanOutP99: 300, ackP99: 100, resultsP99: 500 };

let seededTokens: string[] | undefined;

function seedPlayers(options: ScenarioOptions): PrepareDatabase {
  return async (database, jwtSecret) => {
    const signer = await tokenSigner(jwtSecret);
    try {
      seededTokens = (await createUsers(database.db, signer.sign, options.players)).map((player) => player.token);
    } finally {
      await signer.close();
    }
  };
}

const TEXT = { kind: 'text', answer: ['Paris'] };

/** choice, text and number questions in turn, so text and number matching are part of the load; only text ones with `allText`. */
function quiz(questions: number, allText = false) {
  const kinds = allText
    ? [TEXT]
    : [
        { kind: 'choice', options: ['Rome', 'Paris', 'Oslo', 'Bern'], answer: 1 },
        TEXT,
        { kind: 'number', answer: { value: 299792, tolerance: 1000 } },
      ];
  return {
    title: 'Bench quiz',
    questions: Array.from({ length: questions }, (_, i) => ({
      text: `Question ${i + 1}`,
      timeLimitSec: TIME_LIMIT_SEC,
      ...kinds[i % kinds.length]!,
    })),
  };
}

function choiceFor(question: PlayerQuestion): unknown {
  const roll = Math.random();
  if (question.kind === 'choice') return Math.floor(roll * question.options.length);
  if (question.kind === 'text') return roll < 0.4 ? 'paris' : roll < 0.7 ? 'Pariss!' : 'Lyon';
  return 299792 + Math.round((roll - 0.5) * 4000);
}

async function serverFigures(url: string, query = ''): Promise<{ cpuSeconds: number; heapBytes: number; lagSeconds: number }> {
  const text = await (await fetch(`${url}/metrics${query}`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    cpuSeconds: read('process_cpu_seconds_total'),
    heapBytes: read('nodejs_heap_size_used_bytes'),
    lagSeconds: read('nodejs_eventloop_lag_p99_seconds'),
  };
}

const LAG_SAMPLE_MS = 250;
// Only the loop delay: a full scrape walks the server's 10,000 sockets (about 25 ms of its CPU),
// which sampled 4 times a second took 14 % of the server's CPU during the game.
const LAG_QUERY = '?name=nodejs_eventloop_lag_seconds,nodejs_eventloop_lag_p99_seconds';

/**
 * The server's event-loop delay p99 over the game, window by window: prom-client resets its
 * histogram at every read (and the ops feed reads it once a second), so one read at the end
 * covers only the last moment. Reads every LAG_SAMPLE_MS until stopped; each read is the p99 of
 * the delay since the read before (a blocked loop answers late, and its window grows); a window
 * too short to hold a sample reads 0 and is skipped.
 */
function sampleLoopLag(url: string): { stop(): Promise<number[]> } {
  const windows: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const lagSeconds = (await serverFigures(url, LAG_QUERY).catch(() => undefined))?.lagSeconds;
      if (lagSeconds !== undefined && Number.isFinite(lagSeconds) && lagSeconds > 0) windows.push(lagSeconds * 1000);
      await new Promise((resolve) => setTimeout(resolve, LAG_SAMPLE_MS));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return windows;
    },
  };
}

/**
 * What text and number matching costs on the event loop, per answer: the figure a worker pool
 * (piscina) would take off it, to weigh against a message round trip per answer.
 */
function matchingMicroseconds(kind: 'text' | 'number', answers = 10_000): number {
  const question = { points: 1000, ...quiz(3).questions[kind === 'text' ? 1 : 2]! } as Question;
  const choices = Array.from({ length: answers }, () => choiceFor({ kind, options: [] } as unknown as PlayerQuestion) as string | number);
  const started = performance.now();
  let right = 0;
  for (const choice of choices) if (isCorrect(question, choice)) right++;
  const elapsed = performance.now() - started;
  // Reading `right` keeps the loop from being optimised away.
  return right >= 0 ? (elapsed * 1000) / answers : Number.NaN;
}

const sorted = (values: number[]) => Float64Array.from(values).sort();
const ms = (n: number) => `${n.toFixed(1)} ms`;
const check = (met: boolean) => (met ? 'met' : 'MISSED');

export const triviaScenario: Scenario = {
  description: 'live trivia: --players Socket.IO players join one game and answer --questions server-timed questions',
  prepare: seedPlayers,
  async serverEnv(options): Promise<Record<string, string>> {
    return options.matching ? { TRIVIA_MATCHING_THREADS: options.matching === 'pool' ? '1' : '0' } : {};
  },
  async run({ stampede, options }) {
    const url = stampede.url;
    if (!seededTokens) throw new Error('the trivia scenario runs after its prepare step seeded the players');
    const tokens = seededTokens;
    const { token: host } = await setupCall<{ token: string }>(url, 'POST', '/api/auth/login', { body: stampede.admin });
    const { quiz: created } = await setupCall<{ quiz: { id: string } }>(url, 'POST', '/api/quizzes', {
      token: host,
      body: quiz(options.questions, options.matching !== undefined),
    });
    const settings = { autoAdvance: true, leadMs: LEAD_MS, graceMs: GRACE_MS, resultsMs: RESULTS_MS, maxPlayers: options.players };
    const { game } = await setupCall<{ game: { id: string; pin: string } }>(url, 'POST', '/api/games', {
      token: host,
      body: { quizId: created.id, mode: 'live', settings },
    });

    console.error(`bench: ${options.players} players joining over HTTP`);
    const joins = await rush(
      tokens.map((token, i) => ({ path: `/api/games/${game.pin}/players`, token, body: { nickname: `player-${i}` } })),
      { baseUrls: [url], connections: options.connections },
    );
    console.error(`bench: joins: ${JSON.stringify(countStatuses(joins))}`);
    console.error(`bench: connecting ${options.players} Socket.IO players`);
    const players = await connectPlayers(url, tokens, { gameId: game.id, answerDelayMs: () => Math.random() * ANSWER_SPREAD_MS, choiceFor });

    const screen = connect(url, { transports: ['websocket'], forceNew: true });
    const answeredInDb = new Map<number, number>();
    const ended = new Promise<void>((resolve) => screen.on('ended', () => resolve()));
    screen.on('results', (results: { seq: number; answered: number }) => answeredInDb.set(results.seq, results.answered));
    await screen.timeout(30_000).emitWithAck('subscribe', `board:trivia:${game.id}`);

    const before = await serverFigures(url);
    console.error(`bench: playing ${options.questions} questions`);
    const lag = sampleLoopLag(url);
    await setupCall(url, 'POST', `/api/games/${game.id}/start`, { token: host });
    await ended;
    const lagWindows = await lag.stop();
    const after = await serverFigures(url);
    screen.disconnect();
    players.forEach((player) => player.close());

    const records = players.map((player) => player.record);
    const fanOut = sorted(records.flatMap((record) => [...record.fanOut.values()]));
    const acks = records.flatMap((record) => [...record.acks.entries()]);
    const okAcks = acks.filter(([, ack]) => ack.ok);
    const ackMs = sorted(okAcks.map(([, ack]) => ack.ms));
    const results = sorted(records.flatMap((record) => [...record.results.values()]));
    const expectedAnswers = options.players * options.questions;
    let lost = 0;
    let answerSeconds = 0;
    for (let seq = 0; seq < options.questions; seq++) {
      const ofQuestion = okAcks.filter(([s, ack]) => s === seq && !ack.replayed);
      lost += Math.max(0, ofQuestion.length - (answeredInDb.get(seq) ?? 0));
      const window = ofQuestion.map(([, ack]) => [ack.sentAt, ack.sentAt + ack.ms] as const);
      if (window.length) answerSeconds += (Math.max(...window.map(([, end]) => end)) - Math.min(...window.map(([start]) => start))) / 1000;
    }
    const refusals: Record<string, number> = {};
    for (const [, ack] of acks) if (!ack.ok) refusals[ack.code ?? 'unknown'] = (refusals[ack.code ?? 'unknown'] ?? 0) + 1;
    const p99 = (values: Float64Array) => percentile(values, 99);
    const cpuPerAnswerMs = ((after.cpuSeconds - before.cpuSeconds) * 1000) / Math.max(1, okAcks.length);
    const resultsFromFinalize = sorted([...results].map((value) => value - GRACE_MS));
    return [
      {
        name: 'trivia answers (socket, acked)',
        method: 'WS',
        path: 'answer',
        requestsPerSec: okAcks.length / Math.max(answerSeconds, 1e-9),
        p50: percentile(ackMs, 50),
        p95: percentile(ackMs, 95),
        p99: p99(ackMs),
        totalRequests: acks.length,
        errors: expectedAnswers - acks.length,
        non2xx: acks.length - okAcks.length,
        statuses: { ok: okAcks.length, ...refusals },
        responses: acks.length,
        notes: [
          ...(options.matching
            ? [
                `matching: ${options.matching === 'pool' ? 'piscina pool, 1 worker thread' : 'inline, on the event loop'}; every question is a text question`,
              ]
            : []),
          `${options.players.toLocaleString('en-US')} players × ${options.questions} questions (${TIME_LIMIT_SEC} s each), answers spread over the first ${ANSWER_SPREAD_MS} ms; ` +
            `answers/s = acked answers / time from each question's first answer sent to its last ack`,
          `question fan-out (serverNow -> receipt): p50 ${ms(percentile(fanOut, 50))}, p99 ${ms(p99(fanOut))}, max ${ms(fanOut.at(-1) ?? Number.NaN)} over ${fanOut.length} receipts`,
          `results delivery (closesAt -> personal result): p50 ${ms(percentile(results, 50))}, p99 ${ms(p99(results))}; ` +
            `from the end of the grace period: p99 ${ms(p99(resultsFromFinalize))} (${results.length} of ${expectedAnswers} received)`,
          `answers lost (acked but not in the database's count at results): ${lost}`,
          `server: CPU ${cpuPerAnswerMs.toFixed(3)} ms per answer (game start to end); heap used ${(after.heapBytes / 2 ** 20).toFixed(0)} MiB ` +
            `(${((after.heapBytes - before.heapBytes) / 2 ** 20).toFixed(0)} MiB more than at the start)`,
          `event-loop delay p99 per ${LAG_SAMPLE_MS} ms window during the game: median ${ms(percentile(sorted(lagWindows), 50))}, ` +
            `p90 ${ms(percentile(sorted(lagWindows), 90))}, worst ${ms(Math.max(...lagWindows, 0))} over ${lagWindows.length} windows`,
          `matching on the event loop (this process, ${(10_000).toLocaleString('en-US')} answers): text ${matchingMicroseconds('text').toFixed(2)} µs, ` +
            `number ${matchingMicroseconds('number').toFixed(2)} µs per answer`,
          `goal: fan-out p99 <= ${GOALS.fanOutP99} ms: ${check(p99(fanOut) <= GOALS.fanOutP99)}`,
          `goal: every answer acked, p99 <= ${GOALS.ackP99} ms: ${check(acks.length === expectedAnswers && p99(ackMs) <= GOALS.ackP99)}`,
          `goal: results p99 <= ${GOALS.resultsP99} ms after close: ${check(p99(resultsFromFinalize) <= GOALS.resultsP99)} (measured from the end of the grace period)`,
          `goal: 0 answers lost: ${check(lost === 0)}`,
        ],
      } satisfies Measurement,
    ];
  },
};
