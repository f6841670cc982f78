// The pacer's guarantee, checked by simulation on an injected clock: whatever the request
// latencies and however late the workers wake, no one-second window at the receiver holds more
// than the cap; and with quick answers the rate stays near the cap.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryPacer } from './pacer.js';

interface Scenario {
  cap: number;
  workers: number;
  sends: number;
  /** Per send: the request's latency, where in it the receiver sees it (0..1), and how late the worker wakes. */
  latencies: number[];
  arrivalPoint: number[];
  lateness: number[];
}

/** Runs the workers of the outbox (reserve, acquire until granted, send, release) on a simulated clock. */
async function simulate(s: Scenario): Promise<number[]> {
  let now = 0;
  const pacer = new MemoryPacer(s.cap, () => now);
  const arrivals: number[] = [];
  // Each worker's next wake-up; the earliest runs next, so time only moves forward.
  type Step = { at: number; run: () => Promise<void> };
  const agenda: Step[] = [];
  let next = 0;
  const schedule = (at: number, run: () => Promise<void>) => {
    agenda.push({ at, run });
  };

  const startSend = (worker: number) => {
    if (next >= s.sends) return;
    const i = next++;
    const late = s.lateness[i % s.lateness.length]!;
    schedule(now, async () => {
      const wait = await pacer.reserve();
      const tryPermit = async (): Promise<void> => {
        const ms = await pacer.acquire(`p${i}`);
        if (ms > 0) {
          schedule(now + ms + late, tryPermit);
          return;
        }
        const latency = s.latencies[i % s.latencies.length]!;
        arrivals.push(now + latency * s.arrivalPoint[i % s.arrivalPoint.length]!);
        schedule(now + latency + late, async () => {
          await pacer.release(`p${i}`);
          startSend(worker);
        });
      };
      schedule(now + wait + late, tryPermit);
    });
  };
  for (let worker = 0; worker < s.workers; worker++) startSend(worker);
  while (agenda.length > 0) {
    agenda.sort((a, b) => a.at - b.at);
    const step = agenda.shift()!;
    now = Math.max(now, step.at);
    await step.run();
  }
  return arrivals.sort((a, b) => a - b);
}

/** Floating-point sums of fractional slot intervals: (a + 1000) - a may come out a hair under 1000. */
const EPSILON_MS = 1e-6;

function busiestSecond(times: number[]): number {
  let max = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= 1000 - EPSILON_MS) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

describe('MemoryPacer', () => {
  it('never lets more than the cap arrive in any one-second window, whatever the latencies and stalls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          cap: fc.integer({ min: 1, max: 30 }),
          workers: fc.integer({ min: 1, max: 40 }),
          sends: fc.integer({ min: 1, max: 150 }),
          latencies: fc.array(fc.double({ min: 0, max: 2_000, noNaN: true }), { minLength: 1, maxLength: 20 }),
          arrivalPoint: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
          lateness: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 500, noNaN: true })), { minLength: 1, maxLength: 20 }),
        }),
        async (scenario) => {
          const arrivals = await simulate(scenario);
          expect(arrivals).toHaveLength(scenario.sends);
          expect(busiestSecond(arrivals)).toBeLessThanOrEqual(scenario.cap);
        },
      ),
      { numRuns: 200, seed: 20261203 },
    );
  });

  it('holds the cap within a few per cent when answers are quick and workers wake on time', async () => {
    const arrivals = await simulate({ cap: 80, workers: 10, sends: 2_000, latencies: [5, 8, 12], arrivalPoint: [0.5], lateness: [0] });
    const rate = (arrivals.length - 1) / ((arrivals.at(-1)! - arrivals[0]!) / 1000);
    expect(busiestSecond(arrivals)).toBeLessThanOrEqual(80);
    expect(rate).toBeGreaterThan(80 * 0.95);
    expect(rate).toBeLessThanOrEqual(80);
  });
});
