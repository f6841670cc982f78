// Shared TypeBox pieces for route schemas and the OpenAPI document.
import { Type, type Static, type TSchema, type TUnsafe } from 'typebox';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', additionalProperties: true },
);

/**
 * A `$ref` to a schema registered by its `$id`, typed as that schema. TypeBox 1's Type.Ref takes
 * only the id and is typed unknown, so request bodies and replies would lose their types.
 */
export function ref<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}

/**
 * One of the given strings, as a union of literals. TypeBox 1 types a union built from an array
 * (rather than a tuple) as never.
 */
export function literals<V extends string>(values: readonly V[]): TUnsafe<V> {
  return Type.Unsafe<V>(Type.Union(values.map((value) => Type.Literal(value))));
}

/** Documents the problem+json answers a route can give, next to its success responses. */
export function withProblems<T extends Record<number, unknown>>(responses: T, ...statuses: number[]): T {
  const problems = Object.fromEntries(statuses.map((status) => [status, ref(ProblemSchema)]));
  // Typed as the success responses alone, so handlers are checked against what they return.
  return { ...responses, ...problems };
}

export const Uuid = Type.String({ format: 'uuid' });

/** A JSON object whose keys depend on its kind (an audit entry's type, a job's name): typed as an object, not as anything. */
export const JsonObject = (description: string) => Type.Object({}, { additionalProperties: true, description });
