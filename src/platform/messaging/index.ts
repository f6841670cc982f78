// Builds the Messenger from the config: the WhatsApp and SMTP adapters, the pacer (Redis when
// there is one, so every instance shares one send rate) and the WhatsApp send queue.
import type { Logger } from 'pino';
import type { MessagingConfig } from '../../config.js';
import type { Db } from '../db/client.js';
import type { Ports } from '../ports.js';
import { createConversations } from './conversations.js';
import { createMessenger } from './outbox.js';
import { MemoryPacer, RedisPacer } from './pacer.js';
import type { Messenger } from './port.js';
import { smtpAdapter } from './smtp.js';
import { whatsAppAdapter } from './whatsapp.js';

export function openMessenger(ports: Ports, db: Db, config: MessagingConfig, keyPrefix: string, log: Logger): Messenger {
  const cap = config.whatsapp.maxMps;
  return createMessenger({
    whatsappQueue: ports.openQueue('whatsapp-send', config.whatsapp.sendConcurrency),
    jobs: ports.jobs,
    pacer: ports.redis ? new RedisPacer(ports.redis, `${keyPrefix}whatsapp:pacer:`, cap) : new MemoryPacer(cap),
    whatsapp: whatsAppAdapter(config.whatsapp),
    email: smtpAdapter(config.smtpUrl, config.mailFrom),
    conversations: createConversations(db),
    config,
    log,
  });
}
