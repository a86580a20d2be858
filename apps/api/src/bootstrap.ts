import { Redis } from 'ioredis';
import { SecretBox } from '@dispatch/core';
import { createDb } from '@dispatch/db';
import { Queues, redisConnectionOptions } from '@dispatch/queue';
import type { Logger } from 'pino';
import type { ApiConfig } from './config.js';
import type { ApiDeps } from './deps.js';
import { RateLimiter } from './http/rate-limit.js';
import { AcceptBatcher } from './services/accept-batcher.js';
import { EndpointPauseCache } from './services/endpoint-pause-cache.js';
import { enqueueNewDeliveries } from './services/enqueue.js';
import { FanoutCache } from './services/fanout-cache.js';
import { QueueHandoff } from './services/queue-handoff.js';

/**
 * Builds the API's dependencies. Its Redis connections fail fast instead of queueing commands
 * while Redis is away: the API must answer (events are durable in Postgres) rather than hang.
 */
export function buildApiDeps(config: ApiConfig, logger: Logger) {
  const dbHandle = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, applicationName: 'dispatch-api' });
  // One connection for the rate limiter and the producers (queues issue no blocking commands).
  const redis = new Redis({ ...redisConnectionOptions(config.REDIS_URL), maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  const queues = new Queues(redis, config.DISPATCH_QUEUE_PREFIX);
  for (const queue of [queues.deliveries, queues.fanout, queues.maintenance]) {
    queue.on('error', (err) => logger.debug({ err }, 'queue connection error'));
  }
  const deps: ApiDeps = {
    config,
    db: dbHandle.db,
    redis,
    queues,
    secretBox: new SecretBox(config.encryptionKey),
    logger,
    fanoutCache: new FanoutCache(dbHandle.db),
    // Called only after `deps` exists (when a request is accepted).
    acceptBatcher: new AcceptBatcher(dbHandle.db, (events) => enqueueNewDeliveries(deps, events)),
    endpointPauses: new EndpointPauseCache(queues.endpointPauses),
    queueHandoff: new QueueHandoff(() => redis.status === 'ready', logger),
    rateLimiter: new RateLimiter(redis, { prefix: config.DISPATCH_QUEUE_PREFIX, limit: config.DISPATCH_RATE_LIMIT, logger }),
  };
  const close = async () => {
    // Jobs answered for but still on their way to Redis get a moment to arrive (else the reconciler queues them).
    await deps.queueHandoff.settled(2_000);
    // With Redis away a graceful close can only time out; drop the connection instead.
    if (redis.status === 'ready') await queues.close().catch(() => {});
    redis.disconnect();
    await dbHandle.close();
  };
  return { deps, close };
}
