// What a scenario is: setup against a running Stampede, then a list of measured targets.
import type { LoadOptions, LoadResult } from './load.js';
import type { Service } from './processes.js';

/** One request shape to put under load. */
export type Target = { name: string } & Pick<LoadOptions, 'path' | 'method' | 'headers' | 'body'>;

export type Measurement = LoadResult & { name: string; method: string; path: string };

export interface ScenarioContext {
  stampede: Service;
  /** Loads one target on the Stampede server with the run's duration, connections and warm-up. */
  measure(target: Target): Promise<Measurement>;
}

export interface Scenario {
  /** One line for the usage text. */
  description: string;
  run(context: ScenarioContext): Promise<Measurement[]>;
}
