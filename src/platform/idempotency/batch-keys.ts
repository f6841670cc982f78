// Idempotency-Keys inside a batch's transaction: one multi-row SELECT before the effect says
// which keys were answered already, one multi-row INSERT after it records the fresh keys with
// their answers. Both commit with the effect or not at all, so a crash between the commit and
// the response still leaves the answer to replay.
import { AppError } from '../../errors.js';
import type { Tx } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { and, inArray, not, sql } from 'drizzle-orm';
import type { IdempotencyTicket, KeyVerdict, StoredAnswer } from './port.js';
import { keyIsDead } from './store.js';

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

  // Scopes hold a user's or an address's keys, so the pair filter is the primary key's own order.
  const found = await tx
    .select()
    .from(idempotencyKeys)
    .where(
      and(
        inArray(idempotencyKeys.scope, [...new Set(keyed.map((ticket) => ticket.scope))]),
        inArray(idempotencyKeys.key, [...new Set(keyed.map((ticket) => ticket.key))]),
        // A dead record (expired, or abandoned by a crashed request) leaves the key free.
        not(keyIsDead),
      ),
    );
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
        const ticket = tickets[index]!;
        const answer = answers[index];
        if (!answer) return [];
        return [
          {
            scope: ticket.scope,
            key: ticket.key,
            requestHash: ticket.requestHash,
            responseStatus: answer.status,
            responseBody: answer.body,
            responseContentType: answer.contentType,
            expiresAt: sql`now() + make_interval(secs => ${ticket.ttlSeconds})`,
          },
        ];
      });
      if (values.length === 0) return;
      const recorded = await tx
        .insert(idempotencyKeys)
        .values(values)
        .onConflictDoUpdate({
          target: [idempotencyKeys.scope, idempotencyKeys.key],
          set: {
            requestHash: sql`excluded.request_hash`,
            responseStatus: sql`excluded.response_status`,
            responseBody: sql`excluded.response_body`,
            responseContentType: sql`excluded.response_content_type`,
            createdAt: sql`now()`,
            expiresAt: sql`excluded.expires_at`,
          },
          setWhere: keyIsDead,
        })
        .returning({ key: idempotencyKeys.key });
      if (recorded.length !== values.length) throw new KeyTakenMeanwhile();
    },
  };
}
