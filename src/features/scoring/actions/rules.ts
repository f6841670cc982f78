// The eligibility rules of an action type, as pure functions of the facts the batch gathered,
// so that every 422 is decided in one place and unit-testable without a database.
import { AppError } from '../../../errors.js';
import type { ActionRules } from '../../../domain/scoring.js';
import { eventBoard, eventOfBoard, GLOBAL_BOARD } from '../keys.js';

export interface ActionTypeView {
  id: string;
  key: string;
  name: string;
  baseScore: number;
  active: boolean;
  rules: ActionRules;
  createdAt: string;
  updatedAt: string;
}

/** What the database says about one user's past actions of one type. */
export interface UsageFacts {
  lastAt: Date | null;
  total: number;
  today: number;
}

const DAY_MS = 86_400_000;

/** The boards an action type feeds: its own list, or `global` plus its event's board. */
export function boardsOf(rules: ActionRules): string[] {
  if (rules.boards) return rules.boards;
  return rules.eventId ? [GLOBAL_BOARD, eventBoard(rules.eventId)] : [GLOBAL_BOARD];
}

/** The events an action type scores on: its own, and the event of every event board it feeds. Each needs the player as an entrant. */
export function eventsOf(rules: ActionRules): string[] {
  const events = new Set<string>(rules.eventId ? [rules.eventId.toLowerCase()] : []);
  for (const board of boardsOf(rules)) {
    const eventId = eventOfBoard(board);
    if (eventId) events.add(eventId);
  }
  return [...events];
}

export function scoreOf(type: Pick<ActionTypeView, 'baseScore' | 'rules'>): number {
  return Math.round(type.baseScore * (type.rules.multiplier ?? 1));
}

/** The UTC instant the user's local day began, for maxPerDay. */
export function dayStart(now: Date, utcOffsetMinutes: number): Date {
  const offsetMs = utcOffsetMinutes * 60_000;
  return new Date(Math.floor((now.getTime() + offsetMs) / DAY_MS) * DAY_MS - offsetMs);
}

/** The rules that need the user's history (and a per-user lock while it is read and extended). */
export function needsUsage(rules: ActionRules): boolean {
  return rules.cooldownSeconds !== undefined || rules.maxPerUser !== undefined || rules.maxPerDay !== undefined;
}

/** Active flag and window; the cheapest check, done before a request joins a batch. */
export function checkWindow(type: ActionTypeView, now: Date): AppError | undefined {
  if (!type.active) return new AppError('ACTION_INACTIVE', `Action type ${type.key} is not active`);
  const { activeFrom, activeTo } = type.rules;
  if (activeFrom && now < new Date(activeFrom)) {
    return new AppError('ACTION_INACTIVE', `Action type ${type.key} opens at ${activeFrom}`, { activeFrom });
  }
  if (activeTo && now >= new Date(activeTo)) {
    return new AppError('ACTION_INACTIVE', `Action type ${type.key} closed at ${activeTo}`, { activeTo });
  }
  return undefined;
}

/** Cooldown first (it tells the client when to come back), then the lifetime and daily limits. */
export function checkUsage(rules: ActionRules, usage: UsageFacts, now: Date): AppError | undefined {
  if (rules.cooldownSeconds !== undefined && usage.lastAt) {
    const readyAt = usage.lastAt.getTime() + rules.cooldownSeconds * 1000;
    if (now.getTime() < readyAt) {
      const retryAfter = Math.max(1, Math.ceil((readyAt - now.getTime()) / 1000));
      return new AppError(
        'COOLDOWN',
        `This action can be done again in ${retryAfter} s`,
        { retryAfterSeconds: retryAfter, availableAt: new Date(readyAt).toISOString() },
        { 'retry-after': String(retryAfter) },
      );
    }
  }
  if (rules.maxPerUser !== undefined && usage.total >= rules.maxPerUser) {
    return new AppError('LIMIT_REACHED', `At most ${rules.maxPerUser} of these per user`, { limit: 'maxPerUser', max: rules.maxPerUser });
  }
  if (rules.maxPerDay !== undefined && usage.today >= rules.maxPerDay) {
    return new AppError('LIMIT_REACHED', `At most ${rules.maxPerDay} of these per day`, { limit: 'maxPerDay', max: rules.maxPerDay });
  }
  return undefined;
}
