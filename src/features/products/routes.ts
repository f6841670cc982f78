// HTTP for the catalog, search, page views and popular searches.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ORGANIZERS } from '../../domain/accounts.js';
import { literals, withProblems } from '../../http/schemas.js';
import type { CatalogService } from './service.js';
import type { ProductPages } from './page.js';
import type { ViewsService } from './views/service.js';
import { Category, ProductInputSchema, ProductPatchSchema, ProductSchema, RankingStatsSchema } from './schemas.js';

/** Imports carry whole catalogues; other routes keep the global body limit. */
const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;
const SORTS = ['relevance', 'name', 'newest', 'top', 'trending'] as const;
const ProductParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, description: 'Product id or slug' }) });

export const productsRoutes =
  (catalog: CatalogService, pages: ProductPages, views: ViewsService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/products',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['products'],
          summary: 'Add a product (organizer)',
          body: ProductInputSchema,
          response: withProblems({ 201: Type.Object({ product: ProductSchema }) }, 400, 401, 403, 409),
        },
      },
      async (request, reply) => reply.code(201).send({ product: await catalog.create(request.actor, request.body) }),
    );

    app.get(
      '/api/products',
      {
        schema: {
          tags: ['products'],
          summary: 'List products, or search them with q (full text, typos tolerated); cached 30 minutes',
          querystring: Type.Object(
            {
              q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              category: Type.Optional(Category),
              sort: Type.Optional(literals(SORTS)),
              limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
              offset: Type.Integer({ minimum: 0, maximum: 10_000, default: 0 }),
            },
            { additionalProperties: false },
          ),
          response: withProblems(
            {
              200: Type.Object({
                items: Type.Array(
                  Type.Object({
                    product: ProductSchema,
                    score: Type.Union([Type.Number({ description: 'Relevance, Borda points or trending score, by the sort' }), Type.Null()]),
                  }),
                ),
                total: Type.Integer({ description: 'Matches over every page' }),
              }),
            },
            400,
          ),
        },
      },
      async (request, reply) => {
        const { cached, ...list } = await catalog.list(request.query, request.auth?.sub ?? null);
        reply.header('x-cache', cached ? 'HIT' : 'MISS');
        return list;
      },
    );

    app.get(
      '/api/products/popular-searches',
      {
        schema: {
          tags: ['products'],
          summary: 'The most frequent searches of the last days',
          querystring: Type.Object(
            { days: Type.Integer({ minimum: 1, maximum: 90, default: 7 }), limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }) },
            { additionalProperties: false },
          ),
          response: withProblems(
            {
              200: Type.Object({
                searches: Type.Array(Type.Object({ query: Type.String(), searches: Type.Integer(), lastResults: Type.Integer() })),
              }),
            },
            400,
          ),
        },
      },
      async (request) => ({ searches: await catalog.popularSearches(request.query.days, request.query.limit) }),
    );

    app.post(
      '/api/products/import',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['products'],
          summary: 'Import products from CSV text or JSON rows; rows with errors (a taken slug) are reported, the others imported',
          body: Type.Union([
            Type.Object(
              { csv: Type.String({ minLength: 1, description: 'Header row: slug,name,category[,brand,imageUrl,attributes,...]' }) },
              { additionalProperties: false },
            ),
            Type.Object({ products: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 100_000 }) }, { additionalProperties: false }),
          ]),
          response: withProblems(
            {
              200: Type.Object({
                imported: Type.Integer(),
                errors: Type.Array(
                  Type.Object({
                    row: Type.Integer({ description: '1-based data row' }),
                    slug: Type.Optional(Type.String()),
                    code: Type.String(),
                    message: Type.String(),
                  }),
                ),
              }),
            },
            400,
            401,
            403,
            413,
          ),
        },
      },
      async (request) => catalog.import(request.actor, request.body),
    );

    app.get(
      '/api/products/:id',
      {
        schema: {
          tags: ['products'],
          summary: 'A product and its ranking stats (cached 30 minutes); counts a view when signed in',
          params: ProductParams,
          response: withProblems({ 200: Type.Object({ product: ProductSchema, stats: RankingStatsSchema }) }, 400, 404),
        },
      },
      async (request, reply) => {
        const { productId, body, cached } = await pages.get(request.params.id);
        const viewer = request.auth?.sub;
        // Counted off the answer's path: the batch commits it within milliseconds.
        if (viewer) views.record(viewer, productId).catch((error: unknown) => request.log.warn({ err: error, productId }, 'could not count a view'));
        // Already JSON in the schema's shape: Fastify sends a string as it is, without serializing it again.
        return reply
          .header('x-cache', cached ? 'HIT' : 'MISS')
          .type('application/json; charset=utf-8')
          .send(body as never);
      },
    );

    app.patch(
      '/api/products/:id',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['products'],
          summary: 'Change a product (its creator or an admin)',
          params: ProductParams,
          body: ProductPatchSchema,
          response: withProblems({ 200: Type.Object({ product: ProductSchema }) }, 400, 401, 403, 404, 409),
        },
      },
      async (request) => ({ product: await catalog.update(request.actor, request.params.id, request.body) }),
    );

    app.delete(
      '/api/products/:id',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['products'],
          summary: 'Delete a product (its creator or an admin)',
          params: ProductParams,
          response: withProblems({ 204: Type.Null() }, 400, 401, 403, 404),
        },
      },
      async (request, reply) => {
        await catalog.remove(request.actor, request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/products/:id/views',
      {
        schema: {
          tags: ['products'],
          summary: 'How many deduplicated views the product has had (read from the record, not cached)',
          params: ProductParams,
          response: withProblems({ 200: Type.Object({ productId: Type.String({ format: 'uuid' }), views: Type.Integer() }) }, 400, 404),
        },
      },
      async (request) => {
        const product = await catalog.get(request.params.id);
        return { productId: product.id, views: await views.viewsOf([product.id]) };
      },
    );

    app.post(
      '/api/products/:id/views',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['products'],
          summary: 'Count a view of this product; one per user per product per 30 minutes counts',
          params: ProductParams,
          response: withProblems({ 200: Type.Object({ counted: Type.Boolean() }) }, 400, 401, 404),
        },
      },
      async (request) => {
        const product = await catalog.get(request.params.id);
        return { counted: await views.record(request.actor.id, product.id) };
      },
    );
  };
