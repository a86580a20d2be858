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
