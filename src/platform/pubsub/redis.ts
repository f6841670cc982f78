// Pub/sub across instances on Redis: one connection publishes, one dedicated connection
// subscribes. If Redis cannot take a publish, the message still reaches this instance's own
// subscribers, so a single instance keeps working through an outage.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BrokenCircuitError, isConnectionError, type Breaker } from '../breakers.js';
import type { Metrics } from '../metrics.js';
import { readyWithin } from '../redis-ready.js';
import { HandlerRegistry, encodeMessage } from './memory.js';
import type { PubSub, Unsubscribe } from './port.js';

const SUBSCRIBE_WAIT_MS = 2_000;

export interface RedisPubSubOptions {
  publisher: Redis;
  /** A connection of its own (Redis puts it in subscriber mode), created with autoResubscribe: false. */
  subscriber: Redis;
  keyPrefix: string;
  breaker: Breaker;
  metrics: Metrics;
  log: Logger;
}

export class RedisPubSub implements PubSub {
  private readonly registry: HandlerRegistry;
  private readonly subscriber: Redis;
  private readonly channelPrefix: string;
  // We resubscribe ourselves on every 'ready': ioredis only restores subscriptions that
  // succeeded, and a subscribe made during an outage has not.
  private readonly onReady = () => void this.resubscribe();
  private readonly onMessage = (channel: string, payload: string) => {
    if (channel.startsWith(this.channelPrefix)) this.registry.deliver(channel.slice(this.channelPrefix.length), payload);
  };

  constructor(private readonly options: RedisPubSubOptions) {
    this.registry = new HandlerRegistry(options.log);
    this.channelPrefix = `${options.keyPrefix}ps:`;
    this.subscriber = options.subscriber;
    this.subscriber.on('ready', this.onReady);
    this.subscriber.on('message', this.onMessage);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    const payload = encodeMessage(message);
    const { publisher, breaker, metrics, log } = this.options;
    // The breaker is not pre-checked: execute() fails fast while it is open and is the only
    // way it half-opens again.
    if (publisher.status === 'ready') {
      try {
        await breaker.execute(() => publisher.publish(this.channelPrefix + channel, payload));
        return;
      } catch (error) {
        // A timeout may have reached Redis after all: dropping keeps delivery at-most-once.
        if (!isConnectionError(error) && !(error instanceof BrokenCircuitError)) {
          log.warn({ err: error, channel }, 'pub/sub publish failed; message dropped');
          return;
        }
      }
    }
    metrics.fallbacks.inc({ port: 'pubsub' });
    setImmediate(() => this.registry.deliver(channel, payload));
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    if (this.registry.add(channel, handler)) await this.subscribeRedis(channel);
    return async () => {
      if (this.registry.remove(channel, handler) && this.subscriber.status === 'ready') {
        await this.subscriber.unsubscribe(this.channelPrefix + channel).catch((error: unknown) => {
          this.options.log.debug({ err: error, channel }, 'pub/sub unsubscribe failed');
        });
      }
    };
  }

  /** Waits briefly for a connection still coming up; past that, 'ready' will subscribe it. */
  private async subscribeRedis(channel: string): Promise<void> {
    if (!(await readyWithin(this.subscriber, SUBSCRIBE_WAIT_MS))) return;
    await this.subscriber.subscribe(this.channelPrefix + channel).catch((error: unknown) => {
      this.options.log.warn({ err: error, channel }, 'pub/sub subscribe failed; retried when redis reconnects');
    });
  }

  private async resubscribe(): Promise<void> {
    const channels = this.registry.channels().map((channel) => this.channelPrefix + channel);
    if (channels.length === 0) return;
    await this.subscriber.subscribe(...channels).catch((error: unknown) => {
      this.options.log.warn({ err: error }, 'pub/sub resubscribe after reconnect failed');
    });
  }

  async close(): Promise<void> {
    this.registry.clear();
    this.subscriber.off('ready', this.onReady);
    this.subscriber.off('message', this.onMessage);
    if (this.subscriber.status === 'ready') await this.subscriber.unsubscribe().catch(() => undefined);
  }
}
