// The scenarios `npm run bench -- <name>` knows. Add one by dropping a file beside this one
// and a line here.
import type { Scenario } from '../lib/scenario.js';
import { createActionsScenario } from './actions.js';
import { health } from './health.js';
import { reload } from './reload.js';
import { reloadPm2 } from './reload-pm2.js';
import { rushScenario } from './rush.js';

export const scenarios: Record<string, Scenario> = {
  actions: createActionsScenario(),
  health,
  reload,
  'reload-pm2': reloadPm2,
  rush: rushScenario,
};
