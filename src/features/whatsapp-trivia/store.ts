// Which account a WhatsApp number plays as, and which game its answers go to.
import { eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { whatsappPlayers } from '../../platform/db/schema.js';

export function createWhatsAppPlayersStore(db: Db) {
  return {
    async find(waId: string): Promise<{ userId: string; gameId: string | null } | undefined> {
      const [row] = await db
        .select({ userId: whatsappPlayers.userId, gameId: whatsappPlayers.gameId })
        .from(whatsappPlayers)
        .where(eq(whatsappPlayers.waId, waId));
      return row;
    },

    /** Links the number to `userId` unless another job linked it first; the account that won is returned. */
    async link(waId: string, userId: string): Promise<string> {
      await db.insert(whatsappPlayers).values({ waId, userId }).onConflictDoNothing({ target: whatsappPlayers.waId });
      return (await this.find(waId))!.userId;
    },

    async setGame(waId: string, gameId: string): Promise<void> {
      await db.update(whatsappPlayers).set({ gameId, updatedAt: new Date() }).where(eq(whatsappPlayers.waId, waId));
    },
  };
}

export type WhatsAppPlayersStore = ReturnType<typeof createWhatsAppPlayersStore>;
