// Trivia over WhatsApp: each phone number plays as one guest account, and the game it joined
// last is the one its answers go to.
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { games } from './trivia.js';

export const whatsappPlayers = pgTable('whatsapp_players', {
  waId: text('wa_id').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .unique()
    .references(() => users.id, { onDelete: 'cascade' }),
  gameId: uuid('game_id').references(() => games.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
