// The events feature's pure rules, in one place: what status the clock gives an event, when
// opening is due, how many spots are free and what a granted spot becomes; and, for creating
// and editing events, how the dates relate and what may still change once people registered.
import { AppError } from '../../errors.js';
import { DEFAULT_EVENT_SETTINGS, type EventMode, type EventSettings } from '../../domain/events.js';
import { commitmentOf, newSeed } from './lottery.js';
import type { EventRow, NewEvent, RegistrationUpdate } from './store.js';

export type EventStatus = 'scheduled' | 'open' | 'closed' | 'drawn';

/**
 * The status at `now`, from the stored state AND the clock, so opensAt and closesAt hold to the
 * millisecond even if no scheduler tick has run the transition yet.
 */
export function eventStatus(event: Pick<EventRow, 'state' | 'opensAt' | 'closesAt'>, now: Date): EventStatus {
  if (event.state === 'drawn') return 'drawn';
  if (event.state === 'closed') return 'closed';
  if (event.closesAt && now >= event.closesAt) return 'closed';
  if (event.state === 'open') return 'open';
  return event.opensAt && now < event.opensAt ? 'scheduled' : 'open';
}

/** Before opening, a pre-queue event accepts entries from preQueueOpensAt (or from creation). */
export function preQueueAccepting(event: Pick<EventRow, 'state' | 'opensAt' | 'closesAt' | 'preQueue' | 'preQueueOpensAt'>, now: Date): boolean {
  return event.preQueue && eventStatus(event, now) === 'scheduled' && (!event.preQueueOpensAt || now >= event.preQueueOpensAt);
}

/** Opening is due once opensAt has passed (or at once without one). */
export function openDue(event: { state: string; opensAt: Date | null }, now: Date): boolean {
  return event.state === 'pending' && (!event.opensAt || event.opensAt <= now);
}

export function freeSpots(event: Pick<EventRow, 'capacity' | 'confirmed' | 'held'>): number {
  return Math.max(0, event.capacity - event.confirmed - event.held);
}

/** What a registration becomes when it gets a spot: held until paid, or confirmed when free. */
export function spotGrant(event: Pick<EventRow, 'priceCents' | 'holdSeconds'>, now: Date): RegistrationUpdate & { status: 'held' | 'confirmed' } {
  return event.priceCents > 0
    ? { status: 'held', statusReason: null, holdExpiresAt: new Date(now.getTime() + event.holdSeconds * 1000), paymentStatus: 'pending' }
    : { status: 'confirmed', statusReason: null, holdExpiresAt: null };
}

export interface EventInput {
  slug: string;
  title: string;
  capacity: number;
  mode: EventMode;
  opensAt?: string | null;
  closesAt?: string | null;
  holdSeconds?: number;
  priceCents?: number;
  currency?: string;
  waitlist?: boolean;
  preQueue?: boolean;
  preQueueOpensAt?: string | null;
  priorityGroups?: Record<string, number>;
  settings?: Partial<EventSettings>;
}

export type EventPatch = Partial<Omit<EventInput, 'slug'>>;

/**
 * Whether the event admits this account, by its settings. A guest has no email (a CHECK on
 * users says every other account has one), and no account verifies its email yet, so both
 * settings come down to whether the account is a guest.
 */
export function admissionRefusal(settings: EventSettings, account: { isGuest: boolean }): AppError | undefined {
  if (!account.isGuest) return undefined;
  if (!settings.allowGuests)
    return new AppError('GUESTS_NOT_ALLOWED', 'This event does not accept guest accounts: sign up with an email to register');
  if (settings.requireVerifiedEmail)
    return new AppError('VERIFIED_EMAIL_REQUIRED', 'This event requires an account with a verified email: sign up with an email to register');
  return undefined;
}

type Schedule = Pick<EventRow, 'mode' | 'opensAt' | 'closesAt' | 'preQueue' | 'preQueueOpensAt'>;

const date = (value: string | null | undefined) => (value ? new Date(value) : null);

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${field} ${message}`, { errors: [{ field, message }] });
}

/** The dates must follow each other, and a pre-queue needs an FCFS event with an opening time. */
export function checkSchedule(event: Schedule): void {
  if (event.opensAt && event.closesAt && event.closesAt <= event.opensAt) throw invalid('body.closesAt', 'must be after opensAt');
  if (event.preQueue && event.mode !== 'fcfs') throw invalid('body.preQueue', 'is only for fcfs events (a lottery is already order-free)');
  if (event.preQueue && !event.opensAt) throw invalid('body.preQueue', 'needs opensAt: the pre-queue runs until the opening');
  if (event.preQueueOpensAt && !event.preQueue) throw invalid('body.preQueueOpensAt', 'needs preQueue');
  if (event.preQueueOpensAt && event.opensAt && event.preQueueOpensAt >= event.opensAt)
    throw invalid('body.preQueueOpensAt', 'must be before opensAt');
}

/** Commit-reveal seeds: created whenever the event needs one and has none yet. */
function seeds(event: Pick<EventRow, 'mode' | 'preQueue' | 'lotterySeed' | 'preQueueSeed'>): Partial<NewEvent> {
  const lotterySeed = event.mode === 'lottery' && !event.lotterySeed ? newSeed() : undefined;
  const preQueueSeed = event.preQueue && !event.preQueueSeed ? newSeed() : undefined;
  return {
    ...(lotterySeed ? { lotterySeed, lotteryCommitment: commitmentOf(lotterySeed) } : {}),
    ...(preQueueSeed ? { preQueueSeed, preQueueCommitment: commitmentOf(preQueueSeed) } : {}),
  };
}

export function newEventValues(input: EventInput, createdBy: string): NewEvent {
  const values = {
    slug: input.slug,
    title: input.title,
    capacity: input.capacity,
    mode: input.mode,
    opensAt: date(input.opensAt),
    closesAt: date(input.closesAt),
    holdSeconds: input.holdSeconds ?? 600,
    priceCents: input.priceCents ?? 0,
    currency: (input.currency ?? 'EUR').toUpperCase(),
    waitlist: input.waitlist ?? true,
    preQueue: input.preQueue ?? false,
    preQueueOpensAt: date(input.preQueueOpensAt),
    priorityGroups: input.priorityGroups ?? {},
    settings: { ...DEFAULT_EVENT_SETTINGS, ...input.settings },
    createdBy,
  };
  checkSchedule(values);
  return { ...values, ...seeds({ ...values, lotterySeed: null, preQueueSeed: null }) };
}

/** The settings of an event as JSON for the audit log. */
export function settingsOf(event: Partial<EventRow>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event)
      .filter(([key]) => !['lotterySeed', 'preQueueSeed', 'createdAt', 'updatedAt'].includes(key))
      .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]),
  );
}

/**
 * The fields a patch changes, after checking each may still change: the schedule only before
 * opening, price and mode only before the first registration, nothing but the title and the
 * capacity once a lottery is drawn.
 */
export function patchFields(event: EventRow, status: EventStatus, patch: EventPatch): Partial<EventRow> {
  const next: Partial<EventRow> = {};
  const set = <K extends keyof EventRow>(key: K, value: EventRow[K] | undefined) => {
    if (value === undefined) return;
    const current = event[key];
    const same =
      current instanceof Date && value instanceof Date ? current.getTime() === value.getTime() : JSON.stringify(current) === JSON.stringify(value);
    if (!same) next[key] = value;
  };
  set('title', patch.title);
  set('capacity', patch.capacity);
  set('mode', patch.mode);
  set('opensAt', patch.opensAt === undefined ? undefined : date(patch.opensAt));
  set('closesAt', patch.closesAt === undefined ? undefined : date(patch.closesAt));
  set('holdSeconds', patch.holdSeconds);
  set('priceCents', patch.priceCents);
  set('currency', patch.currency?.toUpperCase());
  set('waitlist', patch.waitlist);
  set('settings', patch.settings && { ...event.settings, ...patch.settings });
  set('preQueue', patch.preQueue);
  set('preQueueOpensAt', patch.preQueueOpensAt === undefined ? undefined : date(patch.preQueueOpensAt));
  set('priorityGroups', patch.priorityGroups);

  const changing = (keys: Array<keyof EventRow>) => keys.filter((key) => key in next);
  const afterRegistrations = changing(['mode', 'priceCents', 'currency']);
  if (event.arrivals > 0 && afterRegistrations.length > 0) {
    throw new AppError('INVALID_STATE', `${afterRegistrations.join(', ')} cannot change once people have registered`);
  }
  const beforeOpening = changing(['opensAt', 'preQueue', 'preQueueOpensAt']);
  if (status !== 'scheduled' && beforeOpening.length > 0) {
    throw new AppError('INVALID_STATE', `${beforeOpening.join(', ')} can only change before the event opens`);
  }
  const afterDraw = Object.keys(next).filter((key) => key !== 'title' && key !== 'capacity');
  if (event.state === 'drawn' && afterDraw.length > 0) throw new AppError('INVALID_STATE', `${afterDraw.join(', ')} cannot change after the draw`);
  if (next.capacity !== undefined && next.capacity < event.confirmed + event.held) {
    throw new AppError('CAPACITY_BELOW_TAKEN', `${event.confirmed + event.held} spots are confirmed or held`, {
      taken: event.confirmed + event.held,
    });
  }
  const merged = { ...event, ...next };
  checkSchedule(merged);
  return { ...next, ...seeds(merged) };
}
