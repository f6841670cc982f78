// The embedded database's thread keeps PGlite's semantics across the thread hop: errors keep
// their SQLSTATE, a transaction holds the database until it ends, a failed COMMIT fails the
// transaction, and a stopped thread fails queries instead of leaving them waiting.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migratedPglite } from '../../../test/harness/templates.js';
import { pgErrorInfo } from './errors.js';
import { startPgliteThread, type PgliteThread } from './pglite-thread.js';

// The harness's migrated data dir: unpacking it is faster than initialising a new database.
const start = () => startPgliteThread('memory://', migratedPglite(inject('pgliteTemplateFile')));

describe('PGlite on its own thread', () => {
  let thread: PgliteThread;
  beforeAll(async () => {
    thread = await start();
    await thread.client.query('create table items (id int primary key, name text unique deferrable initially deferred)');
  });
  afterAll(() => thread.close());

  const count = async () => (await thread.client.query<{ n: number }>('select count(*)::int as n from items')).rows[0]!.n;

  it("answers rows and keeps an error's SQLSTATE and constraint", async () => {
    await thread.client.query('insert into items values ($1, $2)', [1, 'one']);
    const duplicate = await thread.client.query('insert into items values ($1, $2)', [1, 'uno']).catch((error: unknown) => error);
    expect(pgErrorInfo(duplicate)).toEqual({ code: '23505', constraint: 'items_pkey' });
    expect(await thread.client.query('select id, name from items', [], { rowMode: 'array' })).toMatchObject({ rows: [[1, 'one']] });
  });

  it('holds the database for an open transaction: a query from outside waits for its commit', async () => {
    const before = await count();
    let outside: Promise<number> | undefined;
    await thread.client.transaction(async (tx) => {
      await tx.query('insert into items values (2, $1)', ['two']);
      outside = count();
      // Another statement of the transaction after the outside query was sent still runs first.
      await tx.query('insert into items values (3, $1)', ['three']);
    });
    expect(await outside).toBe(before + 2);
  });

  it('rolls back a transaction whose work throws, and one whose COMMIT fails', async () => {
    const before = await count();
    const thrown = thread.client.transaction(async (tx) => {
      await tx.query('insert into items values (10, $1)', ['ten']);
      throw new Error('the work failed');
    });
    await expect(thrown).rejects.toThrow('the work failed');
    // The deferred unique constraint is checked only at COMMIT.
    const atCommit = thread.client
      .transaction(async (tx) => {
        await tx.query('insert into items values (11, $1), (12, $1)', ['same']);
      })
      .catch((error: unknown) => error);
    expect(pgErrorInfo(await atCommit)?.code).toBe('23505');
    expect(await count()).toBe(before);
  });

  it('fails queries once the thread has stopped, instead of leaving them waiting', async () => {
    const stopped = await start();
    await stopped.close();
    await expect(stopped.client.query('select 1')).rejects.toThrow(/embedded database's thread stopped/);
  });
});
