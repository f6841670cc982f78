// What a player sent, parsed from a webhook delivery, and the interface a feature implements
// to act on it (trivia registers one: JOIN <pin>, answers). Pure: no I/O here.
import type { WhatsAppContent } from '../../platform/messaging/port.js';

export type InboundReply =
  /** "JOIN 123456" (any case, spaces around the pin allowed). */
  | { kind: 'join'; pin: string }
  /** The id of the interactive reply button or list row the player tapped. */
  | { kind: 'choice'; id: string }
  /** A single letter A–J: the option at `index` (0-based) of the question on screen. */
  | { kind: 'letter'; letter: string; index: number }
  /** Anything else typed: a free-text answer. */
  | { kind: 'text'; text: string };

export interface InboundMessage {
  /** WhatsApp's message id (wamid); each is delivered to handlers once. */
  messageId: string;
  /** The sender's WhatsApp id; also where replies go. */
  from: string;
  profileName?: string;
  sentAt: Date;
  reply: InboundReply;
}

/** Sends a message back to the sender, through the messaging port (queued, paced, retried). */
export type Reply = (content: WhatsAppContent) => Promise<void>;

export interface InboundHandler {
  /**
   * Returns true when this handler took the message; handlers are asked in the order they were
   * registered until one does. Throwing makes the delivery retry later (from the job queue), so
   * a handler must be safe to run again for the same messageId after a failure.
   */
  handle(message: InboundMessage, reply: Reply): Promise<boolean>;
}

const JOIN = /^join\s*(\d{4,8})$/i;
const LETTER = /^[a-j]$/i;

export function parseReplyText(raw: string): InboundReply {
  const text = raw.trim();
  const join = JOIN.exec(text);
  if (join) return { kind: 'join', pin: join[1]! };
  if (LETTER.test(text)) {
    const letter = text.toUpperCase();
    return { kind: 'letter', letter, index: letter.charCodeAt(0) - 65 };
  }
  return { kind: 'text', text };
}

/** The Cloud API's message object, as far as we read it. */
interface GraphMessage {
  id?: string;
  from?: string;
  timestamp?: string;
  type?: string;
  text?: { body?: string };
  interactive?: { type?: string; button_reply?: { id?: string }; list_reply?: { id?: string } };
  button?: { payload?: string; text?: string };
}

export interface WebhookValue {
  contacts?: Array<{ wa_id?: string; profile?: { name?: string } }>;
  messages?: GraphMessage[];
  statuses?: Array<{ id?: string; status?: string; timestamp?: string; recipient_id?: string; errors?: Array<{ code?: number }> }>;
}

export interface WebhookPayload {
  object?: string;
  entry?: Array<{ changes?: Array<{ field?: string; value?: WebhookValue }> }>;
}

function replyOf(message: GraphMessage): InboundReply | undefined {
  if (message.type === 'text' && message.text?.body) return parseReplyText(message.text.body);
  const id = message.interactive?.button_reply?.id ?? message.interactive?.list_reply?.id;
  if (message.type === 'interactive' && id) return { kind: 'choice', id };
  // A quick-reply button of a template message.
  if (message.type === 'button' && message.button?.payload) return { kind: 'choice', id: message.button.payload };
  return undefined;
}

/** The messages of a delivery that a player could mean as input; media, reactions and the like are skipped. */
export function inboundMessages(payload: WebhookPayload): InboundMessage[] {
  const result: InboundMessage[] = [];
  for (const change of payload.entry?.flatMap((entry) => entry.changes ?? []) ?? []) {
    const names = new Map(change.value?.contacts?.map((contact) => [contact.wa_id, contact.profile?.name]));
    for (const message of change.value?.messages ?? []) {
      const reply = replyOf(message);
      if (!reply || !message.id || !message.from) continue;
      result.push({
        messageId: message.id,
        from: message.from,
        profileName: names.get(message.from) ?? undefined,
        sentAt: new Date(Number(message.timestamp ?? 0) * 1000),
        reply,
      });
    }
  }
  return result;
}

export interface DeliveryStatus {
  messageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  recipient: string;
  errorCode: number | null;
  occurredAt: Date;
}

const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

export function deliveryStatuses(payload: WebhookPayload): DeliveryStatus[] {
  return (payload.entry ?? [])
    .flatMap((entry) => entry.changes ?? [])
    .flatMap((change) => change.value?.statuses ?? [])
    .filter((status) => status.id && status.recipient_id && STATUSES.has(status.status ?? ''))
    .map((status) => ({
      messageId: status.id!,
      status: status.status as DeliveryStatus['status'],
      recipient: status.recipient_id!,
      errorCode: status.errors?.[0]?.code ?? null,
      occurredAt: new Date(Number(status.timestamp ?? 0) * 1000),
    }));
}
