// Streak arithmetic on local calendar days ('YYYY-MM-DD'), pure. A user's day is the UTC day
// shifted by their offset, so 23:30 UTC is already tomorrow in UTC+01:00.

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The calendar day of `instant` for someone at `utcOffsetMinutes` east of UTC. */
export function localDay(instant: Date, utcOffsetMinutes: number): string {
  return new Date(instant.getTime() + utcOffsetMinutes * MINUTE_MS).toISOString().slice(0, 10);
}

function dayStartUtcMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((dayStartUtcMs(to) - dayStartUtcMs(from)) / DAY_MS);
}

export function addDays(day: string, days: number): string {
  return new Date(dayStartUtcMs(day) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC instant at which local `day` begins for someone at `utcOffsetMinutes`. */
export function localMidnight(day: string, utcOffsetMinutes: number): Date {
  return new Date(dayStartUtcMs(day) - utcOffsetMinutes * MINUTE_MS);
}

export interface StoredStreak {
  current: number;
  longest: number;
  lastDay: string;
}

export interface StreakView {
  current: number;
  longest: number;
  lastDay: string | null;
  /** When the streak ends unless an action happens first: the end of the day after lastDay. Null when there is no live streak. */
  breaksAt: string | null;
}

/**
 * The streak as the user sees it now. The stored `current` is as of the last action; once a
 * whole local day has passed without one, the streak is over even though no row changed.
 */
export function viewStreak(stored: StoredStreak | undefined, utcOffsetMinutes: number, now: Date): StreakView {
  if (!stored) return { current: 0, longest: 0, lastDay: null, breaksAt: null };
  const alive = daysBetween(stored.lastDay, localDay(now, utcOffsetMinutes)) <= 1;
  return {
    current: alive ? stored.current : 0,
    longest: stored.longest,
    lastDay: stored.lastDay,
    breaksAt: alive ? localMidnight(addDays(stored.lastDay, 2), utcOffsetMinutes).toISOString() : null,
  };
}

/**
 * Splits (key, day) pairs into layers where each key appears at most once, each key's days in
 * ascending order across layers. One upsert per layer then applies the days in order, since a
 * single INSERT ... ON CONFLICT may not touch the same row twice.
 */
export function dayLayers<T extends { key: string; day: string }>(entries: T[]): T[][] {
  const byKey = new Map<string, T[]>();
  for (const entry of entries) {
    const days = byKey.get(entry.key);
    if (!days) byKey.set(entry.key, [entry]);
    else if (!days.some((seen) => seen.day === entry.day)) days.push(entry);
  }
  const layers: T[][] = [];
  for (const days of byKey.values()) {
    days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    days.forEach((entry, index) => (layers[index] ??= []).push(entry));
  }
  return layers;
}
