// Live figures for operators: answers per second (over the last 10 s) and the last question's
// results latency, on this instance.
const WINDOW_MS = 10_000;

export function createTriviaStats(clock: () => number) {
  let stamps: number[] = [];
  let lastResultsMs: number | null = null;
  let answersTotal = 0;
  const prune = () => {
    const since = clock() - WINDOW_MS;
    if (stamps.length > 0 && stamps[0]! < since) stamps = stamps.filter((stamp) => stamp >= since);
  };
  return {
    answered(): void {
      answersTotal++;
      stamps.push(clock());
      if (stamps.length > 100_000) prune();
    },
    resultsSent(_gameId: string, ms: number): void {
      lastResultsMs = ms;
    },
    snapshot() {
      prune();
      return { answersPerSecond: stamps.length / (WINDOW_MS / 1000), answersTotal, lastResultsLatencyMs: lastResultsMs };
    },
  };
}

export type TriviaStats = ReturnType<typeof createTriviaStats>;
