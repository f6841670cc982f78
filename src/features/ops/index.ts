// The ops feature: liveness, readiness, Prometheus metrics and the admin's JSON figures. It
// reads the platform itself (breakers, pools, queues), which is what it reports on.
import type { Platform } from '../../platform/index.js';
import type { Feature } from '../feature.js';
import { opsRoutes } from './routes.js';
import { collectStats } from './stats.js';

export interface OpsFeatureDeps {
  platform: Platform;
  /** True once shutdown began: readiness then fails so balancers stop sending traffic. */
  isShuttingDown: () => boolean;
}

export function createOpsFeature({ platform, isShuttingDown }: OpsFeatureDeps): Feature<{ stats: () => ReturnType<typeof collectStats> }> {
  return { service: { stats: () => collectStats(platform) }, routes: opsRoutes(platform, isShuttingDown) };
}
