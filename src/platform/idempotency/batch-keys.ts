// Idempotency-Keys inside a batch's transaction: one multi-row SELECT before the effect says
// which keys were answered already, one multi-row INSERT after it records the fresh keys with
// their answers. Both commit with the effect or not at all, so a crash between the commit and
// the response still leaves the answer to replay.
import { AppError } from '../../errors.js';
import type { Tx } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { sql } from 'drizzle-orm';
import { rows as queryRows } from '../db/rows.js';
import type { IdempotencyTicket, KeyVerdict, StoredAnswer } from './port.js';
import { keyIsDead } from './store.js';

/** The stored record of a key, as far as a batch needs it. */
interface KeyRow {
  scope: string;
  key: string;
  requestHash: string;
  responseStatus: number | null;
  responseBody: string | null;
  responseContentType: string | null;
}

const idOf = (ticket: Pick<IdempotencyTicket, 'scope' | 'key'>) => `${ticket.scope}\n${ticket.key}`;

/** Another transaction recorded one of these keys first: SQLSTATE 40001 makes withTransaction run the batch again, and then it sees the key. */
class KeyTakenMeanwhile extends Error {
  readonly code = '40001';
  constructor() {
    super('an Idempotency-Key of this batch was recorded by a concurrent transaction');
  }
}

export interface BatchKeys {
  /** Per item: what its key decided before the effect (undefined: no key, or a fresh one). */
  verdicts: Array<KeyVerdict | undefined>;
  /** Records every fresh key with its item's answer, in one statement. */
  record(tx: Tx, answers: Array<StoredAnswer | undefined>): Promise<void>;
}

export async function claimKeys(tx: Tx, tickets: Array<IdempotencyTicket | undefined>): Promise<BatchKeys> {
  const keyed = tickets.filter((ticket): ticket is IdempotencyTicket => ticket !== undefined);
  const verdicts: Array<KeyVerdict | undefined> = tickets.map(() => undefined);
  if (keyed.length === 0) return { verdicts, record: async () => {} };

  // Scopes hold a user's or an address's keys, so the filter is the primary key's own order. Each
  // as one array: the statement's text is the same whatever the batch's size. Pairs crossed by
  // the two lists (another user's key of the same name) are left out by the lookup below. A dead
  // record (expired, or abandoned by a crashed request) leaves the key free.
  const found = (
    await queryRows(
      tx,
      sql`select scope, key, request_hash as "requestHash", response_status as "responseStatus",
            response_body as "responseBody", response_content_type as "responseContentType"
          from ${idempotencyKeys}
          where scope = any(${sql.param([...new Set(keyed.map((ticket) => ticket.scope))])}::text[])
            and key = any(${sql.param([...new Set(keyed.map((ticket) => ticket.key))])}::text[]) and not ${keyIsDead}`,
    )
  ).map((row) => row as unknown as KeyRow);
  const rows = new Map(found.map((row) => [idOf(row), row]));
  const leaders = new Map<string, number>();
  tickets.forEach((ticket, index) => {
    if (!ticket) return;
    const row = rows.get(idOf(ticket));
    const leader = leaders.get(idOf(ticket));
    const hash = row?.requestHash ?? (leader === undefined ? undefined : tickets[leader]!.requestHash);
    if (hash !== undefined && hash !== ticket.requestHash) {
      verdicts[index] = {
        kind: 'refused',
        error: new AppError('IDEMPOTENCY_KEY_REUSED', 'This key was first used with a different method, path or body'),
      };
    } else if (leader !== undefined || (row && row.responseStatus === null)) {
      // The same request twice in one batch, or claimed by a request still running elsewhere.
      verdicts[index] = {
        kind: 'refused',
        error: new AppError('IDEMPOTENCY_KEY_IN_FLIGHT', 'Retry once the first request has finished', {}, { 'retry-after': '1' }),
      };
    } else if (row) {
      const answer = { status: row.responseStatus!, body: row.responseBody, contentType: row.responseContentType };
      verdicts[index] = answer.body === null ? { kind: 'effect' } : { kind: 'replay', answer };
    } else {
      leaders.set(idOf(ticket), index);
    }
  });

  return {
    verdicts,
    async record(tx, answers) {
      const values = [...leaders.values()].flatMap((index) => {
        const answer = answers[index];
        return answer ? [{ ticket: tickets[index]!, answer }] : [];
      });
      if (values.length === 0) return;
      const column = <T>(pick: (value: (typeof values)[number]) => T) => sql.param(values.map(pick));
      const recorded = await queryRows(
        tx,
        sql`insert into ${idempotencyKeys} (scope, key, request_hash, response_status, response_body, response_content_type, expires_at)
          select scope, key, request_hash, response_status, response_body, response_content_type, now() + make_interval(secs => ttl)
          from unnest(${column((v) => v.ticket.scope)}::text[], ${column((v) => v.ticket.key)}::text[],
            ${column((v) => v.ticket.requestHash)}::text[], ${column((v) => v.answer.status)}::int[], ${column((v) => v.answer.body)}::text[],
            ${column((v) => v.answer.contentType)}::text[], ${column((v) => v.ticket.ttlSeconds)}::float8[])
            as k(scope, key, request_hash, response_status, response_body, response_content_type, ttl)
          on conflict (scope, key) do update set request_hash = excluded.request_hash, response_status = excluded.response_status,
            response_body = excluded.response_body, response_content_type = excluded.response_content_type,
            created_at = now(), expires_at = excluded.expires_at
          where ${keyIsDead}
          returning key`,
      );
      if (recorded.length !== values.length) throw new KeyTakenMeanwhile();
    },
  };
}
