// Every response a test server sends is checked against /openapi.json: the status must be
// documented for the operation, and the body must match the schema documented for that status and
// content type. The validators are compiled from the published document, not from the routes'
// own options, so a document that drifts from the code fails here. Violations are recorded and
// the afterEach in response-contract-setup.ts fails the test that caused them.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

interface MediaType {
  schema?: object;
}
interface DocumentedResponse {
  content?: Record<string, MediaType>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, DocumentedResponse> }>>;
}

const violations: string[] = [];

/** Violations since the last call; the setup file's afterEach fails the test with them. */
export function takeViolations(): string[] {
  return violations.splice(0);
}

export function checkResponses(app: FastifyInstance): void {
  let contract: ReturnType<typeof compileContract> | undefined;
  app.addHook('onSend', (request, reply, payload, done) => {
    // The document exists once every route is registered, i.e. by the first request.
    contract ??= compileContract(app.swagger() as unknown as Document);
    const violation = contract.check(request, reply, payload);
    if (violation) violations.push(`${request.method} ${request.url} -> ${reply.statusCode}: ${violation}`);
    done(null, payload);
  });
}

function compileContract(document: Document) {
  // OpenAPI 3.1 schemas are JSON Schema 2020-12; the document itself is the root their $refs resolve against.
  const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi.json');
  const validators = new Map<string, ValidateFunction>();

  function validator(path: string, method: string, status: string, mediaType: string): ValidateFunction {
    const pointer = ['paths', path, method, 'responses', status, 'content', mediaType, 'schema'].map(escapePointer).join('/');
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi.json#/${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  }

  return {
    check(request: FastifyRequest, reply: FastifyReply, payload: unknown): string | undefined {
      const url = request.routeOptions.url;
      if (!url) return undefined; // no route: the not-found handler answers, outside any operation
      const path = url.replace(/:(\w+)/g, '{$1}');
      const method = request.method === 'HEAD' ? 'get' : request.method.toLowerCase();
      const operation = document.paths[path]?.[method];
      if (!operation) return undefined; // hidden routes (/openapi.json, /docs) are not part of the contract
      const status = String(reply.statusCode);
      const documented = operation.responses[status];
      if (!documented) return `status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`;
      // Node sends no body with these whatever the handler passed (Fastify serializes `null` as "null").
      if (reply.statusCode === 204 || reply.statusCode === 304) return undefined;
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : undefined;
      if (body === undefined) return undefined; // streams
      if (!documented.content) return body === '' ? undefined : `a body was sent where none is documented: ${body.slice(0, 200)}`;
      if (request.method === 'HEAD') return undefined;
      const contentType = String(reply.getHeader('content-type') ?? '')
        .split(';')[0]!
        .trim();
      if (!documented.content[contentType])
        return `content type '${contentType}' is not documented (documented: ${Object.keys(documented.content).join(', ')})`;
      if (!/[/+]json$/.test(contentType)) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return `the ${contentType} body is not JSON: ${body.slice(0, 200)}`;
      }
      const validate = validator(path, method, status, contentType);
      if (validate(value)) return undefined;
      return `body does not match the documented schema: ${ajv.errorsText(validate.errors)}; body: ${body.slice(0, 300)}`;
    },
  };
}

function escapePointer(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
}
