// The ops feature: liveness, readiness, Prometheus metrics and the admin's JSON figures. It
// reads the platform itself (breakers, pools, queues), which is what it reports on.
import type { Platform } from '../../platform/index.js';
import type { Feature } from '../feature.js';
import { opsRoutes } from './routes.js';

export interface OpsFeatureDeps {
  platform: Platform;
  /** True once shutdown began: readiness then fails so balancers stop sending traffic. */
  isShuttingDown: () => boolean;
}

/** Other features call nothing of ops, so its service is null. */
export function createOpsFeature({ platform, isShuttingDown }: OpsFeatureDeps): Feature<null> {
  return { service: null, routes: opsRoutes(platform, isShuttingDown) };
}
