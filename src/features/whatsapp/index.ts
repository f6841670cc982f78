// The WhatsApp channel: webhook in, inbound messages to the registered handlers (trivia plugs
// in here), replies out through the messaging port. Inbound work has its own queue and workers.
import type { Logger } from 'pino';
import type { MessagingConfig } from '../../config.js';
import type { Db } from '../../platform/db/client.js';
import type { JobQueue } from '../../platform/jobs/port.js';
import type { Messenger } from '../../platform/messaging/port.js';
import type { Feature } from '../feature.js';
import { whatsappRoutes } from './routes.js';
import { createWhatsAppService, type WhatsAppService } from './service.js';
import { createWhatsAppStore } from './store.js';

export interface WhatsAppFeatureDeps {
  db: Db;
  messenger: Messenger;
  /** A queue of its own for inbound (game) work; the feature closes it. */
  gameQueue: JobQueue;
  config: MessagingConfig;
  bodyLimitBytes: number;
  log: Logger;
}

export function createWhatsAppFeature(deps: WhatsAppFeatureDeps): Feature<WhatsAppService> {
  const service = createWhatsAppService({
    store: createWhatsAppStore(deps.db),
    gameQueue: deps.gameQueue,
    messenger: deps.messenger,
    config: deps.config.whatsapp,
    retry: { attempts: deps.config.retryAttempts, backoffMs: deps.config.retryBackoffMs },
    log: deps.log,
  });
  return { service, routes: whatsappRoutes(service, deps.bodyLimitBytes), close: service.close };
}

// What a game plugging into the channel needs (see docs/whatsapp.md, "Inbound handlers").
export type { WhatsAppService } from './service.js';
export type { InboundHandler, InboundMessage, Reply } from './inbound.js';
export { parseReplyText } from './inbound.js';
export { optionIndex, renderQuestion } from './render.js';
