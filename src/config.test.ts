import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDotEnv, parseRateLimitPolicy } from './config.js';

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      redisUrl: undefined,
      redisKeyPrefix: 'stampede:',
      logLevel: 'info',
      db: { max: 20, idleTimeoutMs: 30_000, connectTimeoutMs: 5_000 },
      trustProxy: false,
      corsOrigin: true,
      breakers: { postgresThreshold: 5, redisThreshold: 3 },
      shutdownTimeoutMs: 10_000,
    });
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(config.rateLimits).toMatchObject({
      enabled: true,
      auth: { points: 10, durationSeconds: 900 },
      apiUser: { points: 100, durationSeconds: 60 },
      apiIp: { points: 120, durationSeconds: 60 },
      admin: { points: 20, durationSeconds: 60 },
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ DATABASE_READ_URL: 'postgres://replica/db' }, 'DATABASE_READ_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DB_POOL_MAX: '0' }, 'DB_POOL_MAX'],
    [{ RATE_LIMIT_AUTH: 'ten per minute' }, 'RATE_LIMIT_AUTH'],
    [{ STAMPEDE_RATE_LIMITS: 'maybe' }, 'STAMPEDE_RATE_LIMITS'],
    [{ TRUST_PROXY: 'yes please' }, 'TRUST_PROXY'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ STAMPEDE_ADMIN_EMAIL: 'a@b.c' }, 'STAMPEDE_ADMIN_PASSWORD'],
  ])('names the variable for %j', (env, variable) => {
    const error = errorFor(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}:`)).toBe(true);
  });

  it('reads the read replica settings, which need DATABASE_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://primary/db', DATABASE_READ_URL: 'postgres://replica/db', READ_REPLICA_MAX_LAG_MS: '250' });
    expect(config.databaseReadUrl).toBe('postgres://replica/db');
    expect(config.readReplica).toEqual({ maxLagMs: 250, lagIntervalMs: 1_000 });
    expect(errorFor({ DATABASE_READ_URL: 'postgres://replica/db' }).message).toMatch(/needs DATABASE_URL/);
  });

  it('reads proxies, origins and switches', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
    expect(loadConfig({ CORS_ORIGIN: 'https://a.example, https://b.example' }).corsOrigin).toEqual(['https://a.example', 'https://b.example']);
    expect(loadConfig({ STAMPEDE_RATE_LIMITS: 'OFF' }).rateLimits.enabled).toBe(false);
  });
});

describe('parseRateLimitPolicy', () => {
  it('reads POINTS/DURATION with an optional count of units', () => {
    expect(parseRateLimitPolicy('X', '10/15m')).toEqual({ points: 10, durationSeconds: 900, spec: '10/15m' });
    expect(parseRateLimitPolicy('X', '100/m')).toMatchObject({ points: 100, durationSeconds: 60 });
    expect(parseRateLimitPolicy('X', '5 / 2h')).toMatchObject({ points: 5, durationSeconds: 7200 });
    expect(() => parseRateLimitPolicy('X', '0/1m')).toThrow(ConfigError);
    expect(() => parseRateLimitPolicy('X', '10/15y')).toThrow(ConfigError);
  });
});

describe('loadDotEnv', () => {
  it('loads .env without overriding variables already set', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'stampede-env-')), '.env');
    writeFileSync(file, 'STAMPEDE_TEST_FROM_FILE=file\nSTAMPEDE_TEST_BOTH=file\n');
    process.env.STAMPEDE_TEST_BOTH = 'environment';
    loadDotEnv(file);
    expect(process.env.STAMPEDE_TEST_FROM_FILE).toBe('file');
    expect(process.env.STAMPEDE_TEST_BOTH).toBe('environment');
    delete process.env.STAMPEDE_TEST_FROM_FILE;
    delete process.env.STAMPEDE_TEST_BOTH;
  });
});
