// `npm run bench -- <scenario> [options]`: starts a bare Fastify ceiling and the real Stampede
// server as child processes, measures the ceiling, the scenario, then the ceiling again, and
// prints the figures with their ratio to the ceiling. Progress goes to stderr, the report to stdout.
import { parseArgs } from 'node:util';
import { cleanUpOnSignals, cleanup } from './lib/cleanup.js';
import { startCpuReading, processCpuMs, type CpuProbes } from './lib/cpu.js';
import { runLoad } from './lib/load.js';
import { startBareFastify, startStampede } from './lib/processes.js';
import { buildReport, formatReport, type RunInfo } from './lib/report.js';
import type { Target } from './lib/scenario.js';
import { scenarios } from './scenarios/index.js';

const USAGE = `Usage: npm run bench -- <scenario> [options]

Scenarios:
${Object.entries(scenarios)
  .map(([name, scenario]) => `  ${name.padEnd(18)}${scenario.description}`)
  .join('\n')}

Options:
  --duration <s>      seconds measured per target (default 10)
  --connections <n>   concurrent connections (default 50)
  --warmup <s>        unmeasured seconds of load before each target (default 1)
  --pg-redis          run Stampede on a throwaway PostgreSQL + Redis instead of embedded PGlite
  --entrants <n>      rush: distinct entrants, one registration each (default 10000)
  --capacity <n>      rush: spots of the event (default 700)
  --rate <n|unlimited>  rush: arrivals per second, or everyone at once (default unlimited)
  --idempotency <on|off>  rush, actions: an Idempotency-Key on every POST, as careful clients send (default on)
  --cold              rush, actions: no warm-up, a new connection per request, a server idle until then
  --users <n>         actions: distinct users completing actions (default 1000)
  --per-user <n>      actions: a burst of --users × n completions, each user's n arriving together
                      (default: a timed load, each request as the next user)
  --board-size <n>    actions: seeded entries on the measured board (default 1000000)
  --sockets <n>       actions: Socket.IO clients subscribed to the board (default 10000)
  --recipients <n>    whatsapp: players messaging in, each answered once (default 2000)
  --players <n>       trivia: Socket.IO players in the game (default 10000)
  --questions <n>     trivia: questions played (default 5)
  --matching <inline|pool>  trivia: an all-text game, matching on the event loop or on a piscina
                      pool of one worker (TRIVIA_MATCHING_THREADS=1); default: the mixed quiz, server default
  --json              print the report as JSON
  -h, --help          show this text

Every target, and a bare Fastify route (the ceiling) before and after the scenario, gets the
same load; the ratio to the ceiling is the figure to compare. See docs/benchmarks.md.`;

class UsageError extends Error {}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${flag} expects a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function parseCommandLine(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        duration: { type: 'string', default: '10' },
        connections: { type: 'string', default: '50' },
        warmup: { type: 'string', default: '1' },
        'pg-redis': { type: 'boolean', default: false },
        entrants: { type: 'string', default: '10000' },
        capacity: { type: 'string', default: '700' },
        rate: { type: 'string', default: 'unlimited' },
        users: { type: 'string', default: '1000' },
        idempotency: { type: 'string', default: 'on' },
        cold: { type: 'boolean', default: false },
        'per-user': { type: 'string' },
        'board-size': { type: 'string', default: '1000000' },
        sockets: { type: 'string', default: '10000' },
        recipients: { type: 'string', default: '2000' },
        players: { type: 'string', default: '10000' },
        questions: { type: 'string', default: '5' },
        matching: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one scenario at a time, got ${positionals.join(' ')}` : 'which scenario?');
  const name = positionals[0]!;
  const scenario = Object.hasOwn(scenarios, name) ? scenarios[name] : undefined;
  if (!scenario) throw new UsageError(`unknown scenario "${name}"`);
  return {
    name,
    scenario,
    duration: wholeNumber('duration', values.duration, 1, 3600),
    connections: wholeNumber('connections', values.connections, 1, 1000),
    warmup: wholeNumber('warmup', values.warmup, 0, 600),
    pgRedis: values['pg-redis'],
    entrants: wholeNumber('entrants', values.entrants, 1, 1_000_000),
    capacity: wholeNumber('capacity', values.capacity, 1, 1_000_000),
    rate: values.rate === 'unlimited' ? undefined : wholeNumber('rate', values.rate, 1, 1_000_000),
    users: wholeNumber('users', values.users, 1, 1_000_000),
    idempotency: onOff('idempotency', values.idempotency),
    cold: values.cold,
    perUser: values['per-user'] === undefined ? undefined : wholeNumber('per-user', values['per-user'], 1, 1_000),
    boardSize: wholeNumber('board-size', values['board-size'], 0, 10_000_000),
    sockets: wholeNumber('sockets', values.sockets, 0, 100_000),
    recipients: wholeNumber('recipients', values.recipients, 1, 1_000_000),
    players: wholeNumber('players', values.players, 1, 100_000),
    questions: wholeNumber('questions', values.questions, 1, 200),
    matching: matchingMode(values.matching),
    json: values.json,
  };
}

function matchingMode(raw: string | undefined): 'inline' | 'pool' | undefined {
  if (raw !== undefined && raw !== 'inline' && raw !== 'pool') throw new UsageError(`--matching expects inline or pool, got "${raw}"`);
  return raw;
}

function onOff(flag: string, raw: string): boolean {
  if (raw !== 'on' && raw !== 'off') throw new UsageError(`--${flag} expects on or off, got "${raw}"`);
  return raw === 'on';
}

const progress = (message: string) => console.error(`bench: ${message}`);

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const { name, scenario, ...parsed } = options;
  const { duration, connections, pgRedis } = parsed;
  // Cold: the server meets the measured load as it would after a quiet moment.
  const warmup = parsed.cold ? 0 : parsed.warmup;
  const scenarioOptions = { ...parsed, warmup };
  const info: RunInfo = {
    scenario: name,
    command: ['npm run bench --', ...argv].join(' '),
    backend: pgRedis ? 'PostgreSQL + Redis (throwaway, local)' : 'embedded (PGlite + in-process adapters)',
    duration,
    connections,
    warmup,
  };

  cleanUpOnSignals();
  try {
    progress('starting the bare Fastify ceiling');
    const bare = await startBareFastify();
    progress(`starting Stampede, ${info.backend}`);
    const stampede = await startStampede({ pgRedis, prepare: scenario.prepare?.(scenarioOptions), env: await scenario.serverEnv?.(scenarioOptions) });

    const load = async (label: string, url: string, target: Omit<Target, 'name'>, cpu: CpuProbes) => {
      progress(`${label}: ${target.method ?? 'GET'} ${target.path}, ${warmup} s warm-up + ${duration} s × ${connections} connections`);
      const reading = startCpuReading(cpu);
      const result = await runLoad({ url, ...target, duration, connections, warmup });
      return { ...result, cpuUsPerRequest: reading(result.responses) };
    };
    const bareCpu = { 'bare Fastify': () => processCpuMs(bare.pid) };
    const ceilingBefore = await load('ceiling', bare.url, { path: '/bare' }, bareCpu);
    const measurements = await scenario.run({
      stampede,
      options: scenarioOptions,
      measure: async ({ name: label, ...target }: Target) => ({
        name: label,
        method: target.method ?? 'GET',
        path: target.path,
        ...(await load(label, stampede.url, target, stampede.cpu)),
      }),
    });
    const ceilingAfter = await load('ceiling', bare.url, { path: '/bare' }, bareCpu);

    const report = buildReport(info, ceilingBefore, ceilingAfter, measurements);
    console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
    if (!report.clean) console.error(`bench: Stampede's last output:\n  ${stampede.recentOutput().slice(-3).join('\n  ') || '(none)'}`);
    return report.clean ? 0 : 1;
  } finally {
    progress('stopping the servers');
    await cleanup();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench: failed:', error);
    void cleanup().finally(() => process.exit(1));
  },
);
