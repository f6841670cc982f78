// The ops feature: liveness, readiness, Prometheus metrics, the admin's JSON figures, and the
// operations dashboard's once-a-second feed. It reads the platform itself (breakers, pools,
// queues), which is what it reports on.
import type { Logger } from 'pino';
import type { Platform } from '../../platform/index.js';
import type { Push } from '../../platform/push/port.js';
import type { Feature } from '../feature.js';
import { createOpsFeed } from './live.js';
import { opsRoutes } from './routes.js';

export interface OpsFeatureDeps {
  platform: Platform;
  /** True once shutdown began: readiness then fails so balancers stop sending traffic. */
  isShuttingDown: () => boolean;
  push: Push;
  log: Logger;
}

/** Other features call nothing of ops, so its service is null. */
export function createOpsFeature({ platform, isShuttingDown, push, log }: OpsFeatureDeps): Feature<null> {
  const feed = createOpsFeed({ platform, push, log });
  return {
    service: null,
    routes: opsRoutes(platform, isShuttingDown),
    // The feed is the server's own figures: admins only, and ops:live is the one channel there is.
    channels: { ops: (subscriber, id) => subscriber?.role === 'admin' && (id === 'live' || 'missing') },
    start: async () => feed.start(),
    close: async () => feed.close(),
  };
}
