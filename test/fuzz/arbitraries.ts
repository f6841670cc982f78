// fast-check arbitraries derived from the JSON schemas of the OpenAPI document: values that
// satisfy a schema, and values with exactly one thing broken.
import fc, { type Arbitrary } from 'fast-check';

export type Schema = Record<string, any>;

/** Follows `#/components/...` references within the document. */
export type Resolve = (schema: Schema) => Schema;

export function resolver(document: object): Resolve {
  const resolve: Resolve = (schema) => {
    if (typeof schema.$ref !== 'string') return schema;
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node: any, key: string) => node?.[key], document);
    return resolve(target ?? {});
  };
  return resolve;
}

const FORMATS: Record<string, () => Arbitrary<string>> = {
  uuid: () => fc.uuid({ version: 4 }),
  email: () => fc.emailAddress(),
  'date-time': () => fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
  date: () =>
    fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
};

function stringOf(schema: Schema): Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, minLength + 40);
  const format = FORMATS[schema.format as string];
  if (format) return format();
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern as string, 'u');
    return fc
      .stringMatching(new RegExp(pattern.source.replace(/\\p\{L\}|\\p\{N\}/g, 'a-z0-9')))
      .map((value) => value.slice(0, maxLength))
      .filter((value) => value.length >= minLength && pattern.test(value));
  }
  return fc.string({ minLength, maxLength });
}

/** A value valid against `schema`. */
export function valid(schema: Schema, resolve: Resolve, depth = 0): Arbitrary<unknown> {
  schema = resolve(schema);
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (union) return fc.oneof(...union.map((member) => valid(member, resolve, depth)));
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
    case 'number': {
      const integer = schema.type === 'integer';
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 0.001) : -1e6);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 0.001) : 1e6);
      return integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valid(schema.items ?? {}, resolve, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, (schema.minItems ?? 0) + 5),
      });
    case 'object':
      return objectOf(schema, resolve, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: Schema, resolve: Resolve, depth: number): Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set<string>(schema.required ?? []);
  if (depth > 4) return fc.constant({});
  const record = fc.record(Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, valid(property, resolve, depth + 1)])), {
    requiredKeys: Object.keys(properties).filter((key) => required.has(key)),
  });
  return record.map((value) => value as Record<string, unknown>);
}

/** Ways to break one value. */
const BREAKERS: Array<(schema: Schema) => Arbitrary<unknown>> = [
  // Wrong type
  (schema) => fc.constantFrom<unknown>(...[42, 'text', true, null, [], {}].filter((value) => typeof value !== schema.type)),
  // Out of range
  (schema) =>
    fc.constantFrom<unknown>(
      schema.maximum !== undefined ? schema.maximum + 1 : Number.MAX_SAFE_INTEGER,
      schema.minimum !== undefined ? schema.minimum - 1 : -Number.MAX_SAFE_INTEGER,
      schema.maxLength !== undefined ? 'x'.repeat(schema.maxLength + 1) : 1e308,
    ),
  // Oversized: past any field limit, and past the body limit
  () => fc.constantFrom('y'.repeat(10_000), 'z'.repeat(70 * 1024)),
  // NUL and other control characters Postgres text refuses
  () => fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'line\r\nbreak'),
  // Deep nesting
  () => fc.integer({ min: 100, max: 1_000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
];

/** `schema`'s value with exactly one thing broken: the whole value, one property, or one missing required property. */
export function broken(schema: Schema, resolve: Resolve): Arbitrary<unknown> {
  schema = resolve(schema);
  const replaced = fc.oneof(...BREAKERS.map((breaker) => breaker(schema)));
  if (schema.type !== 'object' || !schema.properties) return replaced;
  const keys = Object.keys(schema.properties as object);
  const required: string[] = schema.required ?? [];
  const base = objectOf(schema, resolve, 0);
  const brokenProperty = fc
    .tuple(base, fc.constantFrom(...keys))
    .chain(([value, key]) => broken((schema.properties as Record<string, Schema>)[key]!, resolve).map((bad) => ({ ...value, [key]: bad })));
  const missing = required.length
    ? fc.tuple(base, fc.constantFrom(...required)).map(([value, key]) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key)))
    : base;
  const unknown = base.map((value) => ({ ...value, notInTheSchema: 1 }));
  return fc.oneof(replaced, brokenProperty, missing, unknown);
}
