// WhatsApp Cloud API adapter: one POST per message to <graph>/<phone-number-id>/messages.
// Throttling (HTTP 429, Graph error 130429 and the per-pair 131056) and server faults are
// retryable; any other refusal is final.
import type { WhatsAppConfig } from '../../config.js';
import { DeliveryError, type ChannelAdapter, type WhatsAppContent, type WhatsAppMessage } from './port.js';

const RETRYABLE_GRAPH_CODES = new Set([130429, 131056, 131000]);
const REQUEST_TIMEOUT_MS = 10_000;

/** The Graph API body for one message. */
export function graphPayload(to: string, content: WhatsAppContent): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  switch (content.kind) {
    case 'text':
      return { ...base, type: 'text', text: { body: content.body } };
    case 'buttons':
      return {
        ...base,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: content.body },
          action: { buttons: content.buttons.map((reply) => ({ type: 'reply', reply })) },
        },
      };
    case 'list':
      return {
        ...base,
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: content.body },
          action: { button: content.buttonLabel, sections: [{ title: 'Options', rows: content.rows }] },
        },
      };
    case 'template':
      return { ...base, type: 'template', template: { name: content.name, language: { code: content.language } } };
  }
}

export function whatsAppAdapter(config: Pick<WhatsAppConfig, 'graphUrl' | 'phoneNumberId' | 'accessToken'>): ChannelAdapter<WhatsAppMessage> {
  return {
    configured: !!config.phoneNumberId && !!config.accessToken,
    async deliver({ to, content }) {
      if (!config.phoneNumberId || !config.accessToken) {
        throw new DeliveryError('WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_ACCESS_TOKEN are not set', false);
      }
      let response: Response;
      try {
        response = await fetch(`${config.graphUrl}/${config.phoneNumberId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(graphPayload(to, content)),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        throw new DeliveryError(`graph api unreachable: ${(error as Error).message}`, true);
      }
      const body = (await response.json().catch(() => ({}))) as { messages?: Array<{ id: string }>; error?: { code?: number; message?: string } };
      if (response.ok && body.messages?.[0]?.id) return body.messages[0].id;
      const code = body.error?.code;
      const retryable = response.status === 429 || response.status >= 500 || (code !== undefined && RETRYABLE_GRAPH_CODES.has(code));
      throw new DeliveryError(`graph api ${response.status}${code ? ` error ${code}` : ''}: ${body.error?.message ?? 'no message id'}`, retryable);
    },
  };
}
