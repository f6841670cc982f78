import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { sessionExpiry } from './stripe.js';

describe('sessionExpiry', () => {
  const now = new Date('2026-11-22T10:00:00Z');
  const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

  it('keeps a hold that ends inside Stripe’s window', () => {
    expect(sessionExpiry(minutes(90), now)).toEqual(minutes(90));
  });

  it('stretches a short hold to Stripe’s 30-minute minimum, with a minute to spare', () => {
    expect(sessionExpiry(minutes(10), now)).toEqual(minutes(31));
    expect(sessionExpiry(minutes(-5), now)).toEqual(minutes(31));
  });

  it('cuts a long hold to Stripe’s 24-hour maximum, with a minute to spare', () => {
    expect(sessionExpiry(minutes(48 * 60), now)).toEqual(minutes(24 * 60 - 1));
  });
});

describe('payments config', () => {
  it('defaults to the manual provider and a local public URL', () => {
    const config = loadConfig({ PORT: '4100' });
    expect(config.payments).toMatchObject({ provider: 'manual', stripe: undefined, publicUrl: 'http://localhost:4100', retryAttempts: 8 });
  });

  it('requires both Stripe secrets with PAYMENT_PROVIDER=stripe', () => {
    expect(() => loadConfig({ PAYMENT_PROVIDER: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => loadConfig({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    const config = loadConfig({
      PAYMENT_PROVIDER: 'Stripe',
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
      PUBLIC_URL: 'https://play.example.com/',
    });
    expect(config.payments).toMatchObject({
      provider: 'stripe',
      stripe: { secretKey: 'sk_test_x', webhookSecret: 'whsec_x', apiUrl: 'http://127.0.0.1:12111' },
      publicUrl: 'https://play.example.com',
    });
  });

  it('names the variable when a value is bad', () => {
    expect(() => loadConfig({ PAYMENT_PROVIDER: 'paypal' })).toThrow(ConfigError);
    expect(() => loadConfig({ PAYMENT_PROVIDER: 'paypal' })).toThrow(/PAYMENT_PROVIDER/);
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ PAYMENT_RETRY_ATTEMPTS: '0' })).toThrow(/PAYMENT_RETRY_ATTEMPTS/);
  });
});
