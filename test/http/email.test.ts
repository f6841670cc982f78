// Email through a real SMTP exchange with a local server: passwordless sign-in links and the
// registration notifications, each honouring the user's settings.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/processes.js';
import { startSmtpStandIn, type SmtpStandIn } from '../harness/smtp-stand-in.js';
import { ADMIN_ENV, createEvent, organizer, query, register } from './events-fixtures.js';

const PUBLIC_URL = 'https://stampede.example';
const until = (check: () => boolean, what: string) => waitFor(async () => check(), 20_000, what);

let mailboxes = 0;
/** A new account with a known address. */
async function member(app: TestApp) {
  const email = `member-${Date.now().toString(36)}-${mailboxes++}@example.com`;
  return { ...(await signUp(app, { email })), email };
}

function linkIn(text: string): URL {
  const match = /https?:\/\/\S+/.exec(text);
  if (!match) throw new Error(`no link in ${text}`);
  return new URL(match[0]);
}

describe.each([
  { name: 'PGlite', options: { store: 'pglite' as const } },
  { name: 'PostgreSQL + Redis', options: { store: 'postgres' as const, redis: true } },
])('email on $name', ({ options }) => {
  let app: TestApp;
  let smtp: SmtpStandIn;

  beforeAll(async () => {
    smtp = await startSmtpStandIn();
    app = await startTestApp({ ...options, env: { ...ADMIN_ENV, SMTP_URL: smtp.url, PUBLIC_URL, MESSAGING_RETRY_BACKOFF_MS: '10' } });
  });
  afterAll(async () => {
    await app?.stop();
    await smtp?.close();
  });

  const requestLink = (email: string) => app.request('POST', '/api/auth/email-link', { body: { email } });
  const verify = (token: string) => app.request('POST', '/api/auth/email-link/verify', { body: { token } });

  it('signs in with a one-time link, and answers alike for an unknown address', async () => {
    const { user, email } = await member(app);
    const unknown = await requestLink(`nobody-${Date.now()}@example.com`);
    const known = await requestLink(email.toUpperCase());
    expect([unknown.status, known.status]).toEqual([202, 202]);
    expect(await unknown.json()).toEqual(await known.json());

    await until(() => smtp.to(email).length === 1, 'the sign-in mail');
    const mail = smtp.to(email)[0]!;
    const link = linkIn(mail.text);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_URL}/sign-in/email`);
    expect(mail.html).toContain(link.toString());
    const token = link.searchParams.get('token')!;

    const session = await verify(token);
    expect(session.status).toBe(200);
    const { token: bearer, user: signedIn } = await session.json();
    expect(signedIn.id).toBe(user.id);
    expect((await app.request('GET', '/api/me', { token: bearer })).status).toBe(200);

    const reused = await verify(token);
    expect(reused.status).toBe(401);
    expect((await reused.json()).code).toBe('LINK_INVALID');
    // Only a hash is stored.
    const stored = await query<{ token_hash: string }>(app, sql`select token_hash from email_link_tokens where user_id = ${user.id}`);
    expect(stored.map((row) => row.token_hash)).not.toContain(token);
    expect(smtp.mails.some((m) => m.to.some((to) => to.startsWith('nobody-')))).toBe(false);
  });

  it('refuses an expired link with 401 LINK_INVALID', async () => {
    const { user, email } = await member(app);
    await requestLink(email);
    await until(() => smtp.to(email).length === 1, 'the sign-in mail');
    await query(app, sql`update email_link_tokens set expires_at = now() - interval '1 second' where user_id = ${user.id}`);
    const answer = await verify(linkIn(smtp.to(email)[0]!.text).searchParams.get('token')!);
    expect(answer.status).toBe(401);
    expect((await answer.json()).code).toBe('LINK_INVALID');
  });

  it('mails a confirmation, a promotion and a refund, with the event and a link back', async () => {
    const org = await organizer(app);
    const event = await createEvent(app, org.token, { title: 'Harbour <Run>', capacity: 1, waitlist: true });
    const first = await member(app);
    const second = await member(app);
    expect((await register(app, event.id, first.token)).body.registration.status).toBe('confirmed');
    expect((await register(app, event.id, second.token)).body.registration.status).toBe('waitlisted');
    const firstEmail = first.email;
    await until(() => smtp.to(firstEmail).length === 1, 'the confirmation');
    const confirmation = smtp.to(firstEmail)[0]!;
    expect(confirmation.subject).toBe("You're in: Harbour <Run>");
    expect(confirmation.html).toContain('Harbour &lt;Run&gt;');
    // Follow the link back: it names the event the API serves.
    const back = linkIn(confirmation.text.slice(confirmation.text.indexOf('Open it:')));
    expect(back.origin).toBe(PUBLIC_URL);
    const slug = decodeURIComponent(back.pathname.split('/').pop()!);
    const followed = await app.request('GET', `/api/events/${slug}`);
    expect((await followed.json()).event.id).toBe(event.id);

    expect((await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: first.token })).status).toBe(200);
    const secondEmail = second.email;
    await until(() => smtp.to(secondEmail).length === 1, 'the promotion');
    expect(smtp.to(secondEmail)[0]!.subject).toBe('A spot opened up: Harbour <Run>');
  });

  it('reminds of a hold ending within 10 minutes, and mails the refund of a cancelled payment', async () => {
    const org = await organizer(app);
    const event = await createEvent(app, org.token, { title: 'Paid', capacity: 2, priceCents: 1500, holdSeconds: 300 });
    const player = await member(app);
    const email = player.email;
    const { body } = await register(app, event.id, player.token);
    expect(body.registration.status).toBe('held');
    await until(() => smtp.to(email).length === 1, 'the hold reminder');
    expect(smtp.to(email)[0]!.subject).toBe('10 minutes left to keep your spot: Paid');

    expect((await app.request('POST', `/api/registrations/${body.registration.id}/mark-paid`, { token: org.token })).status).toBe(200);
    await until(() => smtp.to(email).length === 2, 'the confirmation');
    expect((await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: player.token })).status).toBe(200);
    await until(() => smtp.to(email).length === 3, 'the refund notice');
    expect(smtp.to(email).map((mail) => mail.subject)).toEqual(['10 minutes left to keep your spot: Paid', "You're in: Paid", 'Refund issued: Paid']);
    expect(smtp.to(email)[2]!.text).toContain('15.00');
  });

  it('sends nothing the user turned off in their settings', async () => {
    const org = await organizer(app);
    const event = await createEvent(app, org.token, { capacity: 5 });
    const player = await member(app);
    const email = player.email;
    const put = await app.request('PUT', '/api/me/settings', {
      token: player.token,
      body: { utcOffsetMinutes: 60, notifications: { registrationConfirmed: false } },
    });
    expect(put.status).toBe(200);
    expect((await put.json()).notifications).toEqual({
      registrationConfirmed: false,
      waitlistPromoted: true,
      holdExpiring: true,
      lotteryResult: true,
      refundIssued: true,
    });
    expect((await register(app, event.id, player.token)).body.registration.status).toBe('confirmed');
    // A mail sent after the registration arrives; the confirmation before it never did.
    await requestLink(email);
    await until(() => smtp.to(email).length === 1, 'the sign-in mail');
    expect(smtp.to(email)[0]!.subject).toBe('Your Stampede sign-in link');
    const settings = await (await app.request('GET', '/api/me/settings', { token: player.token })).json();
    expect(settings).toMatchObject({ utcOffsetMinutes: 60, notifications: { registrationConfirmed: false } });
  });
});

describe('email sign-in rate limit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_AUTH: '10/15m' } });
  });
  afterAll(async () => app?.stop());

  it('allows 10 link requests per 15 minutes per client IP, then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await app.request('POST', '/api/auth/email-link', { body: { email: `rate-${i}@example.com` } })).status);
    expect(statuses).toEqual([...Array(10).fill(202), 429]);
  });
});
