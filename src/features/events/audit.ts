// The per-event audit log is a hash chain: each entry's hash covers the previous hash and the
// entry itself, so editing, removing or reordering any entry breaks every hash after it.
// Entries are appended under the event row lock, in the transaction that made the change.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  eventId: string;
  seq: number;
  at: Date;
  actor: string;
  type: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type AuditDraft = Pick<AuditEntry, 'actor' | 'type' | 'data'>;

/** sha256(prevHash + canonical JSON of {eventId, seq, at, actor, type, data}). */
export function auditHash(prevHash: string, entry: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  const body = canonicalJson({
    eventId: entry.eventId,
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor: entry.actor,
    type: entry.type,
    data: entry.data,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/**
 * Chains drafts after the head (seq, hash). Data goes through a JSON round trip first, so what
 * is hashed is exactly what jsonb gives back (no undefined members, no Dates).
 */
export function chainEntries(eventId: string, head: { seq: number; hash: string }, drafts: AuditDraft[], at: Date): AuditEntry[] {
  let { seq, hash } = head;
  return drafts.map((draft) => {
    const data = JSON.parse(JSON.stringify(draft.data)) as Record<string, unknown>;
    const entry = { eventId, seq: ++seq, at, actor: draft.actor, type: draft.type, data };
    const prevHash = hash;
    hash = auditHash(prevHash, entry);
    return { ...entry, prevHash, hash };
  });
}

export type AuditVerdict = { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string };

/** Recomputes the chain from genesis; `head` is the event's recorded head, which must match the last entry. */
export function verifyChain(entries: AuditEntry[], head: { seq: number; hash: string }): AuditVerdict {
  let prevHash = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    const broken = (reason: string): AuditVerdict => ({ ok: false, entries: entries.length, brokenAt: entry.seq, reason });
    if (entry.seq !== index + 1) return broken(`expected seq ${index + 1}, found ${entry.seq}`);
    if (entry.prevHash !== prevHash) return broken('prevHash does not match the previous entry');
    if (auditHash(prevHash, entry) !== entry.hash) return broken('hash does not match the entry');
    prevHash = entry.hash;
  }
  if (head.seq !== entries.length || head.hash !== prevHash) {
    return { ok: false, entries: entries.length, brokenAt: entries.length, reason: 'the log does not end at the recorded head' };
  }
  return { ok: true, entries: entries.length };
}
