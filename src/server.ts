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
import { bootstrapAdmin } from './features/accounts/bootstrap.js';
import type { AccountsService } from './features/accounts/service.js';
import { createAccountsFeature } from './features/accounts/index.js';
import { createAchievementsFeature } from './features/achievements/index.js';
import { createActivityFeature, type ActivityService } from './features/activity/index.js';
import { createProductsFeature, type ProductsService } from './features/products/index.js';
import type { AchievementsService } from './features/achievements/service.js';
import { createEventsFeature } from './features/events/index.js';
import type { EventsService } from './features/events/service.js';
import type { Feature } from './features/feature.js';
import { createOpsFeature } from './features/ops/index.js';
import { createPaymentsFeature } from './features/payments/index.js';
import type { PaymentsService } from './features/payments/service.js';
import { createNotificationsFeature } from './features/notifications/index.js';
import type { NotificationsService } from './features/notifications/service.js';
import { createPollsFeature } from './features/polls/index.js';
import { createWhatsAppFeature } from './features/whatsapp/index.js';
import type { WhatsAppService } from './features/whatsapp/service.js';
import { createWhatsAppTriviaFeature } from './features/whatsapp-trivia/index.js';
import { openMessenger } from './platform/messaging/index.js';
import type { Messenger } from './platform/messaging/port.js';
import { createScoringFeature } from './features/scoring/index.js';
import { createTriviaFeature } from './features/trivia/index.js';
import type { TriviaService } from './features/trivia/service.js';
import { isUuid } from './domain/ids.js';
import type { ScoringService } from './features/scoring/service.js';
import { registerAuth, registerGuards, signToken, type TokenClaims } from './http/auth.js';
import { createIdempotencyStore } from './platform/idempotency/store.js';
import { registerIdempotency } from './http/idempotency.js';
import { registerInputGuard } from './http/input-guard.js';
import { adminCommands } from './cli/admin.js';
import { serveAdminSocket } from './cli/admin-socket.js';
import { serveMetricsPort } from './http/metrics-port.js';
import { createSealer } from './platform/sealing.js';
import { scrapeMetrics } from './features/ops/stats.js';
import { registerOpenApi } from './http/openapi.js';
import { registerProblemHandlers, sendProblem } from './http/problem.js';
import { registerRateLimits } from './http/rate-limit.js';
import { securityHeaders } from './http/security-headers.js';
import { validatorCompilers } from './http/validation.js';
import { createPlatform, type Platform } from './platform/index.js';
import { clientAddress } from './realtime/client-address.js';
import { createGateway, type Gateway } from './realtime/gateway.js';
import { handshakeLimiter } from './realtime/handshake-limit.js';
import { createWebApp, findWebBuild } from './http/web-app.js';

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const IDEMPOTENCY_SWEEP_MS = 15 * 60 * 1000;
const SHED_RETRY_AFTER_SECONDS = 5;
const ACTIVITY_SWEEP_MS = 60 * 60 * 1000;

export interface App {
  app: FastifyInstance;
  platform: Platform;
  gateway: Gateway;
  accounts: AccountsService;
  events: EventsService;
  payments: PaymentsService;
  achievements: AchievementsService;
  scoring: ScoringService;
  activity: ActivityService;
  products: ProductsService;
  messenger: Messenger;
  whatsapp: WhatsAppService;
  notifications: NotificationsService;
  trivia: TriviaService;
  /** Runs every due trivia move now (tests drive the schedule with it). */
  triviaTick(): Promise<void>;
}

export interface ServerOptions {
  /** Set under node:cluster, where long-polling sessions cannot stick to one worker. */
  websocketOnly?: boolean;
  /** Called on the new instance before anything is registered: tests add their checking hooks here. */
  instrument?: (app: FastifyInstance) => void;
  /** The built web app to serve; web/dist when it exists by default, false for none. */
  webRoot?: string | false;
  /** Sees every SQL statement the server sends: tests count the hot paths' statements with it. */
  logQuery?: (statement: string) => void;
  /** The clock trivia times answers with, epoch ms; tests inject one. */
  clock?: () => number;
  /** A migrated embedded database to start from (DatabaseOptions.pgliteTemplate); tests pass one. */
  pgliteTemplate?: Blob;
  /**
   * On close, serve this long (answering with Connection: close) before closing idle keep-alive
   * connections, so clients leave them after their next request instead of sending one into a
   * socket that is being closed. For workers replaced one at a time (SIGHUP, pm2 reload).
   */
  drainGraceMs?: number;
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
    // While draining, a request on an open keep-alive connection is served (with Connection:
    // close, see onSend below) rather than refused with 503, so a rolling restart fails none.
    return503OnClosing: false,
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
  options.instrument?.(app);

  const webApp = createWebApp(options.webRoot === false ? undefined : (options.webRoot ?? findWebBuild()));
  registerProblemHandlers(app, () => platform.breakers.postgres.retryAfterMs(), webApp.serveShell);
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
  await app.register(cors, {
    origin: config.corsOrigin,
    exposedHeaders: ['ratelimit', 'ratelimit-policy', 'retry-after', 'idempotent-replayed', 'x-request-id'],
  });
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
  registerIdempotency(app, idempotencyStore, IDEMPOTENCY_TTL_SECONDS);

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
      return { id: claims.sub, role: await accounts.service.checkSession(claims), isGuest: claims.guest };
    },
    redis: platform.redis,
    redisKeyPrefix: config.redisKeyPrefix,
    metrics,
    log,
    corsOrigin: config.corsOrigin,
    websocketOnly: options.websocketOnly,
    clientAddress: clientAddress(config.trustProxy),
    limits: config.sockets,
    limitHandshake: config.rateLimits.enabled
      ? handshakeLimiter(platform.rateLimiter, { name: 'socket-handshake', ...config.rateLimits.socketHandshake }, metrics, log)
      : undefined,
  });

  // Features in dependency order: each gets the services it calls, required, at construction.
  const { db } = platform.database;
  // Like the gateway, a port the features send through; closed after them.
  const messenger = openMessenger(platform, db, config.messaging, config.redisKeyPrefix, log);
  const publicUrl = config.payments.publicUrl;
  const accounts = createAccountsFeature({
    db,
    cache: platform.cache,
    issueToken: (claims) => signToken(app, claims),
    passwordCost: config.passwordHashCost,
    messenger,
    publicUrl,
  });
  registerGuards(app, accounts.service.checkSession);
  const ops = createOpsFeature({ platform, isShuttingDown: () => shuttingDown, push: gateway, log });
  const events = createEventsFeature({
    db,
    push: gateway,
    log,
    metrics,
    seeds: createSealer(platform.jwtSecret, 'lottery seeds'),
    currentRole: accounts.service.currentRole,
    account: accounts.service.account,
    sweepIntervalMs: config.events.sweepIntervalMs,
    batch: { maxItems: config.events.batchMaxItems, maxWaitMs: config.events.batchMaxWaitMs },
  });
  const payments = createPaymentsFeature({
    db,
    jobs: platform.jobs,
    metrics,
    log,
    config: config.payments,
    bodyLimitBytes: config.bodyLimitBytes,
    events: events.service,
  });
  const achievements = createAchievementsFeature({ db, cache: platform.cache, push: gateway, utcOffsetMinutes: accounts.service.utcOffsetMinutes });
  const activity = createActivityFeature({
    db,
    progress: achievements.service,
    events: events.service,
    utcOffsetMinutes: accounts.service.utcOffsetMinutes,
    log,
    retentionDays: config.activity.retentionDays,
    sweepIntervalMs: ACTIVITY_SWEEP_MS,
  });
  const scoring = createScoringFeature({
    db,
    cache: platform.cache,
    rankIndex: platform.rankIndex,
    locks: platform.locks,
    push: gateway,
    metrics,
    log,
    utcOffsetMinutes: accounts.service.utcOffsetMinutes,
    events: events.service,
    // Completed actions and the awards they earn are logged on their way to the achievements.
    progress: activity.service.progressHooks,
    topN: config.scoring.topN,
    snapshotSeconds: config.scoring.snapshotSeconds,
  });
  const polls = createPollsFeature({ db, cache: platform.cache, push: gateway, log });
  const products = createProductsFeature({ db, cache: platform.cache, push: gateway, log, activity: activity.service });

  const whatsapp = createWhatsAppFeature({
    db,
    messenger,
    gameQueue: platform.openQueue('whatsapp-game', config.messaging.whatsapp.gameConcurrency),
    config: config.messaging,
    bodyLimitBytes: config.bodyLimitBytes,
    log,
  });
  const notifications = createNotificationsFeature({
    events: events.service,
    accounts: accounts.service,
    messenger,
    jobs: platform.jobs,
    publicUrl,
    log,
  });

  const trivia = createTriviaFeature({
    db,
    push: gateway,
    rankIndex: platform.rankIndex,
    answerLedger: platform.answerLedger,
    feed: {
      authorize: async (actor, actionTypeId) => void (await scoring.service.actionTypes.usableBy(actor, actionTypeId)),
      complete: (userId, actionTypeId, input) => scoring.service.actions.completeScored(userId, actionTypeId, input),
    },
    rateLimiter: platform.rateLimiter,
    log,
    metrics,
    clock: options.clock ?? Date.now,
    // STAMPEDE_RATE_LIMITS=off turns this one off too.
    answerRateLimit: config.rateLimits.enabled ? config.rateLimits.triviaAnswers : undefined,
    tickMs: config.trivia.tickMs,
    batch: { maxItems: config.trivia.batchMaxItems, maxWaitMs: config.trivia.batchMaxWaitMs },
    matchingThreads: config.trivia.matchingThreads,
  });
  gateway.handle('answer', async (user, payload) => {
    const { gameId, questionId, choice } = (payload ?? {}) as Record<string, unknown>;
    if (typeof gameId !== 'string' || !isUuid(gameId) || !Number.isInteger(questionId) || (questionId as number) < 0 || choice === undefined) {
      throw new AppError('VALIDATION_FAILED', 'answer takes {gameId (uuid), questionId (integer >= 0), choice}');
    }
    return trivia.service.answer(user.id, { gameId, questionId: questionId as number, choice: choice as never });
  });
  // Players of async games on WhatsApp: JOIN <pin>, then answers, through both services.
  const whatsappTrivia = createWhatsAppTriviaFeature({ db, whatsapp: whatsapp.service, trivia: trivia.service, accounts: accounts.service, log });
  gateway.subscribeState('game', (user, gameId) => (isUuid(gameId) ? trivia.service.games.state(gameId, user?.id) : Promise.resolve(null)));

  const features: Array<Feature<unknown>> = [
    accounts,
    ops,
    events,
    payments,
    achievements,
    activity,
    scoring,
    polls,
    products,
    whatsapp,
    notifications,
    trivia,
    whatsappTrivia,
  ];
  for (const feature of features) {
    await app.register(feature.routes);
    for (const [kind, authorize] of Object.entries(feature.channels ?? {})) gateway.channels.register(kind, authorize);
  }
  await webApp.register(app);
  for (const feature of features) await feature.start?.();

  const sweep = setInterval(() => {
    idempotencyStore.deleteExpired().catch((error) => log.warn({ err: error }, 'idempotency sweep failed'));
  }, IDEMPOTENCY_SWEEP_MS).unref();

  app.addHook('preClose', async () => {
    shuttingDown = true;
    if (options.drainGraceMs) await new Promise((resolve) => setTimeout(resolve, options.drainGraceMs));
    clearInterval(sweep);
    // Features stop before the gateway and pools, the last built first.
    for (const feature of [...features].reverse()) await feature.close?.();
    await messenger.close();
    await gateway.close();
  });

  return {
    app,
    platform,
    gateway,
    accounts: accounts.service,
    events: events.service,
    payments: payments.service,
    achievements: achievements.service,
    scoring: scoring.service,
    activity: activity.service,
    products: products.service,
    messenger,
    whatsapp: whatsapp.service,
    notifications: notifications.service,
    trivia: trivia.service,
    triviaTick: trivia.tick,
  };
}

export interface RunningServer extends App {
  url: string;
  /** The separate metrics port, when METRICS_PORT is set. */
  metricsPort?: number;
  /** Stops accepting, drains in-flight requests and batches, then closes sockets, queues and pools. */
  close(): Promise<void>;
}

export async function startServer(config: Config, log: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  const platform = await createPlatform(config, log, { logQuery: options.logQuery, pgliteTemplate: options.pgliteTemplate });
  let built: App;
  try {
    built = await buildApp(platform, options);
    if (config.admin.email && config.admin.password) await bootstrapAdmin(platform.database, config.admin.email, config.admin.password, log);
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
  const metricsPort =
    config.metrics.port === undefined
      ? undefined
      : await serveMetricsPort(config.metrics.port, config.host, async () => ({
          contentType: platform.metrics.registry.contentType,
          body: await scrapeMetrics(platform),
        }));
  let closing: Promise<void> | undefined;
  return {
    ...built,
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    metricsPort: metricsPort?.port,
    close: () =>
      (closing ??= (async () => {
        await metricsPort?.close();
        await adminSocket?.close();
        await built.app.close();
        await platform.close();
      })()),
  };
}
