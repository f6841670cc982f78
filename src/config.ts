// Every setting Stampede reads, from the environment plus an optional .env file.
// Each one is validated here so that a bad value stops the process at start with the
// variable's name (exit code 2), instead of failing later in some request.
import { existsSync } from 'node:fs';
import path from 'node:path';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface RateLimitPolicy {
  points: number;
  durationSeconds: number;
  /** The policy as written in the environment, e.g. "10/15m". */
  spec: string;
}

export interface Config {
  nodeEnv: string;
  production: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** A streaming replica of DATABASE_URL for public read-only queries (docs/operations.md, "Read replica"). */
  databaseReadUrl: string | undefined;
  readReplica: {
    /** Lagging further than this, the replica is skipped and the primary serves the reads. */
    maxLagMs: number;
    /** How often the replica's lag is measured. */
    lagIntervalMs: number;
  };
  dataDir: string;
  redisUrl: string | undefined;
  /** Prefix for every Redis key, stream and queue, so that several deployments can share a Redis. */
  redisKeyPrefix: string;
  jwtSecret: string | undefined;
  jwtTtlSeconds: number;
  /** log2 of scrypt's N for new password hashes; older, cheaper hashes are redone at login. */
  passwordHashCost: number;
  logLevel: string;
  db: {
    max: number;
    idleTimeoutMs: number;
    connectTimeoutMs: number;
    /** Server-side cap on one statement; the client gives up a second later if the server never answers. */
    statementTimeoutMs: number;
    idleInTransactionTimeoutMs: number;
  };
  rateLimits: {
    enabled: boolean;
    auth: RateLimitPolicy;
    apiUser: RateLimitPolicy;
    apiIp: RateLimitPolicy;
    admin: RateLimitPolicy;
    /** POST /api/polls/:id/rankings, per client IP, on top of the api policies. */
    pollRankings: RateLimitPolicy;
    /** Socket.IO handshakes per client address. */
    socketHandshake: RateLimitPolicy;
    /** POST /api/rankings (product rankings), per client IP, on top of the api policies. */
    productRankings: RateLimitPolicy;
    /** Trivia answers per user, over the socket and HTTP alike. */
    triviaAnswers: RateLimitPolicy;
  };
  /** Socket caps, counted per instance; 0 lifts a cap. */
  sockets: { perUser: number; perAddress: number; anonymousPerAddress: number };
  trustProxy: boolean | number | string;
  corsOrigin: boolean | string[];
  bodyLimitBytes: number;
  breakers: { halfOpenAfterMs: number; postgresThreshold: number; redisThreshold: number };
  maxEventLoopDelayMs: number;
  shutdownTimeoutMs: number;
  /** Who may scrape /metrics: loopback, the bearer token, or anyone reaching the separate port. */
  metrics: { token?: string; port?: number };
  admin: { email: string | undefined; password: string | undefined };
  events: {
    /** How often the durable scheduler expires holds and runs due open/close/draw transitions. */
    sweepIntervalMs: number;
    /** Registration group commit: at most this many per transaction, waiting at most this long. */
    batchMaxItems: number;
    batchMaxWaitMs: number;
  };
  scoring: {
    /** How often the top N of each changed board is saved to scoreboard_snapshots. */
    snapshotSeconds: number;
    /** How many entries live board pushes and snapshots carry. */
    topN: number;
  };
  payments: PaymentsConfig;
  activity: {
    /** Activity log entries older than this are deleted, in bounded batches. */
    retentionDays: number;
  };
  messaging: MessagingConfig;
  trivia: {
    /** How often every instance looks for games whose next move (results, next question) is due. */
    tickMs: number;
    /** Answer group commit: at most this many per transaction, waiting at most this long. */
    batchMaxItems: number;
    batchMaxWaitMs: number;
    /** Worker threads (piscina) for text and number matching; 0 matches on the event loop. */
    matchingThreads: number;
  };
}

export interface WhatsAppConfig {
  /** Graph API base, version included (https://graph.facebook.com/v21.0); a stand-in in tests. */
  graphUrl: string;
  phoneNumberId: string | undefined;
  accessToken: string | undefined;
  /** Signs webhook deliveries (X-Hub-Signature-256); without it every delivery is refused. */
  appSecret: string | undefined;
  /** Echoed back by the GET verification handshake. */
  verifyToken: string | undefined;
  /** Global cap on sends per second, shared by every instance. */
  maxMps: number;
  sendConcurrency: number;
  /** Workers processing inbound deliveries (game work), on their own queue. */
  gameConcurrency: number;
  /** The approved template sent instead of free text outside the 24-hour window. */
  template: { name: string; language: string } | undefined;
}

export interface MessagingConfig {
  whatsapp: WhatsAppConfig;
  /** smtp:// or smtps:// URL of the mail relay; unset, email sends land in the dead-letter set. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Tries of one outbound message before the dead-letter set, and the first retry delay (doubling). */
  retryAttempts: number;
  retryBackoffMs: number;
}

export interface PaymentsConfig {
  provider: 'manual' | 'stripe';
  /** Present when provider is stripe. */
  stripe: { secretKey: string; webhookSecret: string; apiUrl: string | undefined } | undefined;
  /** Base of the checkout success and cancel URLs. */
  publicUrl: string;
  /** Tries per webhook or refund job before it lands in the dead-letter set. */
  retryAttempts: number;
  /** First retry delay of those jobs; doubles each retry. */
  retryBackoffMs: number;
  /** How often pending refunds and unprocessed webhook events are swept back into the queue. */
  sweepMs: number;
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function str(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf(env: Env, name: string, allowed: string[], fallback: string): string {
  const raw = str(env, name)?.toLowerCase() ?? fallback;
  if (!allowed.includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/** "10/15m" means 10 requests per 15 minutes; "100/m" means 100 per minute. */
export function parseRateLimitPolicy(name: string, spec: string): RateLimitPolicy {
  const match = /^(\d+)\s*\/\s*(\d*)\s*([smhd])$/.exec(spec.trim());
  if (!match) throw new ConfigError(name, `expected POINTS/DURATION such as "10/15m", got "${spec}"`);
  const points = Number(match[1]);
  const durationSeconds = Number(match[2] || '1') * DURATION_UNITS[match[3]!]!;
  if (points < 1 || durationSeconds < 1) throw new ConfigError(name, 'points and duration must be positive');
  return { points, durationSeconds, spec: spec.trim() };
}

function policy(env: Env, name: string, fallback: string): RateLimitPolicy {
  return parseRateLimitPolicy(name, str(env, name) ?? fallback);
}

function trustProxy(env: Env): boolean | number | string {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw); // number of hops to trust
  if (!/^[\d.:/a-fA-F, ]+$/.test(raw)) {
    throw new ConfigError('TRUST_PROXY', 'expected true, false, a hop count or a comma-separated list of addresses/CIDRs');
  }
  return raw;
}

function corsOrigin(env: Env): boolean | string[] {
  const raw = str(env, 'CORS_ORIGIN');
  if (raw === undefined || raw === '*') return true;
  if (raw === 'false') return false;
  return raw.split(',').map((origin) => origin.trim());
}

function payments(env: Env, port: number): PaymentsConfig {
  const provider = oneOf(env, 'PAYMENT_PROVIDER', ['manual', 'stripe'], 'manual') as PaymentsConfig['provider'];
  let stripe: PaymentsConfig['stripe'];
  if (provider === 'stripe') {
    const secretKey = str(env, 'STRIPE_SECRET_KEY');
    const webhookSecret = str(env, 'STRIPE_WEBHOOK_SECRET');
    if (!secretKey) throw new ConfigError('STRIPE_SECRET_KEY', 'is required when PAYMENT_PROVIDER=stripe');
    if (!webhookSecret) throw new ConfigError('STRIPE_WEBHOOK_SECRET', 'is required when PAYMENT_PROVIDER=stripe');
    stripe = { secretKey, webhookSecret, apiUrl: url(env, 'STRIPE_API_URL', ['http:', 'https:']) };
  }
  return {
    provider,
    stripe,
    publicUrl: (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    retryAttempts: int(env, 'PAYMENT_RETRY_ATTEMPTS', 8, 1, 100),
    retryBackoffMs: int(env, 'PAYMENT_RETRY_BACKOFF_MS', 5_000, 1, 3_600_000),
    sweepMs: int(env, 'PAYMENT_SWEEP_MS', 60_000, 100, 86_400_000),
  };
}

function messaging(env: Env): MessagingConfig {
  const templateName = str(env, 'WHATSAPP_TEMPLATE_NAME');
  return {
    whatsapp: {
      graphUrl: (url(env, 'WHATSAPP_GRAPH_URL', ['http:', 'https:']) ?? 'https://graph.facebook.com/v21.0').replace(/\/+$/, ''),
      phoneNumberId: str(env, 'WHATSAPP_PHONE_NUMBER_ID'),
      accessToken: str(env, 'WHATSAPP_ACCESS_TOKEN'),
      appSecret: str(env, 'WHATSAPP_APP_SECRET'),
      verifyToken: str(env, 'WHATSAPP_VERIFY_TOKEN'),
      maxMps: int(env, 'WHATSAPP_MAX_MPS', 80, 1, 10_000),
      sendConcurrency: int(env, 'WHATSAPP_SEND_CONCURRENCY', 10, 1, 1_000),
      gameConcurrency: int(env, 'WHATSAPP_GAME_CONCURRENCY', 5, 1, 1_000),
      template: templateName ? { name: templateName, language: str(env, 'WHATSAPP_TEMPLATE_LANGUAGE') ?? 'en_US' } : undefined,
    },
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: str(env, 'MAIL_FROM') ?? 'Stampede <no-reply@localhost>',
    retryAttempts: int(env, 'MESSAGING_RETRY_ATTEMPTS', 6, 1, 100),
    retryBackoffMs: int(env, 'MESSAGING_RETRY_BACKOFF_MS', 2_000, 1, 3_600_000),
  };
}

/** Loads `.env` from the working directory into process.env, never overriding real variables. */
export function loadDotEnv(file = path.resolve('.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = str(env, 'NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';
  const jwtSecret = str(env, 'JWT_SECRET');
  if (production && !jwtSecret) throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  }
  const admin = { email: str(env, 'STAMPEDE_ADMIN_EMAIL'), password: str(env, 'STAMPEDE_ADMIN_PASSWORD') };
  if ((admin.email === undefined) !== (admin.password === undefined)) {
    throw new ConfigError('STAMPEDE_ADMIN_PASSWORD', 'STAMPEDE_ADMIN_EMAIL and STAMPEDE_ADMIN_PASSWORD go together');
  }
  if (admin.password !== undefined && admin.password.length < 8) {
    throw new ConfigError('STAMPEDE_ADMIN_PASSWORD', 'must be at least 8 characters');
  }

  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const databaseReadUrl = url(env, 'DATABASE_READ_URL', ['postgres:', 'postgresql:']);
  if (databaseReadUrl !== undefined && databaseUrl === undefined) {
    throw new ConfigError('DATABASE_READ_URL', 'needs DATABASE_URL: a read replica is a replica of a PostgreSQL primary');
  }

  const port = int(env, 'PORT', 3000, 0, 65535);
  return {
    nodeEnv,
    production,
    port,
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    databaseReadUrl,
    readReplica: {
      maxLagMs: int(env, 'READ_REPLICA_MAX_LAG_MS', 5_000, 0, 3_600_000),
      lagIntervalMs: int(env, 'READ_REPLICA_LAG_INTERVAL_MS', 1_000, 10, 600_000),
    },
    dataDir: path.resolve(str(env, 'STAMPEDE_DATA_DIR') ?? './data'),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: str(env, 'REDIS_KEY_PREFIX') ?? 'stampede:',
    jwtSecret,
    jwtTtlSeconds: int(env, 'JWT_TTL_SECONDS', 7 * 86400, 60, 365 * 86400),
    passwordHashCost: int(env, 'PASSWORD_HASH_COST', 17, 14, 20),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    db: {
      max: int(env, 'DB_POOL_MAX', 20, 1, 1000),
      idleTimeoutMs: int(env, 'DB_POOL_IDLE_MS', 30_000, 0, 3_600_000),
      connectTimeoutMs: int(env, 'DB_POOL_CONNECT_TIMEOUT_MS', 5_000, 1, 600_000),
      statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 5_000, 100, 3_600_000),
      idleInTransactionTimeoutMs: int(env, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 10_000, 100, 3_600_000),
    },
    rateLimits: {
      enabled: oneOf(env, 'STAMPEDE_RATE_LIMITS', ['on', 'off'], 'on') === 'on',
      auth: policy(env, 'RATE_LIMIT_AUTH', '10/15m'),
      apiUser: policy(env, 'RATE_LIMIT_API_USER', '100/1m'),
      apiIp: policy(env, 'RATE_LIMIT_API_IP', '120/1m'),
      admin: policy(env, 'RATE_LIMIT_ADMIN', '20/1m'),
      pollRankings: policy(env, 'RATE_LIMIT_POLL_RANKINGS', '30/1m'),
      socketHandshake: policy(env, 'RATE_LIMIT_SOCKET_HANDSHAKE', '120/1m'),
      productRankings: policy(env, 'RATE_LIMIT_PRODUCT_RANKINGS', '30/1m'),
      triviaAnswers: policy(env, 'RATE_LIMIT_TRIVIA_ANSWERS', '5/10s'),
    },
    sockets: {
      perUser: int(env, 'SOCKETS_PER_USER', 10, 0, 100_000),
      perAddress: int(env, 'SOCKETS_PER_ADDRESS', 1_000, 0, 1_000_000),
      anonymousPerAddress: int(env, 'SOCKETS_ANONYMOUS_PER_ADDRESS', 100, 0, 1_000_000),
    },
    trustProxy: trustProxy(env),
    corsOrigin: corsOrigin(env),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 50 * 1024 * 1024),
    breakers: {
      halfOpenAfterMs: int(env, 'BREAKER_HALF_OPEN_MS', 5_000, 100, 600_000),
      postgresThreshold: int(env, 'BREAKER_POSTGRES_FAILURES', 5, 1, 1000),
      redisThreshold: int(env, 'BREAKER_REDIS_FAILURES', 3, 1, 1000),
    },
    maxEventLoopDelayMs: int(env, 'MAX_EVENT_LOOP_DELAY_MS', 1_000, 0, 60_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    metrics: {
      token: str(env, 'METRICS_TOKEN'),
      port: env.METRICS_PORT === undefined || env.METRICS_PORT === '' ? undefined : int(env, 'METRICS_PORT', 0, 0, 65535),
    },
    admin,
    events: {
      sweepIntervalMs: int(env, 'HOLD_SWEEP_INTERVAL_MS', 1_000, 10, 600_000),
      batchMaxItems: int(env, 'REGISTRATION_BATCH_MAX', 256, 1, 5_000),
      batchMaxWaitMs: int(env, 'REGISTRATION_BATCH_WAIT_MS', 2, 0, 1_000),
    },
    scoring: {
      snapshotSeconds: int(env, 'SNAPSHOT_SECONDS', 60, 1, 86_400),
      topN: int(env, 'LEADERBOARD_TOP_N', 10, 1, 100),
    },
    payments: payments(env, port),
    activity: { retentionDays: int(env, 'ACTIVITY_RETENTION_DAYS', 365, 1, 36_500) },
    messaging: messaging(env),
    trivia: {
      tickMs: int(env, 'TRIVIA_TICK_MS', 250, 10, 60_000),
      batchMaxItems: int(env, 'TRIVIA_BATCH_MAX', 500, 1, 5_000),
      batchMaxWaitMs: int(env, 'TRIVIA_BATCH_WAIT_MS', 2, 0, 1_000),
      matchingThreads: int(env, 'TRIVIA_MATCHING_THREADS', 0, 0, 16),
    },
  };
}
