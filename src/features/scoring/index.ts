// The scoring feature: action types, completed actions, boards and leaderboards, snapshots and
// home stats. Games use its service's ensureBoard and submitScores.
import type { Feature } from '../feature.js';
import { canonicalBoard } from './keys.js';
import { scoringRoutes } from './routes.js';
import { createScoringService, type ScoringDeps, type ScoringService } from './service.js';

export type ScoringFeatureDeps = ScoringDeps;

export function createScoringFeature(deps: ScoringFeatureDeps): Feature<ScoringService> {
  const service = createScoringService(deps);
  return {
    service,
    routes: scoringRoutes(service),
    // Boards are public (big screens have no token); the room is the board's canonical name, the one pushes use.
    channels: { board: async (_subscriber, name) => ((await service.findBoard(name)) ? { id: canonicalBoard(name) } : 'missing') },
    start: () => service.start(),
    close: () => service.close(),
  };
}
