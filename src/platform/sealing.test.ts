import { describe, expect, it } from 'vitest';
import { createSealer } from './sealing.js';

describe('sealing', () => {
  const sealer = createSealer('a-server-secret-that-is-long-enough', 'lottery seeds');

  it('round-trips, never stores the plain text, and differs every time', () => {
    const sealed = sealer.seal('f00dfacecafe');
    expect(sealed).toMatch(/^sealed:v1:/);
    expect(sealed).not.toContain('f00dfacecafe');
    expect(sealer.seal('f00dfacecafe')).not.toBe(sealed);
    expect(sealer.open(sealed)).toBe('f00dfacecafe');
  });

  it('reads a value stored before sealing as it is', () => {
    expect(sealer.open('f00dfacecafe')).toBe('f00dfacecafe');
  });

  it('cannot be opened with another secret or purpose, nor after tampering', () => {
    const sealed = sealer.seal('f00dfacecafe');
    expect(() => createSealer('another-server-secret-long-enough', 'lottery seeds').open(sealed)).toThrow();
    expect(() => createSealer('a-server-secret-that-is-long-enough', 'other').open(sealed)).toThrow();
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => sealer.open(tampered)).toThrow();
  });
});
