// The durable schedule: due transitions (open, close, draw) and expired holds, found in the
// database on every tick, so nothing is lost to a restart and every instance may run it.
import type { Logger } from 'pino';
import type { EventsContext } from './context.js';
import { expireHolds } from './holds.js';
import { applyClock } from './transitions.js';
import { SYSTEM_ACTOR, type Unit } from './unit.js';

export function createScheduler({ stores, run }: EventsContext, options: { sweepIntervalMs: number; log: Logger }) {
  const { log } = options;
  let ticking: Promise<void> | undefined;
  /** One pass of the durable schedule: due transitions, then expired holds. Safe on every instance at once. */
  async function tick(): Promise<void> {
    const now = new Date();
    const due = await stores.events.dueTransitions(now);
    const expiring = await stores.registrations.eventsWithExpiredHolds(now);
    for (const [eventId, work] of [
      ...due.map((id) => [id, (unit: Unit) => applyClock(unit, stores, id, SYSTEM_ACTOR)] as const),
      ...expiring.map((id) => [id, (unit: Unit) => expireHolds(unit, stores, id, SYSTEM_ACTOR)] as const),
    ]) {
      try {
        await run(async (unit) => {
          if (await unit.lock(eventId)) await work(unit);
        });
      } catch (error) {
        log.error({ err: error, eventId }, 'scheduled event work failed; retrying next tick');
      }
    }
  }
  const runTick = () => (ticking ??= tick().finally(() => (ticking = undefined)));
  const timer = setInterval(
    () => void runTick().catch((error) => log.warn({ err: error }, 'event scheduler tick failed')),
    options.sweepIntervalMs,
  ).unref();

  return {
    /** Runs the scheduler now (tests, and the CLI); concurrent calls share one pass. */
    tick: runTick,
    async close(): Promise<void> {
      clearInterval(timer);
      await ticking?.catch(() => undefined);
    },
  };
}
