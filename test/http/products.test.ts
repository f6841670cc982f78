// Products over HTTP on PGlite and PostgreSQL + Redis: CRUD with ownership, cached reads
// invalidated on change, typo-tolerant search and its log, bulk import with a per-row report,
// and page views deduplicated per user per product per 30 minutes (checked against the
// brute-force rule with an injected instant per view).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countViewsOracle, type View } from '../../src/features/products/views/dedup.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

const ADMIN = { STAMPEDE_ADMIN_EMAIL: 'root@example.com', STAMPEDE_ADMIN_PASSWORD: 'rootpassword' };

describe.each([
  ['pglite', false],
  ['postgres', true],
] as const)('products on %s (redis: %s)', (store, redis) => {
  let app: TestApp;
  let admin: string;
  let organizer: { token: string; id: string };
  let otherOrganizer: string;
  let player: { token: string; id: string };

  beforeAll(async () => {
    app = await startTestApp({ store, redis, env: ADMIN });
    admin = (await (await app.request('POST', '/api/auth/login', { body: { email: 'root@example.com', password: 'rootpassword' } })).json()).token;
    const promote = async () => {
      const { user, token } = await signUp(app);
      const response = await app.request('PUT', `/api/users/${user.id}/role`, { token: admin, body: { role: 'organizer' } });
      expect(response.status).toBe(200);
      // A fresh login carries the new role.
      return { token, id: user.id };
    };
    organizer = await promote();
    otherOrganizer = (await promote()).token;
    const signedUp = await signUp(app);
    player = { token: signedUp.token, id: signedUp.user.id };
  });
  afterAll(async () => {
    await app?.stop();
  });

  const create = async (body: Record<string, unknown>, token = organizer.token) => {
    const response = await app.request('POST', '/api/products', { token, body });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()).product as { id: string; slug: string; category: string };
  };

  it('creates, reads (cached, by id or slug), changes and deletes a product, with ownership checks', async () => {
    const product = await create({ slug: 'trail-shoe-1', name: 'Trail Shoe One', brand: 'Stride', category: 'shoes', attributes: { size: 42 } });
    expect(product).toMatchObject({ slug: 'trail-shoe-1', category: 'shoes', createdBy: organizer.id });
    expect((await app.request('POST', '/api/products', { token: player.token, body: { slug: 'x', name: 'X', category: 'c' } })).status).toBe(403);
    expect(
      (await app.request('POST', '/api/products', { token: organizer.token, body: { slug: 'trail-shoe-1', name: 'Again', category: 'shoes' } }))
        .status,
    ).toBe(409);

    const first = await app.request('GET', `/api/products/${product.id}`);
    expect(first.status).toBe(200);
    expect((await first.json()).stats).toEqual({ bordaScore: 0, averagePosition: null, rankers: 0, confidenceInterval: null });
    const again = await app.request('GET', `/api/products/${product.id}`);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect((await (await app.request('GET', '/api/products/trail-shoe-1')).json()).product.id).toBe(product.id);

    expect((await app.request('PATCH', `/api/products/${product.id}`, { token: otherOrganizer, body: { name: 'Mine now' } })).status).toBe(403);
    const patched = await app.request('PATCH', `/api/products/${product.id}`, {
      token: organizer.token,
      body: { name: 'Trail Shoe 1', brand: null },
    });
    expect(patched.status).toBe(200);
    const reread = await app.request('GET', `/api/products/${product.id}`);
    expect(reread.headers.get('x-cache')).toBe('MISS');
    expect((await reread.json()).product).toMatchObject({ name: 'Trail Shoe 1', brand: null });

    expect((await app.request('DELETE', `/api/products/${product.id}`, { token: otherOrganizer })).status).toBe(403);
    expect((await app.request('DELETE', `/api/products/${product.id}`, { token: admin })).status).toBe(204);
    const gone = await app.request('GET', `/api/products/${product.id}`);
    expect(gone.status).toBe(404);
    expect((await gone.json()).code).toBe('NOT_FOUND');
  });

  it('a cached miss does not hide a product created afterwards', async () => {
    expect((await app.request('GET', '/api/products/late-arrival')).status).toBe(404);
    await create({ slug: 'late-arrival', name: 'Late Arrival', category: 'misc' });
    expect((await app.request('GET', '/api/products/late-arrival')).status).toBe(200);
  });

  it('searches by words and tolerates typos, filters by category, refuses queries over 200 characters, and logs searches', async () => {
    await create({ slug: 'sony-wh-headphones', name: 'Wireless Noise Cancelling Headphones', brand: 'Sony', category: 'audio' });
    await create({ slug: 'bose-speaker', name: 'Portable Bluetooth Speaker', brand: 'Bose', category: 'audio' });
    await create({ slug: 'headphone-stand', name: 'Headphones Stand', category: 'furniture' });
    const search = async (query: string) => {
      const response = await app.request('GET', `/api/products?${query}`, { token: player.token });
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as { items: Array<{ product: { slug: string }; score: number }>; total: number };
    };
    expect((await search('q=%20HeadPhones')).items.map((item) => item.product.slug).sort()).toEqual(['headphone-stand', 'sony-wh-headphones']);
    expect((await search('q=hedphones')).items.map((item) => item.product.slug)).toContain('sony-wh-headphones');
    expect((await search('q=wireles%20sony')).items[0]!.product.slug).toBe('sony-wh-headphones');
    expect((await search('q=headphones&category=audio')).items.map((item) => item.product.slug)).toEqual(['sony-wh-headphones']);
    expect((await search('q=zzzzqqq')).total).toBe(0);
    const tooLong = await app.request('GET', `/api/products?q=${'a'.repeat(201)}`);
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).code).toBe('VALIDATION_FAILED');

    await expect
      .poll(async () => (await (await app.request('GET', '/api/products/popular-searches')).json()).searches, { timeout: 10_000 })
      .toEqual(
        expect.arrayContaining([
          // Case and surrounding spaces are ignored; lastResults is that of the latest search (the one in audio).
          { query: 'headphones', searches: 2, lastResults: 1 },
          { query: 'hedphones', searches: 1, lastResults: 2 },
        ]),
      );
  });

  it('pages and sorts one cached candidate set per query, fresh after a change, a deletion or a ranking', async () => {
    const lamps = [];
    for (const [n, name] of ['Cedar Lamp', 'Alder Lamp', 'Birch Lamp', 'Elm Lamp', 'Dogwood Lamp'].entries())
      lamps.push(await create({ slug: `lamp-${n}`, name, category: 'lamps' }));
    const search = async (query: string) => {
      const response = await app.request('GET', `/api/products?q=lamp&category=lamps&${query}`);
      expect(response.status, await response.clone().text()).toBe(200);
      const body = (await response.json()) as { items: Array<{ product: { name: string } }>; total: number };
      return { names: body.items.map((item) => item.product.name), total: body.total, cache: response.headers.get('x-cache') };
    };
    expect(await search('sort=name&limit=2')).toEqual({ names: ['Alder Lamp', 'Birch Lamp'], total: 5, cache: 'MISS' });
    // Another page and another order of the same query read the same cached candidates.
    expect(await search('sort=name&limit=2&offset=2')).toEqual({ names: ['Cedar Lamp', 'Dogwood Lamp'], total: 5, cache: 'HIT' });
    expect((await search('sort=newest&limit=1')).names).toEqual(['Dogwood Lamp']);

    await app.request('PATCH', `/api/products/${lamps[1]!.id}`, { token: organizer.token, body: { name: 'Zelkova Lamp' } });
    await app.request('DELETE', `/api/products/${lamps[3]!.id}`, { token: organizer.token });
    expect(await search('sort=name')).toEqual({ names: ['Birch Lamp', 'Cedar Lamp', 'Dogwood Lamp', 'Zelkova Lamp'], total: 4, cache: 'MISS' });

    const ranked = await app.request('POST', '/api/rankings', {
      token: player.token,
      body: { category: 'lamps', order: [lamps[4]!.id, lamps[2]!.id, lamps[0]!.id] },
    });
    expect(ranked.status, await ranked.clone().text()).toBe(200);
    expect((await search('sort=top&limit=2')).names).toEqual(['Dogwood Lamp', 'Birch Lamp']);
  });

  it('imports CSV and JSON rows: bad rows and taken slugs are reported, the others imported', async () => {
    await create({ slug: 'taken-slug', name: 'Already here', category: 'imports' });
    const csv = [
      'slug,name,category,brand,colour',
      'imported-one,Imported One,imports,Acme,red',
      'taken-slug,Clash,imports,,',
      'imported-two,Imported Two,imports,,blue',
      'imported-one,Twice in the file,imports,,',
      'Bad Slug,Bad,imports,,',
    ].join('\n');
    const response = await app.request('POST', '/api/products/import', { token: organizer.token, body: { csv } });
    expect(response.status, await response.clone().text()).toBe(200);
    const report = await response.json();
    expect(report.imported).toBe(2);
    expect(report.errors.map((error: { row: number; code: string }) => [error.row, error.code])).toEqual([
      [2, 'PRODUCT_SLUG_TAKEN'],
      [4, 'PRODUCT_SLUG_TAKEN'],
      [5, 'VALIDATION_FAILED'],
    ]);
    expect((await (await app.request('GET', '/api/products/imported-one')).json()).product).toMatchObject({
      brand: 'Acme',
      attributes: { colour: 'red' },
    });

    const json = await app.request('POST', '/api/products/import', {
      token: organizer.token,
      body: { products: [{ slug: 'json-row', name: 'Json Row', category: 'imports' }, { slug: 'no-name', category: 'imports' }, 7] },
    });
    expect(await json.json()).toMatchObject({
      imported: 1,
      errors: [
        { row: 2, code: 'VALIDATION_FAILED' },
        { row: 3, code: 'VALIDATION_FAILED' },
      ],
    });
    expect((await app.request('POST', '/api/products/import', { token: player.token, body: { products: [{}] } })).status).toBe(403);
  });

  it('counts a view once per user per product per 30 minutes, on POST and on a signed-in GET, and lists trending products', async () => {
    const product = await create({ slug: 'viewed-thing', name: 'Viewed Thing', category: 'views' });
    await create({ slug: 'unviewed-thing', name: 'Unviewed Thing', category: 'views' });
    const post = async (token: string) => (await app.request('POST', `/api/products/${product.id}/views`, { token })).json();
    expect(await post(player.token)).toEqual({ counted: true });
    expect(await post(player.token)).toEqual({ counted: false });
    expect((await app.request('POST', '/api/products/no-such-product/views', { token: player.token })).status).toBe(404);
    const other = await signUp(app);
    await app.request('GET', `/api/products/${product.id}`, { token: other.token });
    // The GET counts off its answer's path: wait for the batch to commit.
    await expect.poll(() => app.products.views.viewsOf([product.id]), { timeout: 10_000 }).toBe(2);
    expect(await app.products.views.record(other.user.id, product.id)).toBe(false);
    expect(await (await app.request('GET', `/api/products/${product.slug}/views`)).json()).toEqual({ productId: product.id, views: 2 });

    const trending = await (await app.request('GET', '/api/products?category=views&sort=trending')).json();
    expect(trending.items.map((item: { product: { slug: string } }) => item.product.slug)).toEqual(['viewed-thing']);
    // Two views within the hour, each weighing between 0.5^(1/6) and 1.
    expect(trending.items[0].score).toBeGreaterThan(1.78);
    expect(trending.items[0].score).toBeLessThanOrEqual(2);
  });

  it('the view counter equals the deduplicated views for any stream of views (property, oracle, injected instants)', async () => {
    const users = await Promise.all([0, 1, 2].map(async () => (await signUp(app)).user.id));
    const start = Date.parse('2026-01-01T00:00:00Z');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ user: fc.nat({ max: 2 }), product: fc.nat({ max: 1 }), gapMinutes: fc.nat({ max: 40 }), together: fc.boolean() }), {
          minLength: 1,
          maxLength: 25,
        }),
        async (stream) => {
          run++;
          const products = [
            await create({ slug: `oracle-${run}-a`, name: 'Oracle A', category: 'oracle' }),
            await create({ slug: `oracle-${run}-b`, name: 'Oracle B', category: 'oracle' }),
          ];
          let minute = 0;
          const views: View[] = [];
          // Views flagged `together` join the previous one in one batch; the others wait for it.
          const pending: Array<Promise<boolean>> = [];
          for (const step of stream) {
            minute += step.gapMinutes;
            const view = { userId: users[step.user]!, productId: products[step.product]!.id, at: new Date(start + minute * 60_000) };
            views.push(view);
            if (!step.together) await Promise.all(pending.splice(0));
            pending.push(app.products.views.record(view.userId, view.productId, view.at));
          }
          const answers = await Promise.all(pending);
          expect(answers.length).toBeGreaterThan(0);
          const total = await app.products.views.viewsOf(products.map((product) => product.id));
          expect(total).toBe(countViewsOracle(views, 30 * 60_000));
        },
      ),
      { seed: 1414, numRuns: 15 },
    );
  });
});
