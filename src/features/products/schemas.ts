// TypeBox shapes of products and rankings, shared by routes, the import and the OpenAPI document.
import { Type, type Static } from 'typebox';
import { JsonObject, Uuid } from '../../http/schemas.js';

/** A category is also a channel id (board:ranking:<category>), so it keeps to the channel's characters. */
export const Category = Type.String({ pattern: '^[A-Za-z0-9_.-]+$', minLength: 1, maxLength: 64 });
export const Slug = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', minLength: 1, maxLength: 128 });
const Attributes = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { description: 'Free-form product attributes', maxProperties: 64 });

export const ProductInputSchema = Type.Object(
  {
    slug: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    brand: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    category: Category,
    imageUrl: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 })),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false },
);
export type ProductInput = Static<typeof ProductInputSchema>;

export const ProductPatchSchema = Type.Object(
  {
    slug: Type.Optional(Slug),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    brand: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    category: Type.Optional(Category),
    imageUrl: Type.Optional(Type.Union([Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }), Type.Null()])),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ProductPatch = Static<typeof ProductPatchSchema>;

export const ProductSchema = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  brand: Type.Union([Type.String(), Type.Null()]),
  category: Type.String(),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  attributes: JsonObject('Free-form product attributes'),
  createdBy: Type.Union([Uuid, Type.Null()], { description: 'Who may edit it, with admins' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const RankingStatsSchema = Type.Object({
  bordaScore: Type.Integer({ description: 'Per ranking of k products: k-1 points for the first down to 0 for the last, summed' }),
  averagePosition: Type.Union([Type.Number({ description: '1-based' }), Type.Null()]),
  rankers: Type.Integer(),
  confidenceInterval: Type.Union([
    Type.Object({ low: Type.Number(), high: Type.Number() }, { description: '95 % interval of the average position; null below 2 rankers' }),
    Type.Null(),
  ]),
});
