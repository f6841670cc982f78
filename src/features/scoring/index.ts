// The scoring feature: action types, completed actions, boards and leaderboards, snapshots and
// home stats. Games use its service's ensureBoard and submitScores.
import type { Feature } from '../feature.js';
import { scoringRoutes } from './routes.js';
import { createScoringService, type ScoringDeps, type ScoringService } from './service.js';

export type ScoringFeatureDeps = ScoringDeps;

export function createScoringFeature(deps: ScoringFeatureDeps): Feature<ScoringService> {
  const service = createScoringService(deps);
  return { service, routes: scoringRoutes(service), start: () => service.start(), close: () => service.close() };
}
