// The WhatsApp channel's rules: the webhook handshake, the signature gate, and the job that
// turns a delivery into statuses recorded and messages handed, once each, to the handlers.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { WhatsAppConfig } from '../../config.js';
import { AppError } from '../../errors.js';
import type { JobQueue } from '../../platform/jobs/port.js';
import type { Messenger } from '../../platform/messaging/port.js';
import { deliveryStatuses, inboundMessages, type InboundHandler, type InboundMessage, type WebhookPayload } from './inbound.js';
import type { WhatsAppStore } from './store.js';

export const WEBHOOK_JOB = 'whatsapp.webhook';
/** Sent when no handler takes a message, so a player is never left without an answer. */
export const HELP_TEXT = 'Send JOIN followed by the game PIN (for example JOIN 123456) to play.';

export interface WhatsAppServiceDeps {
  store: WhatsAppStore;
  /** The game-work queue (WHATSAPP_GAME_CONCURRENCY workers). */
  gameQueue: JobQueue;
  messenger: Messenger;
  config: Pick<WhatsAppConfig, 'appSecret' | 'verifyToken'>;
  retry: { attempts: number; backoffMs: number };
  log: Logger;
}

export function isValidSignature(rawBody: Buffer, header: string | undefined, appSecret: string | undefined): boolean {
  if (!appSecret || !header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function createWhatsAppService({ store, gameQueue, messenger, config, retry, log }: WhatsAppServiceDeps) {
  const handlers: InboundHandler[] = [];

  async function dispatch(message: InboundMessage, jobId: string): Promise<void> {
    if (!(await store.claim(message.messageId, message.from, jobId))) return;
    await messenger.recordInbound(message.from, message.sentAt);
    // Reply keys make a retried handler's replies sends-once too.
    let replies = 0;
    const reply = async (content: Parameters<Parameters<InboundHandler['handle']>[1]>[0]) => {
      const key = `reply-${createHash('sha256').update(message.messageId).digest('hex').slice(0, 32)}-${replies++}`;
      await messenger.send({ channel: 'whatsapp', to: message.from, content }, { key });
    };
    let handled = false;
    for (const handler of handlers) if ((handled = await handler.handle(message, reply))) break;
    if (!handled) await reply({ kind: 'text', body: HELP_TEXT });
    await store.markProcessed(message.messageId);
  }

  gameQueue.handle(WEBHOOK_JOB, async (data, job) => {
    const payload = data as WebhookPayload;
    await store.recordStatuses(deliveryStatuses(payload));
    // In order within a delivery: a player's JOIN comes before their first answer.
    for (const message of inboundMessages(payload)) await dispatch(message, job.id);
  });

  return {
    /** Called by a feature at construction; see docs/whatsapp.md. */
    registerInboundHandler(handler: InboundHandler): void {
      handlers.push(handler);
    },

    /** The GET handshake: the challenge back when the token matches, else 403. */
    verifySubscription(query: { 'hub.mode'?: string; 'hub.verify_token'?: string; 'hub.challenge'?: string }): string {
      const token = query['hub.verify_token'];
      const expected = config.verifyToken;
      const matches = !!token && !!expected && token.length === expected.length && timingSafeEqual(Buffer.from(token), Buffer.from(expected));
      if (query['hub.mode'] !== 'subscribe' || !matches || query['hub.challenge'] === undefined) {
        throw new AppError('FORBIDDEN', 'The verify token does not match');
      }
      return query['hub.challenge'];
    },

    /** Checks the signature over the exact bytes, then queues the work; the caller answers 200 at once. */
    async receive(rawBody: Buffer, signature: string | undefined): Promise<void> {
      if (!isValidSignature(rawBody, signature, config.appSecret)) throw new AppError('WHATSAPP_SIGNATURE_INVALID');
      let payload: WebhookPayload;
      try {
        payload = JSON.parse(rawBody.toString('utf8')) as WebhookPayload;
      } catch {
        throw new AppError('MALFORMED_BODY', 'The delivery is not JSON');
      }
      // The same bytes delivered twice make one job while the first is still known to the queue.
      const jobId = `wa-${createHash('sha256').update(rawBody).digest('hex')}`;
      await gameQueue.add(WEBHOOK_JOB, payload, { ...retry, jobId });
      log.debug({ jobId }, 'whatsapp delivery queued');
    },

    statusesOf: store.statusesOf,
    close: () => gameQueue.close(),
  };
}

export type WhatsAppService = ReturnType<typeof createWhatsAppService>;
