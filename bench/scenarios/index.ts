// The scenarios `npm run bench -- <name>` knows. Add one by dropping a file beside this one
// and a line here.
import type { Scenario } from '../lib/scenario.js';
import { createActionsScenario } from './actions.js';
import { createCatalogScenario } from './catalog.js';
import { health } from './health.js';
import { reload } from './reload.js';
import { reloadPm2 } from './reload-pm2.js';
import { rushScenario } from './rush.js';
import { whatsappScenario } from './whatsapp.js';
import { triviaScenario } from './trivia.js';

export const scenarios: Record<string, Scenario> = {
  actions: createActionsScenario(),
  catalog: createCatalogScenario(),
  health,
  reload,
  'reload-pm2': reloadPm2,
  rush: rushScenario,
  whatsapp: whatsappScenario,
  trivia: triviaScenario,
};
