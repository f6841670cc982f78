// Channel names and who may subscribe to them. A channel is `<kind>:<id>` (event:42,
// board:global, user:7); each kind has an authorizer, and features register their own kinds
// or replace the defaults. Pure: the gateway owns sockets, rooms and the subscription cap.
// Sockets without a token (big screens, public pages) have no user: only public kinds admit them.
import type { ErrorCode } from '../errors.js';
import { userChannel } from '../platform/push/port.js';

export { userChannel };

export interface ChannelUser {
  id: string;
  role: string;
  isGuest?: boolean;
}

/** Decides whether `user` (undefined for an anonymous socket) may subscribe to `<kind>:<channelId>`. */
export type ChannelAuthorizer = (user: ChannelUser | undefined, channelId: string) => boolean | Promise<boolean>;

/** Refusal codes come from the one error catalogue, like HTTP errors. */
export type ChannelRefusalCode = Extract<
  ErrorCode,
  'INVALID_CHANNEL' | 'UNKNOWN_CHANNEL_KIND' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'TOO_MANY_SUBSCRIPTIONS' | 'INTERNAL'
>;

export interface ChannelRefusal {
  ok: false;
  code: ChannelRefusalCode;
  message: string;
}

/** The ack payload of `subscribe` and `unsubscribe`. */
export type ChannelDecision = { ok: true; channel: string; state?: unknown } | ChannelRefusal;

export interface ParsedChannel {
  name: string;
  kind: string;
  id: string;
}

// Kinds are short lowercase words; ids are the characters of UUIDs, numbers and slugs, and may
// contain ':' for composite ids (board:event:42). Socket ids never contain ':', so a client can
// never join another socket's private room.
const KIND = /^[a-z][a-z0-9-]{0,31}$/;
const CHANNEL = /^([a-z][a-z0-9-]{0,31}):([A-Za-z0-9_.:-]{1,128})$/;

export function parseChannel(name: unknown): ParsedChannel | undefined {
  if (typeof name !== 'string') return undefined;
  const match = CHANNEL.exec(name);
  if (!match) return undefined;
  return { name, kind: match[1]!, id: match[2]! };
}

export function refusal(code: ChannelRefusalCode, message: string): ChannelRefusal {
  return { ok: false, code, message };
}

export function invalidChannel(): ChannelRefusal {
  return refusal('INVALID_CHANNEL', 'A channel name is a string like "event:42": a lowercase kind, a colon and an id');
}

export interface ChannelRegistry {
  /** Registers a kind; registering an existing kind replaces its authorizer (features refine the defaults). */
  register(kind: string, authorize: ChannelAuthorizer): void;
  kinds(): string[];
  /** Validates the name and asks the kind's authorizer. Rethrows what the authorizer throws. */
  authorize(user: ChannelUser | undefined, name: unknown): Promise<ChannelDecision>;
}

const anyone: ChannelAuthorizer = () => true;
const anyUser: ChannelAuthorizer = (user) => user !== undefined;

/**
 * Boards and event counts are public: what a big screen shows without signing in. Other live
 * channels need a token, guests' included; a user channel only its user's.
 */
export const DEFAULT_AUTHORIZERS: Readonly<Record<string, ChannelAuthorizer>> = {
  event: anyone,
  board: anyone,
  game: anyUser,
  poll: anyUser,
  user: (user, channelId) => user?.id === channelId,
};

export function createChannelRegistry(defaults: Readonly<Record<string, ChannelAuthorizer>> = DEFAULT_AUTHORIZERS): ChannelRegistry {
  const authorizers = new Map<string, ChannelAuthorizer>();

  const registry: ChannelRegistry = {
    register(kind, authorize) {
      if (!KIND.test(kind)) throw new TypeError(`invalid channel kind '${kind}': expected ${KIND}`);
      authorizers.set(kind, authorize);
    },
    kinds: () => [...authorizers.keys()],
    async authorize(user, name) {
      const channel = parseChannel(name);
      if (!channel) return invalidChannel();
      const authorize = authorizers.get(channel.kind);
      if (!authorize) {
        return refusal('UNKNOWN_CHANNEL_KIND', `Unknown channel kind '${channel.kind}'; known kinds: ${registry.kinds().join(', ')}`);
      }
      if ((await authorize(user, channel.id)) !== true) {
        return user
          ? refusal('FORBIDDEN', `You are not allowed to subscribe to ${channel.name}`)
          : refusal('UNAUTHENTICATED', `${channel.name} needs a token; connect with auth: { token }`);
      }
      return { ok: true, channel: channel.name };
    },
  };
  for (const [kind, authorize] of Object.entries(defaults)) registry.register(kind, authorize);
  return registry;
}
