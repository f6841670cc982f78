// Every Prometheus metric Stampede exports, declared in one place so names stay consistent
// and /api/admin/stats reports a subset of what /metrics exports, read from the same metrics.
import { Counter, Gauge, Histogram, Registry, Summary, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const registers = [registry];

  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    rateLimitRejections: new Counter({
      name: 'rate_limit_rejections_total',
      help: 'Requests rejected with 429, by policy',
      labelNames: ['policy'] as const,
      registers,
    }),
    breakerState: new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'] as const,
      registers,
    }),
    breakerOpens: new Counter({
      name: 'circuit_breaker_opens_total',
      help: 'Times each circuit breaker opened',
      labelNames: ['breaker'] as const,
      registers,
    }),
    fallbacks: new Counter({
      name: 'fallback_used_total',
      help: 'Operations served by an in-process fallback because Redis failed',
      labelNames: ['port'] as const,
      registers,
    }),
    dbPool: new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting)',
      labelNames: ['state'] as const,
      registers,
    }),
    replicaLag: new Gauge({
      name: 'db_replica_lag_seconds',
      help: 'How far the read replica is behind the primary (NaN while it cannot be measured)',
      registers,
    }),
    dbReads: new Counter({
      name: 'db_read_queries_total',
      help: 'Public read-only queries by the server that answered them (replica or primary)',
      labelNames: ['server'] as const,
      registers,
    }),
    cacheHits: new Counter({ name: 'cache_hits_total', help: 'Cache hits by cache', labelNames: ['cache'] as const, registers }),
    cacheMisses: new Counter({ name: 'cache_misses_total', help: 'Cache misses by cache', labelNames: ['cache'] as const, registers }),
    wsConnections: new Gauge({ name: 'websocket_connections', help: 'Open Socket.IO connections', registers }),
    registrationBatchSize: new Histogram({
      name: 'registration_batch_size',
      help: 'Registrations committed together in one batch (group commit)',
      buckets: [1, 2, 5, 10, 25, 50, 100, 200, 500],
      registers,
    }),
    registrationChanges: new Counter({
      name: 'registration_changes_total',
      help: 'Registrations entering a status (entered, held, confirmed, waitlisted, expired, cancelled)',
      labelNames: ['status'] as const,
      registers,
    }),
    actions: new Counter({
      name: 'actions_total',
      help: 'Action completions by result: recorded, replayed (same identifier) or refused (a rule said no)',
      labelNames: ['result'] as const,
      registers,
    }),
    paymentsSettled: new Counter({
      name: 'payments_settled_total',
      help: 'Payments settled, by outcome: confirmed, already-paid, or refund (kept no spot, refunded)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    jobQueueDepth: new Gauge({
      name: 'job_queue_depth',
      help: 'Jobs waiting or delayed, by queue',
      labelNames: ['queue'] as const,
      registers,
    }),
    jobsFailed: new Gauge({
      name: 'job_queue_failed',
      help: 'Jobs in the failed (dead-letter) set, by queue',
      labelNames: ['queue'] as const,
      registers,
    }),
    jobQueueJobs: new Gauge({
      name: 'job_queue_jobs',
      help: 'Jobs by queue and state (waiting, active, delayed, failed, completed)',
      labelNames: ['queue', 'state'] as const,
      registers,
    }),
    jobQueueRate: new Gauge({
      name: 'job_queue_completed_per_second',
      help: 'Jobs completed per second by queue, between the last two reads',
      labelNames: ['queue'] as const,
      registers,
    }),
    // A summary, not a histogram: operators ask for the p95 itself, over the last minute.
    dbQueryDuration: new Summary({
      name: 'db_query_duration_seconds',
      help: 'Database statement time, from send to answer',
      percentiles: [0.5, 0.95, 0.99],
      maxAgeSeconds: 60,
      ageBuckets: 6,
      registers,
    }),
    triviaLiveGames: new Gauge({ name: 'trivia_live_games', help: 'Trivia games not ended', registers }),
    triviaPlayers: new Gauge({ name: 'trivia_players', help: 'Players in trivia games not ended', registers }),
    triviaAnswers: new Counter({ name: 'trivia_answers_total', help: 'Trivia answers stored by this instance', registers }),
    triviaAnswersPerSecond: new Gauge({
      name: 'trivia_answers_per_second',
      help: 'Trivia answers stored per second by this instance, over the last 10 s',
      registers,
    }),
    triviaQuestionPush: new Gauge({
      name: 'trivia_last_question_push_seconds',
      help: 'How long this instance took to hand the last question to its sockets and the adapter',
      registers,
    }),
    triviaResultsLatency: new Gauge({
      name: 'trivia_last_results_latency_seconds',
      help: 'From the last question close to its last personal result handed to the gateway',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
