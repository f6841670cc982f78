// The product catalogue on 100,000 products, next to the bare Fastify ceiling:
//   (a) search: GET /api/products?q= with one or two words, a third of them misspelt, at a
//       random offset so that most answers miss the cache and run the full-text + trigram query;
//   (b) the product page (metadata + ranking stats) of 1,000 products, cached;
//   (c) page views: POST /api/products/:id/views as --users users over 50 products, then the
//       lost-count check: the counters must equal the distinct (user, product) pairs sent,
//       since the whole run is shorter than the 30-minute dedup window.
// The catalogue is seeded in SQL before the server starts.
import { randomInt } from 'node:crypto';
import type { Measurement, Scenario, ScenarioOptions } from '../lib/scenario.js';
import { setupCall } from '../lib/setup-call.js';
import { cacheCounter } from '../lib/requests.js';
import { createUsers, tokenSigner, type Entrant } from '../../test/harness/entrants.js';
import { ADJECTIVES, NOUNS, seedCatalog } from './catalog-seed.js';

const PRODUCTS = 100_000;
const PAGE_PRODUCTS = 1_000;
const VIEWED_PRODUCTS = 50;
const GOAL_SEARCH_P99_MS = 20;
const GOAL_PAGE_P99_MS = 5;
const GOAL_VIEWS_PER_SEC = 5_000;
const GOAL_VIEWS_P99_MS = 50;
const SETTLE_POLL_MS = 200;

const progress = (message: string) => console.error(`bench: ${message}`);
const ms = (n: number) => `${n.toFixed(2)} ms`;
const goal = (met: boolean) => (met ? 'met' : 'MISSED');

/** Drops one letter from the middle of a word: "headphones" -> "headphnes". */
function misspell(word: string): string {
  const at = 1 + randomInt(word.length - 2);
  return word.slice(0, at) + word.slice(at + 1);
}

function randomQuery(): string {
  const noun = NOUNS[randomInt(NOUNS.length)]!;
  const words = randomInt(2) === 0 ? [noun] : [ADJECTIVES[randomInt(ADJECTIVES.length)]!, noun];
  return words.map((word) => (randomInt(3) === 0 ? misspell(word) : word)).join(' ');
}

async function totalViews(baseUrl: string): Promise<number> {
  let total = 0;
  for (let n = 1; n <= VIEWED_PRODUCTS; n++) total += (await setupCall<{ views: number }>(baseUrl, 'GET', `/api/products/product-${n}/views`)).views;
  return total;
}

/** The counters once the last view batches have committed: read until two reads agree. */
async function settledViews(baseUrl: string): Promise<number> {
  let previous = -1;
  for (;;) {
    const current = await totalViews(baseUrl);
    if (current === previous) return current;
    previous = current;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

export function createCatalogScenario(): Scenario {
  let viewers: Entrant[] = [];

  return {
    description: 'product catalogue of 100k: search p99, cached product page p99, 5k views/s with a lost-count check',

    prepare: (options: ScenarioOptions) => async (database, jwtSecret) => {
      progress(`seeding ${PRODUCTS.toLocaleString('en-US')} products`);
      await seedCatalog(database, PRODUCTS, progress);
      const signer = await tokenSigner(jwtSecret, 24 * 3600);
      try {
        viewers = await createUsers(database.db, signer.sign, options.users);
      } finally {
        await signer.close();
      }
    },

    async run({ stampede, measure }) {
      const baseUrl = stampede.url;
      const first = await setupCall<{ total: number }>(baseUrl, 'GET', '/api/products?limit=1');
      if (first.total !== PRODUCTS) throw new Error(`the catalogue holds ${first.total} products, expected ${PRODUCTS}`);

      const searches = cacheCounter();
      const searchResult = await measure({
        name: 'search',
        path: '/api/products?q=speaker',
        setupRequest: (request) => ({ ...request, path: `/api/products?q=${encodeURIComponent(randomQuery())}&limit=20&offset=${randomInt(100)}` }),
        onResponse: searches.onResponse,
      });

      const pages = cacheCounter();
      let page = 0;
      const pageResult = await measure({
        name: 'product page (cached)',
        path: '/api/products/product-1',
        setupRequest: (request) => ({ ...request, path: `/api/products/product-${1 + (page++ % PAGE_PRODUCTS)}` }),
        onResponse: pages.onResponse,
      });

      const sent = new Set<string>();
      let counted = 0;
      const viewResult = await measure({
        name: 'page views',
        method: 'POST',
        path: '/api/products/product-1/views',
        setupRequest: (request) => {
          const viewer = randomInt(viewers.length);
          const product = 1 + randomInt(VIEWED_PRODUCTS);
          sent.add(`${viewer}/${product}`);
          return {
            ...request,
            path: `/api/products/product-${product}/views`,
            headers: { ...request.headers, authorization: `Bearer ${viewers[viewer]!.token}` },
          };
        },
        onResponse: (status, body) => {
          if (status === 200 && (JSON.parse(body) as { counted: boolean }).counted) counted++;
        },
      });
      const stored = await settledViews(baseUrl);
      const lostCheck = stored === sent.size && counted <= stored;

      const measurements: Measurement[] = [
        {
          ...searchResult,
          notes: [
            `${PRODUCTS.toLocaleString('en-US')} products; one or two words, a third misspelt, random offset; ${searches.note()}`,
            `goal: p99 <= ${GOAL_SEARCH_P99_MS} ms: ${goal(searchResult.p99 <= GOAL_SEARCH_P99_MS)} (${ms(searchResult.p99)})`,
          ],
        },
        {
          ...pageResult,
          notes: [
            `metadata + ranking stats of ${PAGE_PRODUCTS.toLocaleString('en-US')} products in turn, anonymous; ${pages.note()}`,
            `goal: p99 <= ${GOAL_PAGE_P99_MS} ms: ${goal(pageResult.p99 <= GOAL_PAGE_P99_MS)} (${ms(pageResult.p99)})`,
          ],
        },
        {
          ...viewResult,
          notes: [
            `${viewers.length.toLocaleString('en-US')} users x ${VIEWED_PRODUCTS} products, random pairs (repeats are deduplicated)`,
            `lost-count check: counters ${stored.toLocaleString('en-US')}, distinct pairs sent ${sent.size.toLocaleString('en-US')}, counted answers received ${counted.toLocaleString('en-US')}: ${lostCheck ? 'no lost or extra counts' : 'MISMATCH'}`,
            `goal: >= ${GOAL_VIEWS_PER_SEC.toLocaleString('en-US')}/s with p99 <= ${GOAL_VIEWS_P99_MS} ms: ${goal(viewResult.requestsPerSec >= GOAL_VIEWS_PER_SEC && viewResult.p99 <= GOAL_VIEWS_P99_MS)} (${Math.round(viewResult.requestsPerSec).toLocaleString('en-US')}/s, p99 ${ms(viewResult.p99)})`,
          ],
        },
      ];
      return measurements;
    },
  };
}
