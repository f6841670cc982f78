// The scoring feature: action types, completed actions, boards and leaderboards, snapshots and
// home stats. Games use its service's ensureBoard and submitScores.
import type { FastifyPluginAsync } from 'fastify';
import type { Feature } from '../feature.js';
import { leaderboardRoutes } from './leaderboard-routes.js';
import { scoringRoutes } from './routes.js';
import { createScoringService, type ScoringDeps, type ScoringService } from './service.js';

export type ScoringFeatureDeps = ScoringDeps;

export function createScoringFeature(deps: ScoringFeatureDeps): Feature<ScoringService> {
  const service = createScoringService(deps);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(scoringRoutes(service));
    await app.register(leaderboardRoutes(service));
  };
  return { service, routes, start: () => service.start(), close: () => service.close() };
}
