// The response-contract check itself: it must catch what it exists to catch.
import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { checkResponses, takeViolations } from './response-contract.js';

afterEach(() => void takeViolations());

describe('response contract', () => {
  it('records an undocumented status and a body off its schema, and passes a conforming answer', async () => {
    const app = Fastify();
    checkResponses(app);
    await app.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 't', version: '1' } } });
    const response: Record<string, object> = { 200: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } };
    app.get('/fine', { schema: { response } }, async () => ({ name: 'ok' }));
    // A string payload skips the serializer, as a route that builds its own JSON would.
    app.get('/off-schema', { schema: { response } }, async (_request, reply) => reply.type('application/json').send('{"other":1}'));
    app.get('/teapot', { schema: { response } }, async (_request, reply) => reply.code(418).send({ name: 'tea' }));
    await app.ready();

    expect((await app.inject('/fine')).statusCode).toBe(200);
    expect(takeViolations()).toEqual([]);
    await app.inject('/off-schema');
    await app.inject('/teapot');
    const violations = takeViolations();
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatch(/GET \/off-schema -> 200: body does not match the documented schema: .*name/);
    expect(violations[1]).toMatch(/GET \/teapot -> 418: status 418 is not documented/);
    await app.close();
  });
});
