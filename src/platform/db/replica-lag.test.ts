import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLagTracker, parseLsn } from './replica-lag.js';

describe('replica lag', () => {
  it('reads WAL positions as ordered numbers', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(() => parseLsn('nonsense')).toThrow('not a WAL position');
  });

  it('stays 0 on an idle primary, however long nothing happens', () => {
    const tracker = createLagTracker();
    tracker.primaryAt(100n, 0);
    expect(tracker.replayedAt(100n, 10)).toBe(0);
    tracker.primaryAt(100n, 3_600_000);
    expect(tracker.replayedAt(100n, 3_600_010)).toBe(0);
  });

  it('is the age of the oldest change the replica has not replayed', () => {
    const tracker = createLagTracker();
    tracker.primaryAt(100n, 1_000);
    tracker.primaryAt(200n, 2_000);
    tracker.primaryAt(300n, 3_000);
    expect(tracker.replayedAt(50n, 4_000)).toBe(3_000);
    expect(tracker.replayedAt(250n, 5_000)).toBe(2_000);
    expect(tracker.replayedAt(300n, 6_000)).toBe(0);
  });

  it('grows while a cut-off replica stands still and the primary moves on', () => {
    const tracker = createLagTracker();
    for (let second = 1; second <= 1_000; second++) {
      tracker.primaryAt(BigInt(second), second * 1_000);
      expect(tracker.replayedAt(0n, second * 1_000 + 5)).toBe((second - 1) * 1_000 + 5);
    }
  });

  it('matches the oldest unreplayed sample of a full history (property)', () => {
    const step = fc.record({ advance: fc.nat(5), replay: fc.nat(5), elapsed: fc.nat(2_000) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const tracker = createLagTracker();
        const history: Array<{ at: number; lsn: bigint }> = [];
        let now = 0;
        let primary = 0n;
        let replayed = 0n;
        for (const { advance, replay, elapsed } of steps) {
          now += elapsed;
          primary += BigInt(advance);
          history.push({ at: now, lsn: primary });
          tracker.primaryAt(primary, now);
          // The replica replays towards the primary, never past it.
          replayed = replayed + BigInt(replay) > primary ? primary : replayed + BigInt(replay);
          const missing = history.filter((sample) => sample.lsn > replayed);
          const expected = missing.length === 0 ? 0 : now - Math.min(...missing.map((sample) => sample.at));
          expect(tracker.replayedAt(replayed, now)).toBe(expected);
        }
      }),
    );
  });
});
