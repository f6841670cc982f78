import type { Redis } from 'ioredis';

export interface ScriptDefinition {
  /** Omitted: the caller passes the key count as the first argument. */
  numberOfKeys?: number;
  lua: string;
}

/**
 * Defines each Lua script as a command on the shared client (ioredis sends EVALSHA, and the
 * script on NOSCRIPT), once: several adapters share one client, and each may be built again.
 * Returns the client typed with those commands.
 */
export function withScripts<Scripted extends Redis>(client: Redis, scripts: Record<string, ScriptDefinition>): Scripted {
  for (const [name, definition] of Object.entries(scripts)) if (!(name in client)) client.defineCommand(name, definition);
  return client as Scripted;
}
