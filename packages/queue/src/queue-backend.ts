import type { IQueueBackend, JobProgress, Processor, Queue, Worker, WorkerOptions } from 'bullmq';
import type { RedisClient } from './connection.js';
import type { EndpointPauses } from './endpoint-pauses.js';

/** Where BullMQ keeps the jobs: Redis, or BullMQ's own Postgres backend (no Redis at all). */
export type QueueBackendKind = 'redis' | 'postgres';

/** A queue or worker of either backend: everything above the factory uses only what both offer. */
export type AnyQueue = Queue<any, any, string, any, any, string, IQueueBackend, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type AnyWorker = Worker<any, any, string, IQueueBackend, JobProgress, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A worker's options, less what the backend decides (its connection and key prefix). */
export type QueueWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

/**
 * The one factory of queues and workers for a process, on the configured backend. It owns the
 * connections they share (a Redis connection, or one pg.Pool) and closes them last.
 */
export interface QueueBackend {
  readonly kind: QueueBackendKind;
  queue(name: string): AnyQueue;
  worker(name: string, processor: Processor, options: QueueWorkerOptions): AnyWorker;
  /** Endpoint pauses kept beside `queue`'s jobs. */
  endpointPauses(queue: AnyQueue): EndpointPauses;
  /** False while the backend is known to be away (commands would only fail or wait). */
  isReady(): boolean;
  /** Resolves when the backend holding `queue` answers a command (readiness checks). */
  ping(queue: AnyQueue): Promise<void>;
  /**
   * The Redis connection that API processes share counters through (the rate limiter); none on the
   * Postgres backend, where such counts stay per process.
   */
  readonly sharedRedis: RedisClient | undefined;
  /** Closes what the queues and workers shared; call after closing them. */
  close(): Promise<void>;
}
