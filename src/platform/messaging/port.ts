// Messaging port: send a message to a person over a channel (WhatsApp, email). Sends go through
// the job queue (retries with backoff, then the dead-letter set); each channel's vendor sits
// behind a ChannelAdapter, so tests point it at a local stand-in.
import type { JobRecord } from '../jobs/port.js';

export type MessageChannel = 'whatsapp' | 'email';

/** A WhatsApp reply button: at most 3 per message, titles up to 20 characters. */
export interface ReplyButton {
  id: string;
  title: string;
}

/** A row of a WhatsApp list message: at most 10 per message, titles up to 24 characters. */
export interface ListRow {
  id: string;
  title: string;
  description?: string;
}

export type WhatsAppContent =
  | { kind: 'text'; body: string }
  | { kind: 'buttons'; body: string; buttons: ReplyButton[] }
  | { kind: 'list'; body: string; buttonLabel: string; rows: ListRow[] }
  /** Business-initiated: the only kind WhatsApp accepts outside the 24-hour window. */
  | { kind: 'template'; name: string; language: string };

export interface WhatsAppMessage {
  channel: 'whatsapp';
  /** The recipient's WhatsApp id (phone number in international format, digits only). */
  to: string;
  content: WhatsAppContent;
}

export interface EmailMessage {
  channel: 'email';
  to: string;
  subject: string;
  text: string;
  html: string;
}

export type OutboundMessage = WhatsAppMessage | EmailMessage;

export interface SendOptions {
  /** Deduplicates: a second send with the same key while the first is known is a no-op. No ':'. */
  key?: string;
}

export interface Messenger {
  /**
   * Queues the message; resolves with its job id once the queue holds it, or undefined when the
   * channel is not configured (the message is dropped with a warning rather than dead-lettered).
   */
  send(message: OutboundMessage, options?: SendOptions): Promise<string | undefined>;
  /** Notes a message received from this WhatsApp user: it opens the 24-hour service window. */
  recordInbound(waId: string, at: Date): Promise<void>;
  /** Messages that ran out of attempts or were refused for good, newest first. */
  deadLetters(channel: MessageChannel, limit?: number): Promise<JobRecord[]>;
  close(): Promise<void>;
}

/** What a vendor adapter throws: `retryable` for throttling and server faults, not for refusals. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** One vendor behind the port. */
export interface ChannelAdapter<M extends OutboundMessage> {
  /** False when the channel has no credentials (no SMTP_URL, no WhatsApp number): sends are dropped, not queued. */
  readonly configured: boolean;
  /** Resolves with the vendor's id for the message (WhatsApp's wamid, the SMTP Message-ID). */
  deliver(message: M): Promise<string>;
  close?(): Promise<void>;
}
