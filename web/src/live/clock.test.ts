import { describe, expect, it } from 'vitest';
import { clockOffset, formatDuration, secondsUntil } from './clock';

describe('clock offset', () => {
  it('is the server clock minus ours when the message arrives at once', () => {
    expect(clockOffset(1_000_500, 1_000_000)).toBe(500);
    expect(clockOffset(999_000, 1_000_000)).toBe(-1000);
  });

  it('takes the middle of the round trip', () => {
    // Sent at 1000, received at 1200 (our clock); the server read 5100 at about our 1100.
    expect(clockOffset(5100, 1200, 1000)).toBe(4000);
  });

  it('makes a skewed clock agree with the server', () => {
    const serverNow = Date.UTC(2026, 0, 1, 12, 0, 0);
    const ourNow = serverNow - 90_000; // our clock is 90 s behind
    const offset = clockOffset(serverNow, ourNow);
    const deadline = new Date(serverNow + 30_000).toISOString();
    expect(secondsUntil(deadline, ourNow + offset)).toBe(30);
  });
});

describe('countdowns', () => {
  it('count whole seconds, rounding up, never below zero', () => {
    expect(secondsUntil(10_001, 0)).toBe(11);
    expect(secondsUntil(10_000, 0)).toBe(10);
    expect(secondsUntil(5, 10)).toBe(0);
  });

  it('format as m:ss or h:mm:ss', () => {
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(0)).toBe('0:00');
  });
});
