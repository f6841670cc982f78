// The one shape every feature is assembled into (see docs/architecture.md, "Adding a feature").
import type { FastifyPluginAsync } from 'fastify';
import type { ChannelAuthorizer } from '../platform/push/port.js';

export interface Feature<Service> {
  /** What other features may call; passed to them as a required dependency. */
  service: Service;
  /** The feature's HTTP routes, registered by server.ts. */
  routes: FastifyPluginAsync;
  /** Who may follow the live channel kinds this feature pushes to (event, board, poll, ...). */
  channels?: Readonly<Record<string, ChannelAuthorizer>>;
  /** Background work (timers, job workers, index loading) that begins once every route is registered. */
  start?(): Promise<void>;
  /** Stops that work and drains batches; called in reverse order of construction. */
  close?(): Promise<void>;
}
