// Pub/sub port for cross-instance events: what one instance publishes, every instance
// (itself included) receives. Delivery is at-most-once; PostgreSQL stays the record.
export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
}
