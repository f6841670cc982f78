// Seeds the catalogue before the server starts: products made by generate_series inside the
// database (the same SQL on PostgreSQL and PGlite), names drawn from small word lists so that
// searches find dozens to hundreds of matches, as in a real shop.
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/platform/db/client.js';
import { addWords } from '../../src/features/products/store.js';

const ROWS_PER_STATEMENT = 20_000;
export const ADJECTIVES = ['wireless', 'portable', 'compact', 'classic', 'premium', 'ergonomic', 'vintage', 'smart', 'rugged', 'silent'];
export const NOUNS = [
  'headphones',
  'speaker',
  'keyboard',
  'backpack',
  'kettle',
  'blender',
  'monitor',
  'lantern',
  'jacket',
  'sneakers',
  'camera',
  'charger',
];
export const BRANDS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne'];
export const CATEGORIES = 50;

export async function seedCatalog(database: Database, products: number, progress: (message: string) => void): Promise<void> {
  const { db } = database;
  const list = (words: string[]) => sql.raw(`array[${words.map((word) => `'${word}'`).join(',')}]`);
  const started = performance.now();
  for (let from = 1; from <= products; from += ROWS_PER_STATEMENT) {
    const to = Math.min(products, from + ROWS_PER_STATEMENT - 1);
    await db.execute(sql`
      insert into products (slug, name, brand, category, attributes)
      select 'product-' || g,
             initcap((${list(ADJECTIVES)})[1 + g % ${ADJECTIVES.length}] || ' ' || (${list(NOUNS)})[1 + (g / 7) % ${NOUNS.length}]) || ' ' || g,
             (${list(BRANDS)})[1 + (g / 3) % ${BRANDS.length}],
             'category-' || (g % ${CATEGORIES}),
             jsonb_build_object('sku', g)
      from generate_series(${from}::int, ${to}::int) g`);
    if (to % 20_000 === 0 || to === products) {
      progress(
        `seeded ${to.toLocaleString('en-US')} of ${products.toLocaleString('en-US')} products (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
  await addWords(db);
  await db.execute(sql`analyze products`);
  await db.execute(sql`analyze product_words`);
}
