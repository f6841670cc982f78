// In-process pub/sub for a single instance. The handler registry here also serves the Redis
// adapter, so both decode, isolate handler failures and unsubscribe the same way.
import type { Logger } from 'pino';
import type { PubSub, Unsubscribe } from './port.js';

type Handler = (message: unknown) => void;

/** Messages travel as JSON on Redis, so the memory adapter encodes them too: same shapes on both. */
export function encodeMessage(message: unknown): string {
  return JSON.stringify(message ?? null);
}

export class HandlerRegistry {
  private readonly handlers = new Map<string, Set<Handler>>();

  constructor(private readonly log: Logger) {}

  channels(): string[] {
    return [...this.handlers.keys()];
  }

  /** Returns true when this is the channel's first handler. */
  add(channel: string, handler: Handler): boolean {
    const existing = this.handlers.get(channel);
    if (existing) {
      existing.add(handler);
      return false;
    }
    this.handlers.set(channel, new Set([handler]));
    return true;
  }

  /** Returns true when the channel has no handlers left. */
  remove(channel: string, handler: Handler): boolean {
    const existing = this.handlers.get(channel);
    if (!existing?.delete(handler) || existing.size > 0) return false;
    this.handlers.delete(channel);
    return true;
  }

  /** A bad payload or a throwing handler is logged; it must not take the process or other handlers down. */
  deliver(channel: string, payload: string): void {
    const handlers = this.handlers.get(channel);
    if (!handlers) return;
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch (error) {
      this.log.warn({ err: error, channel }, 'dropped a pub/sub message that is not JSON');
      return;
    }
    for (const handler of [...handlers]) {
      try {
        handler(message);
      } catch (error) {
        this.log.error({ err: error, channel }, 'pub/sub handler threw');
      }
    }
  }

  clear(): void {
    this.handlers.clear();
  }
}

export class MemoryPubSub implements PubSub {
  private readonly registry: HandlerRegistry;

  constructor(log: Logger) {
    this.registry = new HandlerRegistry(log);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    const payload = encodeMessage(message);
    // Delivered on a later turn, as Redis would, so a publisher never runs handlers re-entrantly.
    setImmediate(() => this.registry.deliver(channel, payload));
  }

  async subscribe(channel: string, handler: Handler): Promise<Unsubscribe> {
    this.registry.add(channel, handler);
    return async () => {
      this.registry.remove(channel, handler);
    };
  }

  async close(): Promise<void> {
    this.registry.clear();
  }
}
