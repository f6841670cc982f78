// The Drizzle schema: the record of everything Stampede knows, one file per area.
// Invariants live in the tables as constraints (unique indexes, CHECKs), so that no code
// path can break them.
export * from './schema/accounts.js';
export * from './schema/events.js';
export * from './schema/payments.js';
export * from './schema/scoring.js';
export * from './schema/achievements.js';
export * from './schema/polls.js';
export * from './schema/products.js';
export * from './schema/activity.js';
export * from './schema/messaging.js';
export * from './schema/trivia.js';
export * from './schema/whatsapp-trivia.js';
