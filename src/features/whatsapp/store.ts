// The SQL of the WhatsApp channel: inbound deduplication and delivery statuses.
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { whatsappInbound, whatsappStatuses } from '../../platform/db/schema.js';
import type { DeliveryStatus } from './inbound.js';

export function createWhatsAppStore(db: Db) {
  return {
    /**
     * True when this message still needs handling: first seen now, or seen before by an attempt
     * that failed before finishing. The primary key makes "first seen" one winner across instances.
     */
    async claim(messageId: string, waId: string): Promise<boolean> {
      await db.insert(whatsappInbound).values({ messageId, waId }).onConflictDoNothing();
      const [row] = await db
        .select({ processedAt: whatsappInbound.processedAt })
        .from(whatsappInbound)
        .where(eq(whatsappInbound.messageId, messageId));
      return row?.processedAt === null;
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
