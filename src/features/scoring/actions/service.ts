// Completing an action, the hot path. Calls are group-committed: each batch is one
// transaction of a few multi-row statements (replays, limits, insert ON CONFLICT DO NOTHING,
// score upserts, progress), then the rank index and pushes after commit, and each caller gets
// its own answer. A replayed identifier answers its original result and scores nothing: the
// unique index on (user, type, identifier) makes that true even across instances.
import type { Logger } from 'pino';
import { AppError } from '../../../errors.js';
import { createBatcher } from '../../../platform/batch.js';
import type { Cache } from '../../../platform/cache/port.js';
import type { Metrics } from '../../../platform/metrics.js';
import type { Db, Tx } from '../../../platform/db/client.js';
import type { StoredActionResult } from '../../../domain/scoring.js';
import { withTransaction } from '../../../platform/db/transaction.js';
import { claimKeys } from '../../../platform/idempotency/batch-keys.js';
import { EFFECT_IS_THE_ANSWER, type IdempotencyTicket, type StoredAnswer } from '../../../platform/idempotency/port.js';
import type { ActionTypes } from './action-types.js';
import type { ActionKey, ActionsStore, StoredAction } from './store.js';
import type { BoardIndex } from '../boards/rank-index.js';
import type { ScoreChange } from '../boards/store.js';
import { changeKey, type Boards } from '../boards/service.js';
import { entrantTag } from '../keys.js';
import { boardsOf, checkUsage, checkWindow, dayStart, eventsOf, needsUsage, scoreOf, type ActionTypeView, type UsageFacts } from './rules.js';

export const MAX_METADATA_BYTES = 4096;

/** The achievements feature's side of a completion: counts and streaks in the batch's transaction, awards after. */
export interface ProgressHooks {
  recordActions(
    tx: Tx,
    actions: Array<{ userId: string; actionTypeId: string; actionTypeKey: string; completedAt: Date; utcOffsetMinutes: number }>,
  ): Promise<void>;
  evaluate(input: { userId: string; scores: Record<string, number>; ranks: Record<string, number> }): Promise<unknown>;
}

export interface RegistrationLookup {
  isConfirmedEntrant(eventId: string, userId: string): Promise<boolean>;
}

export interface CompleteInput {
  actionType: string;
  identifier: string;
  metadata?: Record<string, unknown>;
}

export interface CompletionBody {
  action: { id: string; actionType: string; identifier: string; metadata: Record<string, unknown> | null; scoreEarned: number; createdAt: string };
  scoreEarned: number;
  /** On the type's first board (global unless the type says otherwise). */
  score: number | null;
  rank: number | null;
  previousRank: number | null;
  boards: StoredActionResult['boards'];
}

export interface Completion {
  replayed: boolean;
  body: CompletionBody;
}

/** A refusal stored under the request's Idempotency-Key, to send again. */
export interface KeyReplay {
  replay: StoredAnswer;
}

interface Pending extends ActionKey {
  type: ActionTypeView;
  metadata: Record<string, unknown> | undefined;
  completedAt: Date;
  utcOffsetMinutes: number;
  /** The first event the type scores on whose entrants do not include the user. */
  notEntrantOf: string | undefined;
  /** The request's Idempotency-Key: claimed, and a refusal stored, in the batch's transaction. */
  ticket: IdempotencyTicket | undefined;
  /** What the action is worth when another feature decides it (a trivia answer's points); else the type's score. */
  score: number | undefined;
}

export interface ActionsDeps {
  db: Db;
  store: ActionsStore;
  actionTypes: ActionTypes;
  boards: Boards;
  index: BoardIndex;
  cache: Cache;
  registrations: RegistrationLookup;
  utcOffsetMinutes: (userId: string) => Promise<number>;
  progress: ProgressHooks;
  now: () => Date;
  metrics: Metrics;
  log: Logger;
}

/** Whether a check before the insert could refuse the item (its history is read only then). */
const mayBeRefused = (item: Pending) =>
  item.notEntrantOf !== undefined || needsUsage(item.type.rules) || checkWindow(item.type, item.completedAt) !== undefined;

const keyOf = (key: ActionKey) => `${key.userId}\n${key.actionTypeId}\n${key.identifier}`;

function bodyOf(type: ActionTypeView, action: StoredAction, result: StoredActionResult): CompletionBody {
  const primary = result.boards[0];
  return {
    action: {
      id: action.id,
      actionType: type.key,
      identifier: action.identifier,
      metadata: action.metadata,
      scoreEarned: action.scoreEarned,
      createdAt: action.createdAt.toISOString(),
    },
    scoreEarned: result.scoreEarned,
    score: primary?.score ?? null,
    rank: primary?.rank ?? null,
    previousRank: primary?.previousRank ?? null,
    boards: result.boards,
  };
}

export function createActions(deps: ActionsDeps) {
  const { db, store, boards, index, log } = deps;
  const evaluations = new Set<Promise<unknown>>();

  const entrant = deps.cache.define({
    name: 'confirmed-entrant',
    ttlSeconds: 60,
    load: async ({ eventId, userId }: { eventId: string; userId: string }) => deps.registrations.isConfirmedEntrant(eventId, userId),
    tags: ({ eventId, userId }) => [entrantTag(eventId, userId)],
  });

  /** The periods an action lands in, per board, at its completion time. */
  async function targets(item: Pending): Promise<Array<{ board: string; period: string }>> {
    return Promise.all(
      boardsOf(item.type.rules).map(async (name) => ({ board: name, period: boards.periodFor(await boards.get(name), item.completedAt) })),
    );
  }

  /** Everything inside the batch's one transaction. Re-runnable: a retried transaction starts over. */
  async function commit(tx: Tx, leaders: Pending[]) {
    // A replay answers its original even where the type would refuse it now (window closed,
    // limit reached, no longer an entrant), so only those items are looked up before the checks;
    // the others' replays are the rows the insert below skips.
    const outcomes = new Map<string, StoredAction | AppError>();
    for (const action of await store.findExisting(tx, leaders.filter(mayBeRefused))) outcomes.set(keyOf(action), action);

    const fresh: Pending[] = [];
    for (const item of leaders) {
      if (outcomes.has(keyOf(item))) continue;
      const refused =
        checkWindow(item.type, item.completedAt) ??
        (item.notEntrantOf === undefined
          ? undefined
          : new AppError('NOT_REGISTERED', `Only confirmed entrants of event ${item.notEntrantOf} may do this`));
      if (refused) outcomes.set(keyOf(item), refused);
      else fresh.push(item);
    }

    // Limits: lock each (user, type), read its history once, then count this batch's own items in.
    const limited = fresh.filter((item) => needsUsage(item.type.rules));
    const usageKey = (item: Pending) => `${item.userId}:${item.actionTypeId}`;
    const firstOfPair = new Map<string, Pending>();
    for (const item of limited) if (!firstOfPair.has(usageKey(item))) firstOfPair.set(usageKey(item), item);
    await store.lockUsage(tx, [...firstOfPair.keys()]);
    const pairs = [...firstOfPair.values()];
    const facts = await store.usage(
      tx,
      pairs.map((item) => ({
        userId: item.userId,
        actionTypeId: item.actionTypeId,
        totalCap: item.type.rules.maxPerUser ?? 0,
        dayStart: dayStart(item.completedAt, item.utcOffsetMinutes),
        dayCap: item.type.rules.maxPerDay ?? 0,
      })),
    );
    const usage = new Map<string, UsageFacts>(pairs.map((item, i) => [usageKey(item), { ...facts[i]! }]));
    const accepted: Pending[] = [];
    for (const item of fresh) {
      const history = usage.get(usageKey(item));
      const refused = history && checkUsage(item.type.rules, history, item.completedAt);
      if (refused) {
        outcomes.set(keyOf(item), refused);
        continue;
      }
      if (history) {
        history.lastAt = item.completedAt;
        history.total++;
        history.today++;
      }
      accepted.push(item);
    }

    const inserted = await store.insert(
      tx,
      accepted.map((item) => {
        const scoreEarned = item.score ?? scoreOf(item.type);
        return { ...item, scoreEarned, result: { scoreEarned, boards: [] }, createdAt: item.completedAt };
      }),
    );
    const insertedKeys = new Set(inserted.map(keyOf));
    // Replays, and keys another instance committed meanwhile (ON CONFLICT waited for it, so it is visible now).
    const lost = accepted.filter((item) => !insertedKeys.has(keyOf(item)));
    for (const action of await store.findExisting(tx, lost)) outcomes.set(keyOf(action), action);

    const byKey = new Map(accepted.map((item) => [keyOf(item), item]));
    const entries = inserted.flatMap((action) =>
      boardsOf(byKey.get(keyOf(action))!.type.rules).map((board) => ({
        board,
        userId: action.userId,
        value: action.scoreEarned,
        reachedAt: action.createdAt,
      })),
    );
    const changes = await boards.applyScores(tx, entries);
    await deps.progress.recordActions(
      tx,
      inserted.map((action) => {
        const item = byKey.get(keyOf(action))!;
        return {
          userId: item.userId,
          actionTypeId: item.actionTypeId,
          actionTypeKey: item.type.key,
          completedAt: item.completedAt,
          utcOffsetMinutes: item.utcOffsetMinutes,
        };
      }),
    );
    return { outcomes, inserted, byKey, changes };
  }

  async function run(items: Pending[]): Promise<Array<Completion | KeyReplay | Error>> {
    const leaders = new Map<string, Pending>();
    for (const item of items) if (!leaders.has(keyOf(item))) leaders.set(keyOf(item), item);

    // Ranks before the batch, for previousRank: each (board, period, user) once, however many of
    // the batch's actions land there, and one index read per board period for all of them.
    const reads = new Map<string, { board: string; period: string; userId: string }>();
    for (const [item, places] of await Promise.all([...leaders.values()].map(async (item) => [item, await targets(item)] as const))) {
      for (const { board, period } of places) reads.set(changeKey(board, period, item.userId), { board, period, userId: item.userId });
    }
    const ranked = await index.ranksOf([...reads.values()]);
    const before = new Map([...reads.keys()].map((key, i) => [key, ranked[i]?.rank ?? null]));

    const { outcomes, inserted, byKey, changes, verdicts } = await withTransaction(db, async (tx) => {
      const keys = await claimKeys(
        tx,
        items.map((item) => item.ticket),
      );
      const runs = new Map<string, Pending>();
      items.forEach((item, i) => {
        const verdict = keys.verdicts[i];
        if ((!verdict || verdict.kind === 'effect') && !runs.has(keyOf(item))) runs.set(keyOf(item), item);
      });
      const committed = await commit(tx, [...runs.values()]);
      // A refusal is stored whole; a completion's answer is its action, found again by identifier.
      await keys.record(
        tx,
        items.map((item) => {
          const outcome = committed.outcomes.get(keyOf(item));
          return outcome instanceof AppError ? item.ticket?.render(outcome) : EFFECT_IS_THE_ANSWER;
        }),
      );
      return { ...committed, verdicts: keys.verdicts };
    });
    const ranks = await boards.publish(changes);
    const after = new Map(changes.map((change) => [changeKey(change.board, change.period, change.userId), change]));

    const fresh = new Map<string, CompletionBody>();
    await Promise.all(
      inserted.map(async (action) => {
        const item = byKey.get(keyOf(action))!;
        const result: StoredActionResult = {
          scoreEarned: action.scoreEarned,
          boards: (await targets(item)).map(({ board, period }) => {
            const key = changeKey(board, period, item.userId);
            return { board, period, score: after.get(key)?.score ?? 0, rank: ranks.get(key) ?? null, previousRank: before.get(key) ?? null };
          }),
        };
        action.result = result;
        fresh.set(keyOf(action), bodyOf(item.type, action, result));
      }),
    );
    await store
      .setResults(db, inserted)
      .catch((error: unknown) => log.warn({ err: error }, 'could not store action results (replays will lack ranks)'));
    evaluate(changes, ranks);

    const answers = items.map((item, i): Completion | KeyReplay | Error => {
      const verdict = verdicts[i];
      if (verdict?.kind === 'refused') return verdict.error;
      if (verdict?.kind === 'replay') return { replay: verdict.answer };
      const key = keyOf(item);
      const body = fresh.get(key);
      // A duplicate of a leader inside this batch is a replay of the leader's answer.
      if (body) return { replayed: leaders.get(key) !== item, body };
      const outcome = outcomes.get(key);
      if (outcome instanceof AppError) return outcome;
      if (!outcome) return new AppError('INTERNAL', 'The action was neither recorded nor found');
      return { replayed: true, body: bodyOf(item.type, outcome, outcome.result) };
    });
    for (const answer of answers)
      deps.metrics.actions.inc({ result: answer instanceof Error ? 'refused' : 'replay' in answer || answer.replayed ? 'replayed' : 'recorded' });
    return answers;
  }

  /** Achievements after commit, off the callers' path; tracked so close() can wait for them. */
  function evaluate(changes: ScoreChange[], ranks: Map<string, number | null>): void {
    if (changes.length === 0) return;
    const perUser = new Map<string, { scores: Record<string, number>; ranks: Record<string, number> }>();
    for (const change of changes) {
      let entry = perUser.get(change.userId);
      if (!entry) perUser.set(change.userId, (entry = { scores: {}, ranks: {} }));
      entry.scores[change.board] = change.score;
      const rank = ranks.get(changeKey(change.board, change.period, change.userId));
      if (rank != null) entry.ranks[change.board] = rank;
    }
    for (const [userId, input] of perUser) {
      const running = deps.progress
        .evaluate({ userId, ...input })
        .catch((error: unknown) => log.warn({ err: error, userId }, 'achievement evaluation failed'))
        .finally(() => evaluations.delete(running));
      evaluations.add(running);
    }
  }

  const batcher = createBatcher<Pending, Completion | KeyReplay>({ name: 'actions', run, maxItems: 500, maxWaitMs: 2, gatherAfterBatch: true });

  async function enqueue(
    userId: string,
    type: ActionTypeView,
    input: CompleteInput,
    ticket: IdempotencyTicket | undefined,
    score: number | undefined,
  ): Promise<Completion | KeyReplay> {
    if (input.metadata !== undefined && Buffer.byteLength(JSON.stringify(input.metadata)) > MAX_METADATA_BYTES) {
      throw new AppError('PAYLOAD_TOO_LARGE', `metadata may hold at most ${MAX_METADATA_BYTES} bytes of JSON`);
    }
    const completedAt = deps.now();
    // Usually no event or one; each answer is cached per (event, user).
    const [utcOffsetMinutes, entered] = await Promise.all([
      deps.utcOffsetMinutes(userId),
      Promise.all(eventsOf(type.rules).map(async (eventId) => ({ eventId, entered: (await entrant.get({ eventId, userId })).value }))),
    ]);
    const notEntrantOf = entered.find((each) => !each.entered)?.eventId;
    return batcher.add({
      userId,
      actionTypeId: type.id,
      identifier: input.identifier,
      type,
      metadata: input.metadata,
      completedAt,
      utcOffsetMinutes,
      notEntrantOf,
      ticket,
      score,
    });
  }

  return {
    async complete(userId: string, input: CompleteInput, ticket?: IdempotencyTicket): Promise<Completion | KeyReplay> {
      const type = await deps.actionTypes.byKey(input.actionType);
      if (!type) throw new AppError('NOT_FOUND', `No action type ${input.actionType}`);
      return enqueue(userId, type, input, ticket, undefined);
    },

    /**
     * For another feature that scores its own way (trivia feeding an event or the global board):
     * the action is worth `score`, under the type's rules, once per user, type and identifier.
     */
    async completeScored(
      userId: string,
      actionTypeId: string,
      input: { identifier: string; score: number; metadata?: Record<string, unknown> },
    ): Promise<Completion | KeyReplay> {
      const type = await deps.actionTypes.byId(actionTypeId);
      if (!type) throw new AppError('NOT_FOUND', `No action type ${actionTypeId}`);
      return enqueue(userId, type, { actionType: type.key, ...input }, undefined, input.score);
    },

    /** For the events feature's registration changes: a new or lost confirmation counts at once. */
    forgetEntrant: (eventId: string, userId: string) => deps.cache.invalidate(entrantTag(eventId, userId)),

    async close(): Promise<void> {
      await batcher.close();
      await Promise.all([...evaluations]);
    },
  };
}

export type Actions = ReturnType<typeof createActions>;
