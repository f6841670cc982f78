// The Messenger: every send is a job. WhatsApp sends run on their own queue with their own
// workers, each waiting for a slot and a permit of the global pacer before calling the Graph API; email
// rides the shared job queue. A retryable DeliveryError is thrown back to the queue (attempts
// with doubling backoff); a refusal ends the job at once in the dead-letter (failed) set.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MessagingConfig } from '../../config.js';
import { PermanentJobError, type JobQueue } from '../jobs/port.js';
import type { Conversations } from './conversations.js';
import { SERVICE_WINDOW_MS } from './conversations.js';
import type { Pacer } from './pacer.js';
import { DeliveryError, type ChannelAdapter, type EmailMessage, type Messenger, type WhatsAppMessage } from './port.js';

export const SEND_JOB = { whatsapp: 'message.whatsapp', email: 'message.email' } as const;

export interface MessengerDeps {
  /** The WhatsApp send queue (WHATSAPP_SEND_CONCURRENCY workers), owned and closed here. */
  whatsappQueue: JobQueue;
  /** The shared job queue, for email. */
  jobs: JobQueue;
  pacer: Pacer;
  whatsapp: ChannelAdapter<WhatsAppMessage>;
  email: ChannelAdapter<EmailMessage>;
  conversations: Conversations;
  config: MessagingConfig;
  log: Logger;
  now?: () => Date;
}

const wait = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** A retryable failure goes back to the queue as is; anything else is final. */
function classify(error: unknown): never {
  if (error instanceof DeliveryError && !error.retryable) throw new PermanentJobError(error.message);
  throw error;
}

export function createMessenger(deps: MessengerDeps): Messenger {
  const { whatsappQueue, jobs, pacer, conversations, config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const retry = { attempts: config.retryAttempts, backoffMs: config.retryBackoffMs };

  /** Free-form content only inside the window; outside it, the configured template or nothing. */
  async function withinWindow(message: WhatsAppMessage): Promise<WhatsAppMessage> {
    if (message.content.kind === 'template') return message;
    const last = await conversations.lastInboundAt(message.to);
    if (last && now().getTime() - last.getTime() < SERVICE_WINDOW_MS) return message;
    const template = config.whatsapp.template;
    if (!template) throw new PermanentJobError('outside the 24-hour service window and WHATSAPP_TEMPLATE_NAME is not set');
    return { ...message, content: { kind: 'template', ...template } };
  }

  whatsappQueue.handle(SEND_JOB.whatsapp, async (data) => {
    const message = await withinWindow(data as WhatsAppMessage);
    await wait(await pacer.reserve());
    const permit = randomUUID();
    for (let ms = await pacer.acquire(permit); ms > 0; ms = await pacer.acquire(permit)) await wait(ms);
    try {
      const id = await deps.whatsapp.deliver(message).catch(classify);
      log.debug({ to: message.to, id }, 'whatsapp message sent');
    } finally {
      await pacer.release(permit);
    }
  });

  jobs.handle(SEND_JOB.email, async (data) => {
    const message = data as EmailMessage;
    const id = await deps.email.deliver(message).catch(classify);
    log.debug({ id }, 'email sent');
  });

  const warned = new Set<string>();
  return {
    async send(message, options = {}) {
      if (!deps[message.channel].configured) {
        // Once per channel: an install without mail must not fill its logs, or its dead-letter set.
        if (!warned.has(message.channel)) log.warn({ channel: message.channel }, 'messaging channel not configured; messages to it are dropped');
        warned.add(message.channel);
        return undefined;
      }
      const queue = message.channel === 'whatsapp' ? whatsappQueue : jobs;
      return queue.add(SEND_JOB[message.channel], message, { ...retry, jobId: options.key });
    },
    recordInbound: (waId, at) => conversations.recordInbound(waId, at),
    async deadLetters(channel, limit) {
      const queue = channel === 'whatsapp' ? whatsappQueue : jobs;
      return (await queue.failed(limit)).filter((job) => job.name === SEND_JOB[channel]);
    },
    async close() {
      await whatsappQueue.close();
      await Promise.all([deps.whatsapp.close?.(), deps.email.close?.()]);
    },
  };
}
