// The activity log. Entries arrive through other features' services and hooks: completed
// actions ride in the action batch's own transaction (progressHooks), everything else is
// batched here. Each batch also feeds the achievements' activity counts and streaks in its
// transaction, then evaluates achievements after commit; awards come back as entries.
import type { Logger } from 'pino';
import { UNLOGGED_KINDS, type ActivityEntry } from '../../domain/activity.js';
import { AppError } from '../../errors.js';
import { createBatcher } from '../../platform/batch.js';
import type { Tx } from '../../platform/db/client.js';
import type { ActivityRow, ActivityStore } from './store.js';

/** The achievements feature's side: counts and streaks in our transaction, awards after it. */
export interface ActivityProgress {
  recordActivities(tx: Tx, entries: Array<ActivityEntry & { utcOffsetMinutes: number }>): Promise<void>;
  recordActions(
    tx: Tx,
    actions: Array<{ userId: string; actionTypeId: string; actionTypeKey: string; completedAt: Date; utcOffsetMinutes: number }>,
  ): Promise<void>;
  evaluate(input: { userId: string; scores: Record<string, number>; ranks: Record<string, number> }): Promise<Array<{ key: string; name: string }>>;
}

export interface ActivityView {
  id: string;
  kind: string;
  subject: string;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface ActivityDeps {
  store: ActivityStore;
  progress: ActivityProgress;
  utcOffsetMinutes: (userId: string) => Promise<number>;
  log: Logger;
  now: () => Date;
  retentionDays: number;
  sweepIntervalMs: number;
  batch: { maxItems: number; maxWaitMs: number };
}

const RETENTION_BOUNDS = { batchSize: 5000, maxBatches: 20 };

const toView = (row: ActivityRow): ActivityView => ({
  id: String(row.id),
  kind: row.kind,
  subject: row.subject,
  details: row.details,
  createdAt: row.createdAt.toISOString(),
});

export function createActivityService({ store, progress, utcOffsetMinutes, log, now, retentionDays, sweepIntervalMs, batch }: ActivityDeps) {
  const pendingEvaluations = new Set<Promise<unknown>>();

  const awarded = (userId: string, awards: Array<{ key: string; name: string }>) => {
    for (const award of awards) record({ userId, kind: 'achievement.awarded', subject: award.key, details: { name: award.name }, at: now() });
  };

  /** After commit, off every caller's path; tracked so close() waits for it. */
  const evaluate = (userIds: Iterable<string>) => {
    for (const userId of new Set(userIds)) {
      const running = progress
        .evaluate({ userId, scores: {}, ranks: {} })
        .then((awards) => awarded(userId, awards))
        .catch((error: unknown) => log.warn({ err: error, userId }, 'achievement evaluation after activity failed'))
        .finally(() => pendingEvaluations.delete(running));
      pendingEvaluations.add(running);
    }
  };

  const batcher = createBatcher<ActivityEntry, void>({
    name: 'activity',
    maxItems: batch.maxItems,
    maxWaitMs: batch.maxWaitMs,
    run: async (entries) => {
      const offsets = new Map(
        await Promise.all([...new Set(entries.map((entry) => entry.userId))].map(async (id) => [id, await utcOffsetMinutes(id)] as const)),
      );
      await store.transaction(async (tx) => {
        await store.insert(
          tx,
          entries.filter((entry) => !UNLOGGED_KINDS.has(entry.kind)),
        );
        await progress.recordActivities(
          tx,
          entries.map((entry) => ({ ...entry, utcOffsetMinutes: offsets.get(entry.userId)! })),
        );
      });
      // An award is itself an entry; evaluating after it would find nothing new.
      evaluate(entries.filter((entry) => entry.kind !== 'achievement.awarded').map((entry) => entry.userId));
      return entries.map(() => undefined);
    },
  });

  function record(entry: ActivityEntry): void {
    batcher.add(entry).catch((error: unknown) => log.warn({ err: error, kind: entry.kind }, 'could not record an activity'));
  }

  let sweeper: NodeJS.Timeout | undefined;
  const sweep = async (): Promise<number> => store.deleteOlderThan(new Date(now().getTime() - retentionDays * 86_400_000), RETENTION_BOUNDS);

  return {
    /** Queues an entry for the next batch; failures are logged, never thrown at the caller. */
    record,

    /**
     * What scoring calls on each action batch: the achievements' counts and streaks plus the
     * `action.completed` entries, in the batch's own transaction; awards after commit are logged.
     */
    progressHooks: {
      async recordActions(tx: Tx, actions: Parameters<ActivityProgress['recordActions']>[1]): Promise<void> {
        await progress.recordActions(tx, actions);
        await store.insert(
          tx,
          actions.map((action) => ({
            userId: action.userId,
            kind: 'action.completed' as const,
            subject: action.actionTypeKey,
            at: action.completedAt,
          })),
        );
      },
      async evaluate(input: Parameters<ActivityProgress['evaluate']>[0]): Promise<Array<{ key: string; name: string }>> {
        const awards = await progress.evaluate(input);
        awarded(input.userId, awards);
        return awards;
      },
    },

    async page(userId: string, cursor: string | undefined, limit: number): Promise<{ items: ActivityView[]; nextCursor: string | null }> {
      if (cursor !== undefined && !/^\d{1,18}$/.test(cursor))
        throw new AppError('VALIDATION_FAILED', 'cursor is not one this API gave out', { errors: [{ field: '/cursor', message: 'not a cursor' }] });
      const rows = await store.page(userId, cursor === undefined ? undefined : Number(cursor), limit + 1);
      const items = rows.slice(0, limit).map(toView);
      return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
    },

    /** Resolves once every entry queued so far is committed and evaluated (tests, shutdown). */
    async flush(): Promise<void> {
      await batcher.drain();
      while (pendingEvaluations.size > 0) {
        await Promise.all([...pendingEvaluations]);
        await batcher.drain();
      }
    },

    /** One retention pass: deletes entries older than the retention in bounded batches. */
    sweep,

    start(): void {
      sweeper = setInterval(() => {
        sweep().catch((error: unknown) => log.warn({ err: error }, 'activity retention sweep failed'));
      }, sweepIntervalMs).unref();
    },

    async close(): Promise<void> {
      clearInterval(sweeper);
      await this.flush();
      await batcher.close();
    },
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;
