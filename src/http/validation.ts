// Request validation. Query strings and params arrive as text, so they are coerced ("10" -> 10);
// JSON bodies are not, so that {"capacity": "700"} is the 400 it should be.
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type RouteSchema = { httpPart?: string };
type BuildValidator = (externalSchemas: unknown, options: { customOptions?: Record<string, unknown> } | undefined) => (route: RouteSchema) => unknown;

export function validatorCompilers(): SchemaController {
  // The compiler pools one Ajv per distinct option set, so these two stay separate.
  const build = AjvCompiler() as unknown as BuildValidator;
  const buildValidator: BuildValidator = (externalSchemas, options) => {
    const coercing = build(externalSchemas, options);
    const strict = build(externalSchemas, { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } });
    return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route));
  };
  // Fastify's typings for compiler factories are narrower than what it accepts at run time.
  return { compilersFactory: { buildValidator } } as unknown as SchemaController;
}
