// The durable schedule of games, as events have it: each game's next move time (dueAt) is in
// its row, every instance ticks and runs what is due under the game's lock (where the move is
// re-checked), so exactly one instance makes each move and a restart picks up where the
// database says. A local timer at a game's dueAt only makes the move prompt; the tick is what
// guarantees it.
import type { Logger } from 'pino';

export interface TriviaSchedulerOptions {
  tickMs: number;
  clock: () => number;
  log: Logger;
  due: (now: number) => Promise<string[]>;
  run: (gameId: string) => Promise<unknown>;
}

export function createTriviaScheduler({ tickMs, clock, log, due, run }: TriviaSchedulerOptions) {
  let ticking: Promise<void> | undefined;
  let closed = false;
  const timers = new Map<string, NodeJS.Timeout>();

  async function runOne(gameId: string): Promise<void> {
    try {
      await run(gameId);
    } catch (error) {
      log.error({ err: error, gameId }, 'scheduled game move failed; retrying next tick');
    }
  }

  async function tick(): Promise<void> {
    for (const gameId of await due(clock())) await runOne(gameId);
  }
  const runTick = () => (ticking ??= tick().finally(() => (ticking = undefined)));
  const interval = setInterval(() => void runTick().catch((error) => log.warn({ err: error }, 'trivia scheduler tick failed')), tickMs).unref();

  return {
    /** Runs every due move now; concurrent calls share one pass. */
    tick: runTick,

    /** Sets (or clears) the prompt local timer for a game's next move. */
    schedule(gameId: string, dueAt: Date | null): void {
      clearTimeout(timers.get(gameId));
      timers.delete(gameId);
      if (!dueAt || closed) return;
      const timer = setTimeout(
        () => {
          timers.delete(gameId);
          void runOne(gameId);
        },
        Math.max(0, dueAt.getTime() - clock()),
      ).unref();
      timers.set(gameId, timer);
    },

    async close(): Promise<void> {
      closed = true;
      clearInterval(interval);
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await ticking?.catch(() => undefined);
    },
  };
}
