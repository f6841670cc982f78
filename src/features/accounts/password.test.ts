import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_COST, hashPassword, needsRehash, verifyPassword } from './password.js';

describe('password hashing', () => {
  it("hashes at OWASP's minimum by default: scrypt N = 2^17, r = 8, p = 1", async () => {
    expect(DEFAULT_PASSWORD_COST).toBe(17);
    const hash = await hashPassword('correct horse battery');
    expect(hash.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(needsRehash(hash)).toBe(false);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse battery', 14);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
  });

  it('asks for a rehash of a hash made with less work than the configured cost', async () => {
    const old = await hashPassword('pw', 14);
    expect(old.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(needsRehash(old, 17)).toBe(true);
    expect(needsRehash(old, 14)).toBe(false);
    expect(needsRehash('scrypt$131072$4$1$s$k', 17)).toBe(true);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password', 14)).not.toBe(await hashPassword('same password', 14));
  });

  it('rejects malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$salt$key')).toBe(false);
  });
});
