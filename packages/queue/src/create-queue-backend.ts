import { PostgresBackend } from './postgres-backend.js';
import type { QueueBackend, QueueBackendKind } from './queue-backend.js';
import { RedisBackend } from './redis-backend.js';

export interface QueueBackendSettings {
  kind: QueueBackendKind;
  prefix: string;
  redisUrl: string;
  databaseUrl: string;
  /** Postgres backend: connections for queue commands (workers' LISTEN connections come on top). */
  poolSize: number;
  /** Shown in pg_stat_activity for the queue pool. */
  applicationName: string;
  /** Redis backend: producers fail fast while Redis is away (the API). */
  failFast?: boolean;
  onConnectionError?: (err: Error) => void;
}

/** The process's queue backend, as configured (DISPATCH_QUEUE_BACKEND). Nothing connects until used. */
export function createQueueBackend(settings: QueueBackendSettings): QueueBackend {
  if (settings.kind === 'postgres') return new PostgresBackend(settings);
  return new RedisBackend({ url: settings.redisUrl, ...settings });
}

/** What the backend reads of a process's configuration (the API's and the worker's share these fields). */
export interface QueueBackendConfig {
  DISPATCH_QUEUE_BACKEND: QueueBackendKind;
  DISPATCH_QUEUE_PREFIX: string;
  DISPATCH_QUEUE_POOL_SIZE: number;
  REDIS_URL: string;
  DATABASE_URL: string;
}

/** The backend a process's configuration asks for; each process adds how it wants its connections to behave. */
export function queueBackendFromConfig(
  config: QueueBackendConfig,
  process: Pick<QueueBackendSettings, 'applicationName' | 'failFast' | 'onConnectionError'>,
): QueueBackend {
  return createQueueBackend({
    kind: config.DISPATCH_QUEUE_BACKEND,
    prefix: config.DISPATCH_QUEUE_PREFIX,
    redisUrl: config.REDIS_URL,
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DISPATCH_QUEUE_POOL_SIZE,
    ...process,
  });
}
