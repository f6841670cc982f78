// Shared TypeBox pieces for route schemas and the OpenAPI document.
import { Type, type TSchema } from '@sinclair/typebox';

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

/** Documents the problem+json answers a route can give, next to its success responses. */
export function withProblems<T extends Record<number, TSchema>>(responses: T, ...statuses: number[]): T {
  const problems = Object.fromEntries(statuses.map((status) => [status, Type.Ref(ProblemSchema)]));
  // Typed as the success responses alone, so handlers are checked against what they return.
  return { ...responses, ...problems };
}

export const Uuid = Type.String({ format: 'uuid' });
