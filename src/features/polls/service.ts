// Polls ("rank these"): one current ranking per user, Borda results kept as per-item totals
// in the ranking's own transaction, and pushed live on board:poll:<id>.
import type { Logger } from 'pino';
import { AppError } from '../../errors.js';
import type { Cache } from '../../platform/cache/port.js';
import type { PollItem } from '../../domain/polls.js';
import { createCoalescer } from '../../platform/push/coalescer.js';
import type { Push } from '../../platform/push/port.js';
import { computeResults, pollOrderProblem, positionDeltas, type PollResults } from './borda.js';
import { pollChannel, pollTag } from './keys.js';
import type { PollRow, PollsStore } from './store.js';

export const RESULTS_PUSH_INTERVAL_MS = 250;

export interface Poll {
  id: string;
  title: string;
  items: PollItem[];
  voters: number;
  createdAt: string;
}

export interface PollsDeps {
  store: PollsStore;
  cache: Cache;
  push: Pick<Push, 'toChannel'>;
  log: Logger;
}

const toPoll = (row: PollRow): Poll => ({
  id: row.id,
  title: row.title,
  items: row.items,
  voters: row.voters,
  createdAt: row.createdAt.toISOString(),
});

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { errors: [{ field, message }] });
}

export function createPollsService({ store, cache, push, log }: PollsDeps) {
  const loadResults = async (pollId: string, fresh = false): Promise<PollResults | null> => {
    const totals = await store.totals(pollId, { fresh });
    return totals ? computeResults(totals.poll, totals.positionSums) : null;
  };
  const results = cache.define({
    name: 'poll-results',
    ttlSeconds: 60,
    load: (pollId: string) => loadResults(pollId),
    tags: (pollId) => [pollTag(pollId)],
  });
  const pollById = cache.define({
    name: 'poll',
    ttlSeconds: 60,
    load: async (pollId: string) => {
      const row = await store.find(pollId);
      return row ? toPoll(row) : null;
    },
    tags: (pollId) => [pollTag(pollId)],
  });

  // A poll id is a UUID, which PostgreSQL compares case-insensitively: cache keys, tags and the
  // live channel all use the lower-case spelling, or a capitalised id would miss them.
  const getPoll = async (pollId: string): Promise<Poll> => {
    const poll = (await pollById.get(pollId.toLowerCase())).value;
    if (!poll) throw new AppError('NOT_FOUND', `No poll ${pollId}`);
    return poll;
  };

  // Read from the record at flush time, never from the cache, so the trailing push of a burst
  // carries the final figures.
  const live = createCoalescer<string>(
    RESULTS_PUSH_INTERVAL_MS,
    async (pollId) => {
      const current = await loadResults(pollId, true);
      if (current) push.toChannel(pollChannel(pollId), 'poll-results', current);
    },
    (error, pollId) => log.warn({ err: error, pollId }, 'could not push poll results'),
  );

  return {
    async create(createdBy: string, input: { title: string; items: PollItem[] }): Promise<Poll> {
      const keys = new Set<string>();
      input.items.forEach((item, index) => {
        if (keys.has(item.key)) throw invalid(`/items/${index}/key`, `Item key '${item.key}' is used more than once`);
        keys.add(item.key);
      });
      return toPoll(await store.create({ ...input, createdBy }));
    },

    get: getPoll,

    exists: async (pollId: string) => (await pollById.get(pollId.toLowerCase())).value !== null,

    /** Replaces the user's ranking (or adds it) and moves the totals by the difference, in one transaction. */
    async rank(requestedId: string, userId: string, order: string[]): Promise<{ pollId: string; order: string[]; replaced: boolean }> {
      // Items never change, so the cached poll validates the order before any lock is taken.
      const { id: pollId, items } = await getPoll(requestedId);
      const problem = pollOrderProblem(items, order);
      if (problem) throw invalid('/order', problem);
      const outcome = await store.transaction(async (tx) => {
        if (!(await store.lock(tx, pollId))) throw new AppError('NOT_FOUND', `No poll ${pollId}`);
        const previous = await store.currentOrder(tx, pollId, userId);
        const deltas = positionDeltas(previous, order);
        if (previous && deltas.length === 0) return { replaced: true, changed: false };
        await store.saveRanking(tx, pollId, userId, order);
        await store.addPositions(tx, pollId, deltas);
        await store.bumpVersion(tx, pollId, previous ? 0 : 1);
        return { replaced: previous !== undefined, changed: true };
      });
      if (outcome.changed) {
        await cache.invalidate(pollTag(pollId));
        live.schedule(pollId);
      }
      return { pollId, order, replaced: outcome.replaced };
    },

    async results(pollId: string): Promise<{ results: PollResults; cached: boolean }> {
      const lookup = await results.get(pollId.toLowerCase());
      if (!lookup.value) throw new AppError('NOT_FOUND', `No poll ${pollId}`);
      return { results: lookup.value, cached: lookup.hit };
    },

    close(): void {
      live.close();
    },
  };
}

export type PollsService = ReturnType<typeof createPollsService>;
