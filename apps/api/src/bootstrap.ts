import { loggableError, SecretBox } from '@dispatch/core';
import { createDb } from '@dispatch/db';
import { queueBackendFromConfig, Queues } from '@dispatch/queue';
import type { Logger } from 'pino';
import type { ApiConfig } from './config.js';
import type { ApiDeps } from './deps.js';
import { ApiKeyCache } from './http/api-key-cache.js';
import { KeyUsage } from './http/key-usage.js';
import { RateLimiter } from './http/rate-limit.js';
import { TokenBuckets } from './http/token-buckets.js';
import { createApiObservability } from './metrics/api-observability.js';
import { AcceptBatcher } from './ingest/accept-batcher.js';
import { DeliveryEnqueuer } from './ingest/enqueuer.js';
import { FanoutCache } from './ingest/fanout-cache.js';
import { EndpointPauseCache } from './ingest/pause-cache.js';
import { QueueHandoff, type QueueHandoffLimits } from './ingest/queue-handoff.js';

/**
 * Test sends per API key (POST …/test makes a real request from a worker to any URL): a burst that a
 * person checking an endpoint never uses up, then one every ten seconds. Per API process.
 */
const TEST_SENDS = { burst: 10, perMinute: 6 };

/**
 * Builds the API's dependencies. Its Redis connections fail fast instead of queueing commands
 * while Redis is away: the API must answer (events are durable in Postgres) rather than hang.
 */
/** Settings tests change that are not configuration (the hand-off's bounds). */
export interface ApiTuning {
  queueHandoff?: QueueHandoffLimits;
  /** How long the fan-out cache keeps a workspace's subscribers (FANOUT_CACHE_MS). */
  fanoutCacheMs?: number;
}

export function buildApiDeps(config: ApiConfig, logger: Logger, tuning: ApiTuning = {}) {
  const dbHandle = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, applicationName: 'dispatch-api' });
  // On Redis, one connection for the rate limiter and the producers (queues issue no blocking commands).
  const queueBackend = queueBackendFromConfig(config, {
    applicationName: 'dispatch-api-queue',
    failFast: true,
    onConnectionError: (err) => logger.debug({ err }, 'queue backend connection error'),
  });
  const queues = new Queues(queueBackend, config.DISPATCH_QUEUE_SHARDS);
  for (const queue of queues.all) {
    queue.on('error', (err) => logger.debug({ err }, 'queue connection error'));
  }
  // Ingest: the enqueuer is built first and handed to the batcher, which calls it once a statement
  // has committed; the fan-out cache is told when the batcher found its targets stale.
  const queueHandoff = new QueueHandoff(() => queueBackend.isReady(), logger, tuning.queueHandoff);
  const endpointPauses = new EndpointPauseCache(queues.endpointPauses);
  const enqueuer = new DeliveryEnqueuer(queues, endpointPauses, queueHandoff);
  const fanoutCache = new FanoutCache(dbHandle.db, tuning.fanoutCacheMs);
  const acceptBatcher = new AcceptBatcher(dbHandle.db, enqueuer, {
    onStaleTargets: (workspaceIds) => workspaceIds.forEach((id) => fanoutCache.forget(id)),
    onRetargetError: (err) => logger.error({ err: loggableError(err) }, 'could not write the deliveries of endpoints changed since the fan-out cache read them'),
  });
  const deps: ApiDeps = {
    config,
    db: dbHandle.db,
    queues,
    secretBox: new SecretBox(config.encryptionKeys),
    logger,
    fanoutCache,
    acceptBatcher,
    endpointPauses,
    queueHandoff,
    rateLimiter: new RateLimiter(queueBackend.sharedRedis, { prefix: config.DISPATCH_QUEUE_PREFIX, limit: config.DISPATCH_RATE_LIMIT, logger }),
    apiKeys: new ApiKeyCache(dbHandle.db, logger),
    keyUsage: new KeyUsage(dbHandle.db, logger),
    authFailures: new TokenBuckets({ burst: config.DISPATCH_AUTH_FAILURE_LIMIT, perSecond: config.DISPATCH_AUTH_FAILURE_LIMIT / 60 }),
    adminRequests: new TokenBuckets({ burst: config.DISPATCH_ADMIN_RATE_LIMIT * 5, perSecond: config.DISPATCH_ADMIN_RATE_LIMIT }),
    testSends: new TokenBuckets({ burst: TEST_SENDS.burst, perSecond: TEST_SENDS.perMinute / 60 }),
    observability: createApiObservability(config, { db: dbHandle.db, queues, logger }),
  };
  const close = async () => {
    // Jobs answered for but still on their way to Redis get a moment to arrive (else the reconciler queues them).
    await deps.queueHandoff.settled(2_000);
    deps.apiKeys.close();
    await deps.keyUsage.close();
    // With the backend away a graceful close can only time out; drop the connection instead.
    if (queueBackend.isReady()) await queues.close().catch(() => {});
    await queueBackend.close();
    await dbHandle.close();
    await deps.observability.tracing?.shutdown();
  };
  return { deps, close };
}
