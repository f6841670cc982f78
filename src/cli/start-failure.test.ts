import { describe, expect, it } from 'vitest';
import { explainStartFailure } from './start-failure.js';

const postgres = { port: 3000, host: '0.0.0.0', databaseUrl: 'postgres://app:secret@db.internal:5432/stampede', dataDir: '/var/lib/stampede' };
const embedded = { ...postgres, databaseUrl: undefined };

/** As Drizzle and the breaker wrap what the driver threw. */
const wrapped = (inner: object) => new Error('Failed query: select 1', { cause: Object.assign(new Error('wrapper'), { cause: inner }) });

describe('explainStartFailure', () => {
  it('names the database without its password, and the variable to check', () => {
    const line = explainStartFailure(wrapped(Object.assign(new Error('getaddrinfo ENOTFOUND db.internal'), { code: 'ENOTFOUND' })), postgres);
    expect(line).toBe(
      'stampede: could not start: cannot reach PostgreSQL at db.internal:5432/stampede (getaddrinfo ENOTFOUND db.internal). Check DATABASE_URL and that the server is running.',
    );
  });

  it('tells a refused login and a missing database apart', () => {
    const login = explainStartFailure(
      wrapped(Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' })),
      postgres,
    );
    expect(login).toMatch(/refused the login .*Check the user and password in DATABASE_URL\.$/);
    const missing = explainStartFailure(wrapped(Object.assign(new Error('database "stampede" does not exist'), { code: '3D000' })), postgres);
    expect(missing).toMatch(/has no such database .*Create it, or fix the name in DATABASE_URL\.$/);
  });

  it('points at the data dir for a file system error, and at the address for a listen error', () => {
    const denied = Object.assign(new Error("EACCES: permission denied, mkdir '/var/lib/stampede'"), {
      code: 'EACCES',
      syscall: 'mkdir',
      path: '/var/lib/stampede',
    });
    expect(explainStartFailure(denied, embedded)).toMatch(/^stampede: could not start: cannot use \/var\/lib\/stampede .*STAMPEDE_DATA_DIR/);
    const privileged = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES', syscall: 'listen' });
    expect(explainStartFailure(privileged, { ...embedded, port: 80 })).toMatch(/cannot listen on 0\.0\.0\.0:80 .*Set PORT or HOST/);
  });

  it('falls back to the innermost message on one line', () => {
    expect(explainStartFailure(wrapped(new Error('something\nunexpected')), embedded)).toBe(
      'stampede: could not start: something unexpected. Run with LOG_LEVEL=debug for the details.',
    );
  });
});
