// Channel names and who may subscribe to them. A channel is `<kind>:<id>` (event:42,
// board:global, user:7); each kind has an authorizer, and features register their own kinds
// or replace the defaults. Pure: the gateway owns sockets, rooms and the subscription cap.
// Sockets without a token (big screens, public pages) have no user: only public kinds admit them.
import type { ErrorCode } from '../errors.js';
import { userChannel, type ChannelAuthorizer, type Subscriber } from '../platform/push/port.js';

export { userChannel, type ChannelAuthorizer };
export type ChannelUser = Subscriber;

/** Refusal codes come from the one error catalogue, like HTTP errors. */
export type ChannelRefusalCode = Extract<
  ErrorCode,
  'INVALID_CHANNEL' | 'UNKNOWN_CHANNEL_KIND' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'TOO_MANY_SUBSCRIPTIONS' | 'INTERNAL'
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
const WORD = '[a-z][a-z0-9-]{0,31}';
const CHANNEL = new RegExp(`^(${WORD}):([A-Za-z0-9_.:-]{1,128})$`);
// A registered kind may be nested one level (board:poll), so that one feature owns polls' boards
// while another owns the rest of board:.
const KIND = new RegExp(`^${WORD}(:${WORD})?$`);
const NESTED_ID = new RegExp(`^(${WORD}):(.+)$`);

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
 * channels need a token, guests' included; a user channel only its user's. The features that
 * own events, boards, polls, games and the operations feed replace these with authorizers that
 * also refuse ids that name nothing.
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
      const { kind, id, authorize } = owner(channel);
      if (!authorize) {
        return refusal('UNKNOWN_CHANNEL_KIND', `Unknown channel kind '${channel.kind}'; known kinds: ${registry.kinds().join(', ')}`);
      }
      const access = await authorize(user, id);
      if (access === true) return { ok: true, channel: channel.name };
      if (access === 'missing') return refusal('NOT_FOUND', `There is no ${channel.name}`);
      if (typeof access === 'object' && access !== null && typeof access.id === 'string') {
        const canonical = `${kind}:${access.id}`;
        if (parseChannel(canonical)) return { ok: true, channel: canonical };
      }
      return user
        ? refusal('FORBIDDEN', `You are not allowed to subscribe to ${channel.name}`)
        : refusal('UNAUTHENTICATED', `${channel.name} needs a token; connect with auth: { token }`);
    },
  };

  /** The nested kind (board:poll) when one is registered for the channel, else its plain kind. */
  function owner(channel: ParsedChannel) {
    const nested = NESTED_ID.exec(channel.id);
    const nestedKind = nested && `${channel.kind}:${nested[1]}`;
    if (nestedKind && authorizers.has(nestedKind)) return { kind: nestedKind, id: nested[2]!, authorize: authorizers.get(nestedKind) };
    return { kind: channel.kind, id: channel.id, authorize: authorizers.get(channel.kind) };
  }

  for (const [kind, authorize] of Object.entries(defaults)) registry.register(kind, authorize);
  return registry;
}
