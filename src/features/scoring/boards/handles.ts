// Display names for leaderboard rows. A rebuild scan brings the handles of every ranked member
// along; anyone else costs one query for the handles a page lacks. Handles do not change after
// sign-up, so there is nothing to invalidate. The map is bounded (a few tens of bytes per
// entry beside the member id, which the rank index shares) and starts over when full.
import type { BoardsStore } from './store.js';

const MAX_HANDLES = 2_000_000;

export function createHandles(store: Pick<BoardsStore, 'handles'>) {
  const known = new Map<string, string>();
  const remember = (rows: Array<{ userId: string; handle: string }>) => {
    if (known.size + rows.length > MAX_HANDLES) known.clear();
    for (const { userId, handle } of rows) known.set(userId, handle);
  };

  return {
    remember,

    async of(userIds: string[]): Promise<Map<string, string>> {
      const missing = [...new Set(userIds.filter((id) => !known.has(id)))];
      if (missing.length > 0) {
        const found = await store.handles(missing);
        remember([...found].map(([userId, handle]) => ({ userId, handle })));
      }
      return new Map(userIds.map((id) => [id, known.get(id) ?? '']));
    },
  };
}

export type Handles = ReturnType<typeof createHandles>;
