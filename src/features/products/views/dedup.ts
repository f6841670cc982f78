// Which views of one batch can count, pure. A user's view of a product counts when none of
// theirs counted in the window before it; within a batch the same (user, product) may come
// several times, and one upsert may touch a row only once, so the batch is split into layers
// that each hold a pair at most once, applied in time order.

export interface View {
  userId: string;
  productId: string;
  at: Date;
}

/**
 * Layers of candidate views: per (user, product) the views that could count given only this
 * batch (each at least windowMs after the previous candidate), the i-th candidate in layer i.
 * Whether a candidate counts also depends on the stored mark, which the database decides.
 */
export function viewLayers<T extends View>(views: T[], windowMs: number): T[][] {
  const byPair = new Map<string, T[]>();
  for (const view of views) {
    const key = `${view.userId}/${view.productId}`;
    const list = byPair.get(key);
    if (list) list.push(view);
    else byPair.set(key, [view]);
  }
  const layers: T[][] = [];
  for (const list of byPair.values()) {
    list.sort((a, b) => a.at.getTime() - b.at.getTime());
    let last = Number.NEGATIVE_INFINITY;
    let depth = 0;
    for (const view of list) {
      if (view.at.getTime() - last < windowMs) continue;
      last = view.at.getTime();
      (layers[depth++] ??= []).push(view);
    }
  }
  return layers;
}

/** The brute-force rule, for tests: per (user, product) in time order, a view counts when windowMs have passed since the last counted one. */
export function countViewsOracle(views: View[], windowMs: number): number {
  const lastCounted = new Map<string, number>();
  let counted = 0;
  for (const view of [...views].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const key = `${view.userId}/${view.productId}`;
    const last = lastCounted.get(key);
    if (last !== undefined && view.at.getTime() - last < windowMs) continue;
    lastCounted.set(key, view.at.getTime());
    counted++;
  }
  return counted;
}

/**
 * The (user, product) pairs this process saw count, each with the instant it counted. A stored
 * mark only ever moves forward, so a later view of the pair within the window cannot count
 * whatever other instances did: it is answered without the database. A view this process has
 * not seen count (another instance's, or before a restart) still goes to the database, which
 * decides. The oldest pairs are forgotten past `maxPairs`, which only sends them to the database.
 */
export function createCountedPairs(windowMs: number, maxPairs: number) {
  const countedAt = new Map<string, number>();
  const key = (view: View) => `${view.userId}/${view.productId}`;
  return {
    /** True when `view` certainly does not count. */
    covers(view: View): boolean {
      const at = countedAt.get(key(view));
      return at !== undefined && view.at.getTime() >= at && view.at.getTime() - at < windowMs;
    },
    remember(view: View): void {
      const pair = key(view);
      const at = countedAt.get(pair);
      if (at !== undefined && at >= view.at.getTime()) return;
      // Re-inserted, so the Map's order stays roughly oldest first for the eviction below.
      countedAt.delete(pair);
      countedAt.set(pair, view.at.getTime());
      if (countedAt.size > maxPairs) countedAt.delete(countedAt.keys().next().value!);
    },
  };
}
