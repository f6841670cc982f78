import { describe, expect, it } from 'vitest';
import { BrokenCircuitError, createBreaker, isConnectionError } from './breakers.js';
import { createMetrics } from './metrics.js';

const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));

async function gauge(metrics: ReturnType<typeof createMetrics>, name: string) {
  return (await metrics.registry.getSingleMetric(name)!.get()).values[0]?.value;
}

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive connection failures, then fails fast', async () => {
    const metrics = createMetrics();
    const breaker = createBreaker('postgres', 3, 60_000, metrics);
    for (let i = 0; i < 3; i++) await expect(breaker.execute(refused)).rejects.toThrow('ECONNREFUSED');
    expect(breaker.state()).toBe('open');
    let called = false;
    await expect(breaker.execute(async () => (called = true))).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(called).toBe(false);
    expect(breaker.retryAfterMs()).toBeGreaterThan(59_000);
    expect(await gauge(metrics, 'circuit_breaker_state')).toBe(2);
    expect(await gauge(metrics, 'circuit_breaker_opens_total')).toBe(1);
  });

  it('ignores errors that are not about reaching the service', async () => {
    const breaker = createBreaker('postgres', 2, 60_000, createMetrics());
    const uniqueViolation = Object.assign(new Error('duplicate key'), { code: '23505' });
    for (let i = 0; i < 5; i++) await expect(breaker.execute(() => Promise.reject(uniqueViolation))).rejects.toBe(uniqueViolation);
    expect(breaker.state()).toBe('closed');
  });

  it('needs the failures to be consecutive', async () => {
    const breaker = createBreaker('redis', 2, 60_000, createMetrics());
    await expect(breaker.execute(refused)).rejects.toThrow();
    await breaker.execute(async () => 'ok');
    await expect(breaker.execute(refused)).rejects.toThrow();
    expect(breaker.state()).toBe('closed');
  });

  it('lets a test call through after the half-open delay and closes when it succeeds', async () => {
    const breaker = createBreaker('redis', 1, 50, createMetrics());
    await expect(breaker.execute(refused)).rejects.toThrow();
    expect(breaker.state()).toBe('open');
    await expect.poll(() => breaker.retryAfterMs()).toBe(0);
    await expect(breaker.execute(async () => 'back')).resolves.toBe('back');
    expect(breaker.state()).toBe('closed');
  });

  it('recognises connection errors wrapped as causes', () => {
    expect(isConnectionError({ cause: { cause: { code: 'ECONNRESET' } } })).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError({ code: '57P01' })).toBe(true);
    expect(isConnectionError(new Error('syntax error'))).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });
});
