// Action types (organizer): what an action is worth and who may score it. The list is cached
// for an hour in the platform cache and invalidated on change; the completion hot path reads a
// per-process copy that is at most a second old (changes made on this instance apply at once).
import { AppError } from '../../../errors.js';
import type { Cache } from '../../../platform/cache/port.js';
import type { ActionRules } from '../../../domain/scoring.js';
import { pgErrorInfo, UNIQUE_VIOLATION } from '../../../platform/db/errors.js';
import type { ActionsStore, ActionTypeRow } from './store.js';
import type { Boards, EventsLookup } from '../boards/service.js';
import { ACTION_TYPES_TAG, canonicalBoard, eventBoard } from '../keys.js';
import type { Actor } from '../../../domain/accounts.js';
import type { ActionTypeView } from './rules.js';

const LIST_TTL_SECONDS = 3600;
const LOCAL_COPY_MS = 1_000;

export interface ActionTypeInput {
  key: string;
  name: string;
  baseScore: number;
  active?: boolean;
  rules?: ActionRules;
}

export type ActionTypePatch = Partial<Omit<ActionTypeInput, 'key'>>;

function toView(row: ActionTypeRow): ActionTypeView {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    baseScore: row.baseScore,
    active: row.active,
    rules: row.rules,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

export function createActionTypes(deps: { store: ActionsStore; cache: Cache; boards: Boards; events: EventsLookup }) {
  const { store, cache, boards, events } = deps;
  // A list load that began before a change can finish after its invalidation and store the old
  // list; the change therefore invalidates again once the loads in flight have settled.
  const loading = new Set<Promise<unknown>>();
  const list = cache.define({
    name: 'action-types',
    ttlSeconds: LIST_TTL_SECONDS,
    load: async (_: 'all') => {
      const load = store.listTypes();
      loading.add(load);
      try {
        return (await load).map(toView);
      } finally {
        loading.delete(load);
      }
    },
    tags: () => [ACTION_TYPES_TAG],
  });

  // The hot path's copy, read straight from the store: `generation` keeps a load that raced a
  // change from installing the old list. While types churn faster than a load settles the copy
  // stays empty, and a key the copy lacks is looked up by key (see byKey).
  let local: { at: number; byKey: Map<string, ActionTypeView>; byId: Map<string, ActionTypeView> } | undefined;
  let generation = 0;
  let refreshing: Promise<void> | undefined;
  const refresh = () =>
    (refreshing ??= (async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = generation;
        const types = (await store.listTypes()).map(toView);
        if (started !== generation) continue;
        local = { at: Date.now(), byKey: new Map(types.map((type) => [type.key, type])), byId: new Map(types.map((type) => [type.id, type])) };
        return;
      }
    })().finally(() => (refreshing = undefined)));

  async function localCopy() {
    if (!local || Date.now() - local.at > LOCAL_COPY_MS) await refresh();
    return local;
  }

  /**
   * Checks what the schema cannot: the window's order, the event, that every board exists and
   * takes actions, and that the actor owns what the type would score on. Returns the rules with
   * the event id and board names in their canonical spelling.
   */
  async function validateRules(actor: Actor, rules: ActionRules): Promise<ActionRules> {
    if (rules.activeFrom && rules.activeTo && new Date(rules.activeFrom) >= new Date(rules.activeTo)) {
      throw invalid('rules.activeTo', 'activeTo must be after activeFrom');
    }
    const eventId = rules.eventId?.toLowerCase();
    if (eventId) {
      const organizer = await events.eventOrganizer(eventId);
      if (!organizer) throw invalid('rules.eventId', `No event ${rules.eventId}`);
      if (actor.role !== 'admin' && organizer !== actor.id)
        throw new AppError('FORBIDDEN', `Only the organizer of event ${eventId}, or an admin, may score on it`);
      await boards.ensureBoard(eventBoard(eventId));
    }
    const names = rules.boards?.map(canonicalBoard);
    for (const name of names ?? []) {
      if (!(await boards.find(name))) throw invalid('rules.boards', `No leaderboard ${name}; create it first (POST /api/leaderboards)`);
      const board = await boards.authorize(actor, name, 'feed');
      // `set` replaces a score with a value an organizer chooses; a player's action cannot choose it.
      if (board.operator === 'set') throw invalid('rules.boards', `Board ${name} uses the set operator, which only organizers write`);
    }
    return { ...rules, ...(eventId ? { eventId } : {}), ...(names ? { boards: names } : {}) };
  }

  async function changed(): Promise<void> {
    generation++;
    local = undefined;
    await cache.invalidate(ACTION_TYPES_TAG);
    if (loading.size > 0) {
      await Promise.allSettled([...loading]);
      await cache.invalidate(ACTION_TYPES_TAG);
    }
  }

  return {
    list: () => list.get('all'),

    /** For the completion hot path: the type by key, from a copy at most a second old. */
    async byKey(key: string): Promise<ActionTypeView | undefined> {
      const copied = (await localCopy())?.byKey.get(key);
      if (copied) return copied;
      // A type created a moment ago (maybe on another instance), or a copy that could not settle:
      // one indexed lookup answers it (the key is unique).
      const row = await store.typeByKey(key);
      return row && toView(row);
    },

    /** The same by id, for another feature's completions (a trivia game's feed). */
    async byId(id: string): Promise<ActionTypeView | undefined> {
      const copied = (await localCopy())?.byId.get(id);
      if (copied) return copied;
      const row = await store.typeById(id);
      return row && toView(row);
    },

    async create(actor: Actor, input: ActionTypeInput): Promise<ActionTypeView> {
      const rules = await validateRules(actor, input.rules ?? {});
      let row: ActionTypeRow;
      try {
        row = await store.insertType({
          key: input.key,
          name: input.name,
          baseScore: input.baseScore,
          active: input.active ?? true,
          rules,
          createdBy: actor.id,
        });
      } catch (error) {
        if (pgErrorInfo(error)?.code === UNIQUE_VIOLATION) throw new AppError('ACTION_TYPE_KEY_TAKEN', `Action type ${input.key} already exists`);
        throw error;
      }
      await changed();
      return toView(row);
    },

    /**
     * The type, when the actor may score with it from another feature (a trivia game's feed):
     * its creator or an admin, as for editing it. 404 unknown, 403 someone else's.
     */
    async usableBy(actor: Actor, id: string): Promise<ActionTypeView> {
      const row = await store.typeById(id);
      if (!row) throw new AppError('NOT_FOUND', `No action type ${id}`);
      if (actor.role !== 'admin' && row.createdBy !== actor.id)
        throw new AppError('FORBIDDEN', 'Only the organizer who created this action type, or an admin, may feed it');
      return toView(row);
    },

    /** Its creator's or an admin's; a type older than owners is the admins'. */
    async update(actor: Actor, id: string, patch: ActionTypePatch): Promise<ActionTypeView> {
      const current = await store.typeById(id);
      if (!current) throw new AppError('NOT_FOUND', `No action type ${id}`);
      if (actor.role !== 'admin' && current.createdBy !== actor.id)
        throw new AppError('FORBIDDEN', 'Only the organizer who created this action type, or an admin, may edit it');
      const rules = patch.rules && (await validateRules(actor, patch.rules));
      const row = await store.updateType(id, { ...patch, ...(rules ? { rules } : {}) });
      if (!row) throw new AppError('NOT_FOUND', `No action type ${id}`);
      await changed();
      return toView(row);
    },
  };
}

export type ActionTypes = ReturnType<typeof createActionTypes>;
