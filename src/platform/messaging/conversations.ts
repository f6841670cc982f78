// The 24-hour customer-service window: when each WhatsApp user last wrote to us.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { whatsappContacts } from '../db/schema.js';

export const SERVICE_WINDOW_MS = 24 * 3600 * 1000;

export function createConversations(db: Db) {
  return {
    /** Keeps the latest time: deliveries arrive out of order. */
    async recordInbound(waId: string, at: Date): Promise<void> {
      await db
        .insert(whatsappContacts)
        .values({ waId, lastInboundAt: at })
        .onConflictDoUpdate({
          target: whatsappContacts.waId,
          set: { lastInboundAt: sql`greatest(${whatsappContacts.lastInboundAt}, excluded.last_inbound_at)` },
        });
    },

    async lastInboundAt(waId: string): Promise<Date | undefined> {
      const [row] = await db.select({ at: whatsappContacts.lastInboundAt }).from(whatsappContacts).where(eq(whatsappContacts.waId, waId));
      return row?.at;
    },
  };
}

export type Conversations = ReturnType<typeof createConversations>;
