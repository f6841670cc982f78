// Opens ports for the contract suites: each suite runs once on the in-process adapters and
// once on Redis. Ports opened in the same test share a key prefix, so on Redis they behave
// like two instances of one deployment; each test gets a fresh prefix.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, inject } from 'vitest';
import { createBreaker } from '../../src/platform/breakers.js';
import { createMetrics, type Metrics } from '../../src/platform/metrics.js';
import { createPorts, type Ports } from '../../src/platform/ports.js';

export interface Variant {
  name: 'memory' | 'redis';
  /** Whether two instances share state, as instances on one Redis do. */
  shared: boolean;
}

export const variants: Variant[] = [
  { name: 'memory', shared: false },
  { name: 'redis', shared: true },
];

export type TestPorts = Ports & { metrics: Metrics; keyPrefix: string };

export const silentLog = pino({ level: 'silent' });

/** Registers the hooks and returns `open`, which starts one more instance. */
export function usePorts(variant: Variant): () => Promise<TestPorts> {
  const opened: Ports[] = [];
  let prefix = '';
  beforeEach(() => {
    prefix = `test:${randomUUID()}:`;
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((ports) => ports.close()));
  });
  return async () => {
    const metrics = createMetrics();
    const ports = await createPorts({
      redisUrl: variant.name === 'redis' ? inject('redisUrl') : undefined,
      redisKeyPrefix: prefix,
      breaker: createBreaker('redis', 3, 1_000, metrics),
      metrics,
      log: silentLog,
    });
    opened.push(ports);
    return { ...ports, metrics, keyPrefix: prefix };
  };
}

export async function metricValue(
  metric: { get(): Promise<{ values: Array<{ labels: Record<string, unknown>; value: number }> }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  const match = values.find((entry) => Object.entries(labels).every(([key, value]) => entry.labels[key] === value));
  return match?.value ?? 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
