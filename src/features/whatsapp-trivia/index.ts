// Trivia played from WhatsApp (async mode): glue between the WhatsApp channel and trivia,
// through their services only. It registers one inbound handler and has no routes of its own.
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/client.js';
import type { AccountsService } from '../accounts/index.js';
import type { Feature } from '../feature.js';
import type { TriviaService } from '../trivia/index.js';
import type { WhatsAppService } from '../whatsapp/index.js';
import { createWhatsAppTrivia } from './play.js';
import { createWhatsAppPlayersStore } from './store.js';

export interface WhatsAppTriviaFeatureDeps {
  db: Db;
  whatsapp: Pick<WhatsAppService, 'registerInboundHandler'>;
  trivia: TriviaService;
  accounts: Pick<AccountsService, 'guest'>;
  log: Logger;
}

export function createWhatsAppTriviaFeature({ db, whatsapp, trivia, accounts, log }: WhatsAppTriviaFeatureDeps): Feature<undefined> {
  whatsapp.registerInboundHandler(createWhatsAppTrivia({ store: createWhatsAppPlayersStore(db), trivia, accounts, log }));
  return { service: undefined, routes: async () => {} };
}
