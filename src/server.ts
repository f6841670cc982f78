// Builds the app: platform + features + transports, and runs it with graceful shutdown.
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import underPressure from '@fastify/under-pressure';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { VERSION } from './version.js';
import { AppError } from './errors.js';
import { createAccountsService, type AccountsService } from './features/accounts/service.js';
import { accountsRoutes } from './features/accounts/routes.js';
import { createAccountsStore } from './features/accounts/store.js';
import { achievementsRoutes } from './features/achievements/routes.js';
import { createAchievementsService, type AchievementsService } from './features/achievements/service.js';
import { createAchievementsStore } from './features/achievements/store.js';
import { eventsRoutes } from './features/events/routes.js';
import { createEventsService, type EventsService } from './features/events/service.js';
import { opsRoutes } from './features/ops/routes.js';
import { createPayments, type Payments } from './features/payments/setup.js';
import { leaderboardRoutes } from './features/scoring/leaderboard-routes.js';
import { scoringRoutes } from './features/scoring/routes.js';
import { createScoringService, type ScoringService } from './features/scoring/service.js';
import { pollsRoutes } from './features/polls/routes.js';
import { createPollsService } from './features/polls/service.js';
import { createPollsStore } from './features/polls/store.js';
import { registerAuth, signToken, type TokenClaims } from './http/auth.js';
import { createIdempotencyStore } from './http/idempotency-store.js';
import { registerIdempotency } from './http/idempotency.js';
import { registerInputGuard } from './http/input-guard.js';
import { adminCommands } from './cli/admin.js';
import { serveAdminSocket } from './cli/admin-socket.js';
import { registerOpenApi } from './http/openapi.js';
import { registerProblemHandlers, sendProblem } from './http/problem.js';
import { registerRateLimits } from './http/rate-limit.js';
import { securityHeaders } from './http/security-headers.js';
import { validatorCompilers } from './http/validation.js';
import { createPlatform, type Platform } from './platform/index.js';
import { createGateway, type Gateway } from './realtime/gateway.js';

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const IDEMPOTENCY_SWEEP_MS = 15 * 60 * 1000;
const SHED_RETRY_AFTER_SECONDS = 5;

export interface App {
  app: FastifyInstance;
  platform: Platform;
  gateway: Gateway;
  accounts: AccountsService;
  events: EventsService;
  payments: Payments;
  achievements: AchievementsService;
  scoring: ScoringService;
}

export interface ServerOptions {
  /** Set under node:cluster, where long-polling sessions cannot stick to one worker. */
  websocketOnly?: boolean;
}

export async function buildApp(platform: Platform, options: ServerOptions = {}): Promise<App> {
  const { config, log, metrics } = platform;
  let shuttingDown = false;
  const app = Fastify({
    // pino's Logger is richer than FastifyBaseLogger; Fastify only needs the base.
    loggerInstance: log as FastifyBaseLogger,
    // Fastify accepts a hop count too; its typings lag behind.
    trustProxy: config.trustProxy as boolean | string,
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    schemaController: validatorCompilers(),
    // Errors raised before routing (a malformed URL) get problem+json like every other error.
    frameworkErrors: (error, request, reply) => {
      sendProblem(reply, request, new AppError('MALFORMED_REQUEST', error.message));
    },
    // Fastify would silently drop unknown body fields; we reject them so typos are visible.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerProblemHandlers(app, () => platform.breakers.postgres.retryAfterMs());
  registerInputGuard(app);
  // The API speaks JSON only; a text body is a 415, not a confusing "body must be object".
  app.removeContentTypeParser('text/plain');
  const responseHeaders = securityHeaders({
    // Self-hosted installs often serve plain HTTP on a LAN; upgrading subresources to HTTPS would blank /docs there.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  // Synchronous hooks: an async one costs a promise per request on every route.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(responseHeaders).header('x-request-id', request.id);
    done();
  });
  await app.register(cors, { origin: config.corsOrigin, exposedHeaders: ['ratelimit', 'ratelimit-policy', 'retry-after', 'idempotent-replayed', 'x-request-id'] });
  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    // under-pressure reads a sample window with no loop-delay sample at all as an Infinity delay.
    // A window as long as the threshold is empty only when the loop stalled at least that long,
    // so a short stall (an embedded database batch) is not shed as if it were endless.
    sampleInterval: Math.max(100, config.maxEventLoopDelayMs),
    retryAfter: SHED_RETRY_AFTER_SECONDS,
    pressureHandler: (request, reply, type, value) => {
      request.log.warn({ type, value }, 'shedding load');
      sendProblem(reply.header('retry-after', String(SHED_RETRY_AFTER_SECONDS)), request, new AppError('OVERLOADED', `Under pressure: ${type}`));
    },
  });
  await registerOpenApi(app, VERSION);
  await registerAuth(app, platform.jwtSecret, config.jwtTtlSeconds);
  registerRateLimits(app, config, platform.rateLimiter, metrics);
  const idempotencyStore = createIdempotencyStore(platform.database.db, IDEMPOTENCY_TTL_SECONDS);
  registerIdempotency(app, idempotencyStore);

  // Fastify closes idle keep-alive sockets once, when close begins; a socket busy at that moment
  // would otherwise go back to keep-alive and hold the shutdown open until its timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });

  // Created before the features, which push live updates through it.
  const gateway = createGateway({
    httpServer: app.server,
    verifyToken: async (token) => {
      const claims = app.jwt.verify<TokenClaims>(token);
      return { id: claims.sub, role: claims.role, isGuest: claims.guest };
    },
    redis: platform.redis,
    redisKeyPrefix: config.redisKeyPrefix,
    metrics,
    log,
    corsOrigin: config.corsOrigin,
    websocketOnly: options.websocketOnly,
  });

  const accounts = createAccountsService(createAccountsStore(platform.database.db), platform.cache, (claims) => signToken(app, claims));
  await app.register(accountsRoutes(accounts));
  await app.register(opsRoutes(platform, accounts.currentRole, () => shuttingDown));
  // Features with timers or batchers register a closer; they stop before the gateway and pools.
  const closers: Array<() => Promise<void>> = [];
  // feature: events
  const events = createEventsService({
    db: platform.database.db,
    push: gateway,
    log,
    metrics,
    currentRole: accounts.currentRole,
    sweepIntervalMs: config.events.sweepIntervalMs,
    batch: { maxItems: config.events.batchMaxItems, maxWaitMs: config.events.batchMaxWaitMs },
  });
  await app.register(eventsRoutes(events, accounts.currentRole));
  closers.push(() => events.close());
  const payments = createPayments(platform, events, accounts.currentRole);
  await app.register(payments.routes);
  closers.push(() => payments.close());
  // feature: scoring
  const scoring = createScoringService({
    db: platform.database.db,
    cache: platform.cache,
    rankIndex: platform.rankIndex,
    push: gateway,
    metrics,
    log,
    utcOffsetMinutes: accounts.utcOffsetMinutes,
    events,
    topN: config.scoring.topN,
    snapshotSeconds: config.scoring.snapshotSeconds,
  });
  await app.register(scoringRoutes(scoring, accounts.currentRole));
  await app.register(leaderboardRoutes(scoring, accounts.currentRole));
  await scoring.start();
  closers.push(() => scoring.close());
  // feature: achievements
  const achievements = createAchievementsService({
    store: createAchievementsStore(platform.database.db),
    cache: platform.cache,
    push: gateway,
    utcOffsetMinutes: accounts.utcOffsetMinutes,
  });
  await app.register(achievementsRoutes(achievements, accounts.currentRole));
  // Counts, streaks and awards ride along with every scored action.
  scoring.attachProgress(achievements);
  // feature: polls
  const polls = createPollsService({ store: createPollsStore(platform.database.db), cache: platform.cache, push: gateway, log });
  await app.register(pollsRoutes(polls, accounts.currentRole));
  closers.push(async () => polls.close());

  const sweep = setInterval(() => {
    idempotencyStore.deleteExpired().catch((error) => log.warn({ err: error }, 'idempotency sweep failed'));
  }, IDEMPOTENCY_SWEEP_MS).unref();

  app.addHook('preClose', async () => {
    shuttingDown = true;
    clearInterval(sweep);
    for (const close of closers.reverse()) await close();
    await gateway.close();
  });

  return { app, platform, gateway, accounts, events, payments, achievements, scoring };
}

export interface RunningServer extends App {
  url: string;
  /** Stops accepting, drains in-flight requests and batches, then closes sockets, queues and pools. */
  close(): Promise<void>;
}

export async function startServer(config: Config, log: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  const platform = await createPlatform(config, log);
  let built: App;
  try {
    built = await buildApp(platform, options);
    if (config.admin.email && config.admin.password) {
      const admin = await built.accounts.bootstrapAdmin(config.admin.email, config.admin.password);
      if (admin) log.info({ email: admin.email }, 'created the admin account from STAMPEDE_ADMIN_EMAIL');
    }
    if (!config.rateLimits.enabled) {
      log.warn('!!! RATE LIMITS ARE OFF (STAMPEDE_RATE_LIMITS=off): every client may send unlimited requests !!!');
    }
    await built.app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await platform.close().catch(() => undefined);
    throw error;
  }
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  platform.database.dataDirLock?.setPort(port);
  // CLI commands reach the embedded database through this server while it holds the data dir.
  const adminSocket = platform.database.dataDirLock ? await serveAdminSocket(config.dataDir, adminCommands(built.accounts), log) : undefined;
  let closing: Promise<void> | undefined;
  return {
    ...built,
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        await adminSocket?.close();
        await built.app.close();
        await platform.close();
      })()),
  };
}
