// Display names for leaderboard rows: one query for the handles a page lacks, then kept in
// process. Handles do not change after sign-up, so there is nothing to invalidate; the map is
// bounded and simply starts over when full.
import type { BoardsStore } from './boards-store.js';

const MAX_HANDLES = 200_000;

export function createHandles(store: Pick<BoardsStore, 'handles'>) {
  const known = new Map<string, string>();

  return {
    async of(userIds: string[]): Promise<Map<string, string>> {
      const missing = [...new Set(userIds.filter((id) => !known.has(id)))];
      if (missing.length > 0) {
        const found = await store.handles(missing);
        if (known.size + found.size > MAX_HANDLES) known.clear();
        for (const [id, handle] of found) known.set(id, handle);
      }
      return new Map(userIds.map((id) => [id, known.get(id) ?? '']));
    },
  };
}

export type Handles = ReturnType<typeof createHandles>;
