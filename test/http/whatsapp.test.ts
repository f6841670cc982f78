// The WhatsApp channel against a local stand-in for the Graph API: the webhook handshake,
// real X-Hub-Signature-256 signatures, durable deduplication, statuses, inbound handlers,
// retries, dead letters, the 24-hour window and the send-rate cap.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderQuestion } from '../../src/features/whatsapp/render.js';
import type { InboundMessage } from '../../src/features/whatsapp/inbound.js';
import { startTestApp, type TestApp } from '../harness/app.js';
import { startGraphApiStandIn, type GraphApiStandIn } from '../harness/graph-api-stand-in.js';
import { waitFor } from '../harness/processes.js';

const APP_SECRET = 'stand-in-app-secret';
const MAX_MPS = 20;

const sign = (body: string, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

let sequence = 0;
const nextPhone = () => `4479${String(1_000_000 + sequence++)}`;

function delivery(messages: object[], statuses: object[] = []) {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', contacts: [], messages, statuses } }] }],
  });
}

const textMessage = (id: string, from: string, body: string) => ({
  id,
  from,
  timestamp: String(Math.floor(Date.now() / 1000)),
  type: 'text',
  text: { body },
});

describe.each([
  { name: 'embedded', options: {} },
  { name: 'postgres + redis', options: { store: 'postgres' as const, redis: true } },
])('whatsapp channel ($name)', ({ options }) => {
  let app: TestApp;
  let graph: GraphApiStandIn;
  const seen: InboundMessage[] = [];

  const post = (body: string, signature?: string) =>
    app.request('POST', '/api/whatsapp/webhook', { body, headers: signature ? { 'x-hub-signature-256': signature } : {} });
  const callsTo = (to: string) => graph.calls.filter((call) => call.body.to === to);
  const until = (check: () => boolean | Promise<boolean>, what: string) => waitFor(async () => check(), 20_000, what);

  beforeAll(async () => {
    graph = await startGraphApiStandIn();
    app = await startTestApp({
      ...options,
      env: {
        WHATSAPP_GRAPH_URL: graph.url,
        WHATSAPP_PHONE_NUMBER_ID: '1000',
        WHATSAPP_ACCESS_TOKEN: 'stand-in-token',
        WHATSAPP_APP_SECRET: APP_SECRET,
        WHATSAPP_VERIFY_TOKEN: 'verify-me',
        WHATSAPP_MAX_MPS: String(MAX_MPS),
        WHATSAPP_TEMPLATE_NAME: 'game_invite',
        MESSAGING_RETRY_ATTEMPTS: '4',
        MESSAGING_RETRY_BACKOFF_MS: '10',
      },
    });
    // What trivia will do: take JOIN and answers, reply with a question.
    app.whatsapp.registerInboundHandler({
      async handle(message, reply) {
        seen.push(message);
        if (message.reply.kind !== 'join') return false;
        await reply(renderQuestion({ text: `Joined ${message.reply.pin}. First question?`, options: ['Red', 'Green', 'Blue'] }, 'q1'));
        return true;
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await graph?.close();
  });

  it('answers the verification handshake only with the configured token', async () => {
    const ok = await app.request('GET', '/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await app.request('GET', '/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1');
    expect(wrong.status).toBe(403);
  });

  it('refuses unsigned and wrongly signed deliveries with 401 and processes nothing', async () => {
    const from = nextPhone();
    const body = delivery([textMessage(`wamid.bad-${from}`, from, 'JOIN 123456')]);
    expect((await post(body)).status).toBe(401);
    expect((await post(body, sign(body, 'another-secret'))).status).toBe(401);
    expect((await post(body, sign(`${body} `))).status).toBe(401);
    // A signed delivery sent afterwards is processed; the refused ones before it never were.
    const marker = nextPhone();
    const good = delivery([textMessage(`wamid.good-${marker}`, marker, 'JOIN 222222')]);
    expect((await post(good, sign(good))).status).toBe(200);
    await until(() => callsTo(marker).length === 1, 'the reply to the signed delivery');
    expect(seen.some((message) => message.from === from)).toBe(false);
    expect(callsTo(from)).toHaveLength(0);
  });

  it('hands each message to the handlers once, however often and however it is redelivered', async () => {
    const from = nextPhone();
    const join = textMessage(`wamid.join-${from}`, from, ' join 654321 ');
    const body = delivery([join]);
    const responses = await Promise.all([post(body, sign(body)), post(body, sign(body))]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    // The same message inside a different delivery (WhatsApp retries days later, batched differently).
    const later = delivery([join, textMessage(`wamid.b-${from}`, from, 'B')]);
    expect((await post(later, sign(later))).status).toBe(200);
    await until(() => seen.filter((message) => message.from === from).length === 2, 'both messages handled');
    const mine = seen.filter((message) => message.from === from);
    // Once each. In either order: the later delivery's "B" may be handled while the first job is
    // still on the JOIN (handlers registered before this one, trivia's, take time on it).
    expect(mine).toHaveLength(2);
    expect(mine.map((message) => message.reply)).toEqual(
      expect.arrayContaining([
        { kind: 'join', pin: '654321' },
        { kind: 'letter', letter: 'B', index: 1 },
      ]),
    );
    // "B" was not taken by the handler: the player gets the help text.
    await until(() => callsTo(from).length === 2, 'the help reply');
    // Sends run on several workers, so the two may arrive in either order.
    const question = callsTo(from).find((call) => call.body.type === 'interactive')!.body;
    const help = callsTo(from).find((call) => call.body.type === 'text')!.body;
    expect(question.interactive.type).toBe('button');
    expect(question.interactive.action.buttons.map((button: any) => button.reply.id)).toEqual(['q1:0', 'q1:1', 'q1:2']);
    expect(help.text.body).toMatch(/JOIN/);
    expect(graph.calls[0]!.authorization).toBe('Bearer stand-in-token');
  });

  it('parses button and list replies into choice ids', async () => {
    const from = nextPhone();
    const body = delivery([
      {
        id: `wamid.btn-${from}`,
        from,
        timestamp: '1700000000',
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'q1:2', title: 'C. Blue' } },
      },
      {
        id: `wamid.list-${from}`,
        from,
        timestamp: '1700000001',
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'q2:7', title: 'H' } },
      },
    ]);
    expect((await post(body, sign(body))).status).toBe(200);
    await until(() => seen.filter((message) => message.from === from).length === 2, 'both replies handled');
    expect(seen.filter((message) => message.from === from).map((message) => message.reply)).toEqual([
      { kind: 'choice', id: 'q1:2' },
      { kind: 'choice', id: 'q2:7' },
    ]);
  });

  it('records delivery statuses per message, once each, whatever the order', async () => {
    const id = `wamid.status-${nextPhone()}`;
    const at = (s: number) => String(1_700_000_000 + s);
    const body = delivery(
      [],
      [
        { id, status: 'read', timestamp: at(3), recipient_id: '447900' },
        { id, status: 'sent', timestamp: at(1), recipient_id: '447900' },
        { id, status: 'delivered', timestamp: at(2), recipient_id: '447900' },
      ],
    );
    expect((await post(body, sign(body))).status).toBe(200);
    const again = delivery([], [{ id, status: 'delivered', timestamp: at(2), recipient_id: '447900' }]);
    expect((await post(again, sign(again))).status).toBe(200);
    await until(async () => (await app.whatsapp.statusesOf(id)).length === 3, 'three statuses');
    const failed = delivery([], [{ id: `${id}-f`, status: 'failed', timestamp: at(4), recipient_id: '447900', errors: [{ code: 131047 }] }]);
    expect((await post(failed, sign(failed))).status).toBe(200);
    await until(async () => (await app.whatsapp.statusesOf(`${id}-f`)).length === 1, 'the failed status');
    expect((await app.whatsapp.statusesOf(id)).map((status) => status.status)).toEqual(['sent', 'delivered', 'read']);
    expect((await app.whatsapp.statusesOf(`${id}-f`))[0]).toMatchObject({ status: 'failed', errorCode: 131047 });
  });

  it('retries 429, error 130429 and 5xx with backoff, then delivers', async () => {
    const to = nextPhone();
    await app.messenger.recordInbound(to, new Date());
    graph.failNext(429, 1, to);
    graph.failNext('graph-130429', 1, to);
    graph.failNext(500, 1, to);
    await app.messenger.send({ channel: 'whatsapp', to, content: { kind: 'text', body: 'hello' } });
    await until(() => callsTo(to).some((call) => call.status === 200), 'the delivery after three faults');
    expect(callsTo(to).map((call) => call.status)).toEqual([429, 400, 500, 200]);
  });

  it('puts a message out of attempts, or refused outright, in the dead-letter set', async () => {
    const exhausted = nextPhone();
    const refused = nextPhone();
    await app.messenger.recordInbound(exhausted, new Date());
    await app.messenger.recordInbound(refused, new Date());
    graph.failNext(500, 4, exhausted);
    graph.failNext(400, 1, refused);
    await app.messenger.send({ channel: 'whatsapp', to: exhausted, content: { kind: 'text', body: 'x' } });
    await app.messenger.send({ channel: 'whatsapp', to: refused, content: { kind: 'text', body: 'y' } });
    const deadFor = async (to: string) => (await app.messenger.deadLetters('whatsapp')).find((job) => (job.data as { to: string }).to === to);
    await until(async () => !!(await deadFor(exhausted)) && !!(await deadFor(refused)), 'both dead letters');
    expect(callsTo(exhausted)).toHaveLength(4);
    expect(callsTo(refused)).toHaveLength(1);
    expect((await deadFor(refused))!.failedReason).toMatch(/131026/);
  });

  it('sends only the configured template outside the 24-hour window', async () => {
    const stale = nextPhone();
    await app.messenger.recordInbound(stale, new Date(Date.now() - 25 * 3600 * 1000));
    const fresh = nextPhone();
    await app.messenger.recordInbound(fresh, new Date(Date.now() - 23 * 3600 * 1000));
    await app.messenger.send({ channel: 'whatsapp', to: stale, content: { kind: 'text', body: 'free text' } });
    await app.messenger.send({ channel: 'whatsapp', to: fresh, content: { kind: 'text', body: 'free text' } });
    await until(() => callsTo(stale).length === 1 && callsTo(fresh).length === 1, 'both sends');
    expect(callsTo(stale)[0]!.body).toMatchObject({ type: 'template', template: { name: 'game_invite', language: { code: 'en_US' } } });
    expect(callsTo(fresh)[0]!.body).toMatchObject({ type: 'text', text: { body: 'free text' } });
  });

  it(`never lets the Graph API see more than WHATSAPP_MAX_MPS (${MAX_MPS}) sends in any one second`, async () => {
    const recipients = Array.from({ length: 3 * MAX_MPS }, nextPhone);
    await Promise.all(recipients.map((to) => app.messenger.recordInbound(to, new Date())));
    const before = graph.accepted().length;
    await Promise.all(recipients.map((to) => app.messenger.send({ channel: 'whatsapp', to, content: { kind: 'text', body: 'burst' } })));
    await until(() => graph.accepted().length >= before + recipients.length, 'every burst message');
    expect(graph.maxInWindow(1000)).toBeLessThanOrEqual(MAX_MPS);
  });
});
