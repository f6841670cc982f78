// The SQL of the WhatsApp channel: inbound deduplication and delivery statuses.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { whatsappInbound, whatsappStatuses } from '../../platform/db/schema.js';
import type { DeliveryStatus } from './inbound.js';

/** A claim older than this belongs to a job that died; another may take the message over. */
const CLAIM_LEASE_SECONDS = 120;

export function createWhatsAppStore(db: Db) {
  return {
    /**
     * True when this job should handle the message: first seen now; or not processed yet and
     * claimed by this same job (its retry) or by one whose claim went stale (it died). Another
     * job carrying the same message meanwhile gets false, so handlers see a message once.
     */
    async claim(messageId: string, waId: string, jobId: string): Promise<boolean> {
      const inbound = whatsappInbound;
      const rows = await db
        .insert(inbound)
        .values({ messageId, waId, claimedBy: jobId })
        .onConflictDoUpdate({
          target: inbound.messageId,
          set: { claimedBy: sql`excluded.claimed_by`, claimedAt: sql`now()` },
          setWhere: sql`${inbound.processedAt} is null and (${inbound.claimedBy} = excluded.claimed_by or ${inbound.claimedAt} < now() - make_interval(secs => ${CLAIM_LEASE_SECONDS}))`,
        })
        .returning({ messageId: inbound.messageId });
      return rows.length > 0;
    },

    async markProcessed(messageId: string): Promise<void> {
      await db
        .update(whatsappInbound)
        .set({ processedAt: new Date() })
        .where(and(eq(whatsappInbound.messageId, messageId), isNull(whatsappInbound.processedAt)));
    },

    async recordStatuses(statuses: DeliveryStatus[]): Promise<void> {
      if (statuses.length > 0) await db.insert(whatsappStatuses).values(statuses).onConflictDoNothing();
    },

    async statusesOf(messageId: string): Promise<DeliveryStatus[]> {
      return db.select().from(whatsappStatuses).where(eq(whatsappStatuses.messageId, messageId)).orderBy(asc(whatsappStatuses.occurredAt));
    },
  };
}

export type WhatsAppStore = ReturnType<typeof createWhatsAppStore>;
