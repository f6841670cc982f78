import { describe, expect, it } from 'vitest';
import { indexKey, isPeriodKey, isValidTimeZone, nextResetAt, periodOf, zonedInstant, type PeriodSpec } from './periods.js';

const at = (iso: string) => new Date(iso);
const spec = (reset: PeriodSpec['reset'], timeZone = 'UTC', resetHour = 0): PeriodSpec => ({ reset, timeZone, resetHour });

describe('periods', () => {
  it('keys days, ISO weeks and months in the board zone', () => {
    // 23:30 UTC on Sunday 22 Nov 2026 is already Monday 23 Nov in Paris (UTC+1).
    const instant = at('2026-11-22T23:30:00Z');
    expect(periodOf(instant, spec('daily'))).toBe('2026-11-22');
    expect(periodOf(instant, spec('daily', 'Europe/Paris'))).toBe('2026-11-23');
    expect(periodOf(instant, spec('weekly'))).toBe('2026-W47');
    expect(periodOf(instant, spec('weekly', 'Europe/Paris'))).toBe('2026-W48');
    expect(periodOf(instant, spec('monthly', 'Pacific/Kiritimati'))).toBe('2026-11');
    expect(periodOf(at('2026-11-30T12:00:00Z'), spec('monthly', 'Pacific/Kiritimati'))).toBe('2026-12');
    expect(periodOf(instant, spec('never'))).toBe('all');
  });

  it('numbers ISO weeks across year ends', () => {
    expect(periodOf(at('2026-12-31T12:00:00Z'), spec('weekly'))).toBe('2026-W53');
    expect(periodOf(at('2027-01-03T12:00:00Z'), spec('weekly'))).toBe('2026-W53');
    expect(periodOf(at('2027-01-04T12:00:00Z'), spec('weekly'))).toBe('2027-W01');
    expect(periodOf(at('2024-12-30T12:00:00Z'), spec('weekly'))).toBe('2025-W01');
  });

  it('rolls over at the reset hour, and says when', () => {
    const daily = spec('daily', 'America/New_York', 6);
    // 09:00 UTC = 04:00 in New York (UTC-5): before 06:00, still the 21st.
    expect(periodOf(at('2026-11-22T09:00:00Z'), daily)).toBe('2026-11-21');
    expect(nextResetAt(at('2026-11-22T09:00:00Z'), daily)?.toISOString()).toBe('2026-11-22T11:00:00.000Z');
    expect(periodOf(at('2026-11-22T11:00:00Z'), daily)).toBe('2026-11-22');
    expect(nextResetAt(at('2026-11-22T11:00:00Z'), daily)?.toISOString()).toBe('2026-11-23T11:00:00.000Z');
    expect(nextResetAt(at('2026-11-22T12:00:00Z'), spec('weekly', 'Europe/Paris'))?.toISOString()).toBe('2026-11-22T23:00:00.000Z');
    expect(nextResetAt(at('2026-12-15T12:00:00Z'), spec('monthly'))?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(nextResetAt(at('2026-12-15T12:00:00Z'), spec('never'))).toBeNull();
  });

  it('follows daylight saving time', () => {
    // Paris springs forward on 29 Mar 2026 (UTC+1 -> UTC+2): the day is 23 hours long.
    const daily = spec('daily', 'Europe/Paris');
    expect(nextResetAt(at('2026-03-28T12:00:00Z'), daily)?.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(nextResetAt(at('2026-03-29T12:00:00Z'), daily)?.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // 02:00 does not exist that day: the reset happens right after the jump.
    expect(zonedInstant('Europe/Paris', 2026, 3, 29, 2).toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('validates zones and period keys', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isPeriodKey('2026-11-22', 'daily')).toBe(true);
    expect(isPeriodKey('2026-13-01', 'daily')).toBe(false);
    expect(isPeriodKey('2026-W47', 'weekly')).toBe(true);
    expect(isPeriodKey('2026-11', 'weekly')).toBe(false);
    expect(isPeriodKey('all', 'never')).toBe(true);
    expect(indexKey('global', 'all')).toBe('global');
    expect(indexKey('daily', '2026-11-22')).toBe('daily@2026-11-22');
  });
});
