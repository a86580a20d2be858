import type { Logger } from 'pino';
import type { SecretBox } from '@dispatch/core';
import type { Database } from '@dispatch/db';
import type { Queues, RedisClient } from '@dispatch/queue';
import type { ApiConfig } from './config.js';
import type { ApiKeyCache } from './http/api-key-cache.js';
import type { KeyUsage } from './http/key-usage.js';
import type { RateLimiter } from './http/rate-limit.js';
import type { TokenBuckets } from './http/token-buckets.js';
import type { ApiObservability } from './metrics/api-observability.js';
import type { AcceptBatcher } from './ingest/accept-batcher.js';
import type { FanoutCache } from './ingest/fanout-cache.js';
import type { EndpointPauseCache } from './ingest/pause-cache.js';
import type { QueueHandoff } from './ingest/queue-handoff.js';

/** Everything a service needs, built once at boot and passed explicitly (tests build their own). */
export interface ApiDeps {
  config: ApiConfig;
  db: Database;
  redis: RedisClient;
  queues: Queues;
  secretBox: SecretBox;
  logger: Logger;
  /** Per-process state of the hot ingest path (caches and batching), one per deps. */
  fanoutCache: FanoutCache;
  acceptBatcher: AcceptBatcher;
  /** What this process knows of the workers' published pauses (the enqueuer reads it). */
  endpointPauses: EndpointPauseCache;
  /** Every job the API queues goes through it: Redis never holds up an answer for long. */
  queueHandoff: QueueHandoff;
  rateLimiter: RateLimiter;
  /** Authentication's per-process state: known and refused keys, usage to record, and throttles. */
  apiKeys: ApiKeyCache;
  keyUsage: KeyUsage;
  /** Failed authentications, per client address. */
  authFailures: TokenBuckets;
  /** Operator-token requests, one budget for the process. */
  adminRequests: TokenBuckets;
  /** Test sends (POST …/test), per API key. */
  testSends: TokenBuckets;
  observability: ApiObservability;
}
