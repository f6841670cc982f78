// Trivia in async mode played from WhatsApp, end to end: signed webhook deliveries in, the
// Graph API stand-in recording every reply out. A player joins by pin, answers by button, list,
// letters and text, gets each result and the final standing; a redelivered message answers nothing.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';
import { startGraphApiStandIn, type GraphApiStandIn, type RecordedCall } from '../harness/graph-api-stand-in.js';
import { waitFor } from '../harness/processes.js';
import { ADMIN, QUIZ, adminToken, manualClock } from './trivia-fixtures.js';

const APP_SECRET = 'stand-in-app-secret';
const sign = (body: string) => `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;

let sequence = 0;
const message = (from: string, content: object) => ({
  id: `wamid.${from}-${sequence++}`,
  from,
  timestamp: String(Math.floor(Date.now() / 1000)),
  ...content,
});
const text = (from: string, body: string) => message(from, { type: 'text', text: { body } });
const button = (from: string, id: string) =>
  message(from, { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id, title: id } } });
const listRow = (from: string, id: string) =>
  message(from, { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id, title: id } } });

const delivery = (messages: object[], name = 'Ada') =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ changes: [{ field: 'messages', value: { contacts: messages.map((m: any) => ({ wa_id: m.from, profile: { name } })), messages } }] }],
  });

/** What a reply says, whatever its kind. */
const said = (call: RecordedCall): string => call.body.text?.body ?? call.body.interactive?.body?.text ?? '';

describe.each([
  { name: 'embedded', options: {} },
  { name: 'postgres + redis', options: { store: 'postgres' as const, redis: true } },
])('trivia on WhatsApp ($name)', ({ options }) => {
  const clock = manualClock();
  let app: TestApp;
  let graph: GraphApiStandIn;
  let host: string;

  beforeAll(async () => {
    graph = await startGraphApiStandIn();
    app = await startTestApp({
      ...options,
      clock: clock.now,
      env: {
        ...ADMIN,
        RATE_LIMIT_TRIVIA_ANSWERS: '1000/10s',
        WHATSAPP_GRAPH_URL: graph.url,
        WHATSAPP_PHONE_NUMBER_ID: '1000',
        WHATSAPP_ACCESS_TOKEN: 'stand-in-token',
        WHATSAPP_APP_SECRET: APP_SECRET,
        WHATSAPP_VERIFY_TOKEN: 'verify-me',
      },
    });
    host = await adminToken(app);
  });
  afterAll(async () => {
    await app?.stop();
    await graph?.close();
  });

  const send = async (...messages: object[]) => {
    const body = delivery(messages);
    const response = await app.request('POST', '/api/whatsapp/webhook', { body, headers: { 'x-hub-signature-256': sign(body) } });
    expect(response.status).toBe(200);
  };
  const callsTo = (to: string) => graph.calls.filter((call) => call.body.to === to && call.status === 200);
  /** Waits until `to` has received `count` replies in all; sends run on several workers, so in any order. */
  const replies = async (to: string, count: number) => {
    await waitFor(async () => callsTo(to).length >= count, 20_000, `${count} replies to ${to}`);
    return callsTo(to);
  };
  const startedGame = async () => {
    const quiz = (await (await app.request('POST', '/api/quizzes', { token: host, body: QUIZ })).json()).quiz;
    const game = (await (await app.request('POST', '/api/games', { token: host, body: { quizId: quiz.id, mode: 'async' } })).json()).game;
    expect((await app.request('POST', `/api/games/${game.id}/start`, { token: host, body: {} })).status).toBe(200);
    return game as { id: string; pin: string };
  };

  it('plays a whole game: join by pin, answers by button, list, letters and text, results and the final standing', async () => {
    const game = await startedGame();
    const phone = '447900000001';
    await send(text(phone, `JOIN ${game.pin}`));
    let calls = await replies(phone, 2);
    expect(calls.map(said)).toEqual(expect.arrayContaining([expect.stringMatching(/You're in "Capitals and numbers" as Ada/)]));
    const first = calls.find((call) => call.body.type === 'interactive')!.body;
    expect(first.interactive.type).toBe('button');
    expect(first.interactive.body.text).toMatch(/^Question 1\/4: Capital of France\?/);
    expect(first.interactive.action.buttons.map((b: any) => b.reply.id)).toEqual(['q0:0', 'q0:1', 'q0:2']);

    // Button reply "B. Paris"; the same message delivered again (another batch) answers nothing.
    const paris = button(phone, 'q0:1');
    await send(paris);
    calls = await replies(phone, 4);
    expect(calls.map(said)).toContain('Right! +1000 points. Your score: 1000.');
    const second = calls.find((call) => call.body.interactive?.type === 'list')!.body;
    expect(second.interactive.body.text).toMatch(/^Question 2\/4: Primes\?/);

    // WhatsApp redelivers the button reply in another batch, with the next answer: a list row
    // alone is one of the two primes, so wrong, no points; the redelivered one answers nothing.
    await send(paris, listRow(phone, 'q1:0'));
    calls = await replies(phone, 6);
    expect(calls.map(said)).toContain('Not this time. Your score: 1000.');
    expect(calls.map(said)).toEqual(expect.arrayContaining([expect.stringMatching(/^Question 3\/4: Capital of Switzerland\?$/)]));

    await send(text(phone, 'bern'));
    calls = await replies(phone, 8);
    expect(calls.map(said)).toContain('Right! +1000 points. Your score: 2000.');
    expect(calls.map(said)).toEqual(expect.arrayContaining([expect.stringMatching(/^Question 4\/4: Speed of light/)]));

    await send(text(phone, '299792'));
    calls = await replies(phone, 10);
    expect(calls.map(said)).toContain('Right! +1000 points. Your score: 3000.');
    expect(calls.map(said)).toContain(`That's all! Final score 3000, rank 1 of 1. Thanks for playing "Capitals and numbers".`);

    // Once more after the end: the standing again. The redelivered button reply sent nothing at all.
    await send(text(phone, 'hello'));
    calls = await replies(phone, 11);
    expect(calls.filter((call) => said(call).startsWith(`That's all!`))).toHaveLength(2);
    expect(calls).toHaveLength(11);
    const state = await (await app.request('GET', `/api/games/${game.id}`, { token: host })).json();
    expect(state.game.players).toBe(1);
  });

  it('answers a multi question by letters, refuses a late answer and a non-answer, and sends an unknown pin the help', async () => {
    const game = await startedGame();
    const phone = '447900000002';
    await send(text(phone, `join ${game.pin}`));
    await replies(phone, 2);
    // Nonsense for a choice question: a hint, and the question stays.
    await send(text(phone, 'maybe'));
    let calls = await replies(phone, 3);
    expect(calls.map(said)).toContain('That is not an answer to question 1. Tap an option or reply with its letter.');
    // The 20 s window and its 500 ms grace pass: too late, then question 2.
    clock.advance(20_501);
    await send(text(phone, 'B'));
    calls = await replies(phone, 5);
    expect(calls.map(said)).toContain('Too late for question 1.');
    await send(text(phone, 'A, C'));
    calls = await replies(phone, 7);
    expect(calls.map(said)).toContain('Right! +500 points. Your score: 500.');

    const stranger = '447900000003';
    await send(text(stranger, 'JOIN 999999'));
    expect((await replies(stranger, 1)).map(said)).toEqual([expect.stringMatching(/^Send JOIN followed by the game PIN/)]);
  });
});
