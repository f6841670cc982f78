// How features talk to connected clients. The realtime gateway implements it; features hold
// only this port, so the domain never depends on Socket.IO, and a test can pass a recorder.

export interface Push {
  /** Emits to every socket of one user, on every instance. */
  toUser(userId: string, event: string, payload: unknown): void;
  /**
   * Emits one payload per user, to every socket of each, on every instance: as one message
   * between instances (one XADD with Redis), where `toUser` for each would send one per user.
   */
  toUsers(event: string, messages: Array<[userId: string, payload: unknown]>): void;
  /** Emits to everyone subscribed to `channel` (`<kind>:<id>`), on every instance. Throws on a malformed name. */
  toChannel(channel: string, event: string, payload: unknown): void;
  /** Emits to every connected client, on every instance. */
  broadcast(event: string, payload: unknown): void;
}

/** The private channel each socket joins for its user; the gateway and the port share the name. */
export const userChannel = (userId: string) => `user:${userId}`;

/** Who asks to follow a channel; a socket without a token has none. */
export interface Subscriber {
  id: string;
  role: string;
  isGuest?: boolean;
}

/**
 * A kind's answer to a subscription: `true` lets the subscriber in; `{ id }` lets them in under
 * the id's canonical spelling, the one pushes use (so `board:event:<UUID in capitals>` still
 * hears the event's board); `'missing'` says nothing goes by that id; anything else refuses.
 */
export type ChannelAccess = boolean | 'missing' | { id: string };

/** Decides a subscription to `<kind>:<channelId>` for `subscriber` (undefined when anonymous). */
export type ChannelAuthorizer = (subscriber: Subscriber | undefined, channelId: string) => ChannelAccess | Promise<ChannelAccess>;
