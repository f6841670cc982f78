// Period keys for boards that reset: which period an instant falls in, and when the next one
// starts, in the board's IANA time zone. Pure; zone math through Intl, so DST is the
// platform's tz database's business, not ours.
import type { BoardReset } from '../../../domain/scoring.js';

export const ALL_TIME = 'all';

export interface PeriodSpec {
  reset: BoardReset;
  timeZone: string;
  /** Local hour at which the period rolls over. */
  resetHour: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** Milliseconds the zone's wall clock is ahead of UTC at `instant`. */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant the zone's wall clock shows this local time. A time skipped by a DST jump maps to
 * just after the jump, which is when a reset "at 02:00" on that day actually happens.
 */
export function zonedInstant(timeZone: string, year: number, month: number, day: number, hour: number): Date {
  const local = Date.UTC(year, month - 1, day, hour);
  const first = local - zoneOffsetMs(new Date(local), timeZone);
  const second = local - zoneOffsetMs(new Date(first), timeZone);
  return new Date(Math.max(first, second));
}

/** A calendar date as days since the epoch and back, for date arithmetic free of zones. */
const toDays = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day) / DAY_MS;
function fromDays(days: number): { year: number; month: number; day: number } {
  const date = new Date(days * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeek(days: number): { year: number; week: number } {
  const weekday = (new Date(days * DAY_MS).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = days - weekday + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  return { year, week: Math.floor((thursday - toDays(year, 1, 1)) / 7) + 1 };
}

/** The local calendar date whose period holds `instant`: before the reset hour it is still yesterday's. */
function periodDay(instant: Date, spec: PeriodSpec): number {
  const wall = wallClock(instant, spec.timeZone);
  const days = toDays(wall.year, wall.month, wall.day);
  return wall.hour < spec.resetHour ? days - 1 : days;
}

/** First local date of the period that holds `days`. */
function periodStartDay(days: number, reset: BoardReset): number {
  if (reset === 'weekly') return days - ((new Date(days * DAY_MS).getUTCDay() + 6) % 7);
  if (reset === 'monthly') {
    const { year, month } = fromDays(days);
    return toDays(year, month, 1);
  }
  return days;
}

function keyOf(days: number, reset: BoardReset): string {
  const { year, month, day } = fromDays(days);
  if (reset === 'daily') return `${year}-${pad(month)}-${pad(day)}`;
  if (reset === 'monthly') return `${year}-${pad(month)}`;
  const week = isoWeek(days);
  return `${week.year}-W${pad(week.week)}`;
}

/** The period key holding `instant`: 'all', or 2026-11-22 / 2026-W47 / 2026-11. */
export function periodOf(instant: Date, spec: PeriodSpec): string {
  if (spec.reset === 'never') return ALL_TIME;
  return keyOf(periodDay(instant, spec), spec.reset);
}

/** When the period holding `instant` ends; null for boards that never reset. */
export function nextResetAt(instant: Date, spec: PeriodSpec): Date | null {
  if (spec.reset === 'never') return null;
  const start = periodStartDay(periodDay(instant, spec), spec.reset);
  let next: number;
  if (spec.reset === 'daily') next = start + 1;
  else if (spec.reset === 'weekly') next = start + 7;
  else {
    const { year, month } = fromDays(start);
    next = month === 12 ? toDays(year + 1, 1, 1) : toDays(year, month + 1, 1);
  }
  const { year, month, day } = fromDays(next);
  return zonedInstant(spec.timeZone, year, month, day, spec.resetHour);
}

const PERIOD_PATTERNS: Record<BoardReset, RegExp> = {
  never: /^all$/,
  daily: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  weekly: /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/,
  monthly: /^\d{4}-(0[1-9]|1[0-2])$/,
};

/** Whether `period` is a well-formed key for boards with this reset. */
export function isPeriodKey(period: string, reset: BoardReset): boolean {
  return PERIOD_PATTERNS[reset].test(period);
}

/** The index key of one board's period: the board alone when it never resets. */
export function indexKey(board: string, period: string): string {
  return period === ALL_TIME ? board : `${board}@${period}`;
}
