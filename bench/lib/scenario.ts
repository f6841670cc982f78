// What a scenario is: setup against a running Stampede, then a list of measured targets.
import type { LoadOptions, LoadResult } from './load.js';
import type { PrepareDatabase, StampedeService } from './processes.js';

/** One request shape to put under load. */
export type Target = { name: string } & Pick<LoadOptions, 'path' | 'method' | 'headers' | 'body' | 'setupRequest' | 'onResponse'>;

export type Measurement = LoadResult & {
  name: string;
  method: string;
  path: string;
  /** Lines printed under the table: what a scenario measured beyond the common columns. */
  notes?: string[];
  /** The least ratio to the ceiling this target aims for; the report says whether it was met. */
  targetRatio?: number;
};

/** The command line's settings, for scenarios that shape their own load (rush). */
export interface ScenarioOptions {
  connections: number;
  warmup: number;
  entrants: number;
  capacity: number;
  /** Arrivals per second; undefined means everyone at once. */
  rate?: number;
  /** actions: distinct users completing actions. */
  users: number;
  /** actions: seeded entries on the measured board. */
  boardSize: number;
  /** actions: Socket.IO clients subscribed to the board. */
  sockets: number;
  /** whatsapp: players who message in, each answered once through the paced sender. */
  recipients: number;
  /** trivia: players in the game. */
  players: number;
  /** trivia: questions played. */
  questions: number;
  /** trivia: an all-text game with matching inline or on a piscina pool (the A/B of docs/benchmarks.md). */
  matching?: 'inline' | 'pool';
  /** Seconds measured per target. */
  duration: number;
  pgRedis: boolean;
  /** rush, actions: an Idempotency-Key on every POST, as careful clients send. */
  idempotency: boolean;
  /** rush, actions: no warm-up, and a new connection per request, on the fresh server. */
  cold: boolean;
  /** actions: a burst of --users × perUser completions, each user's together; undefined: a timed load. */
  perUser?: number;
}

export interface ScenarioContext {
  stampede: StampedeService;
  options: ScenarioOptions;
  /** Loads one target on the Stampede server with the run's duration, connections and warm-up. */
  measure(target: Target): Promise<Measurement>;
}

export interface Scenario {
  /** One line for the usage text. */
  description: string;
  /** Seeds the database before the server starts (see PrepareDatabase). */
  prepare?(options: ScenarioOptions): PrepareDatabase;
  /** Extra environment for the server (e.g. a stand-in's URL), resolved before it starts. */
  serverEnv?(options: ScenarioOptions): Promise<Record<string, string>>;
  run(context: ScenarioContext): Promise<Measurement[]>;
}
