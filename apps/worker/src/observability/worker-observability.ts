import type { Database } from '@dispatch/db';
import { BacklogReader, Tracing, WorkerMetrics } from '@dispatch/observability';
import type { Queues } from '@dispatch/queue';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config.js';

/** The worker's metrics and (when an OTLP endpoint is configured) its tracing, one per runtime. */
export interface WorkerObservability {
  metrics: WorkerMetrics;
  tracing: Tracing | undefined;
}

export function createWorkerObservability(config: WorkerConfig, source: { db: Database; queues: Queues; logger: Logger }): WorkerObservability {
  return {
    metrics: new WorkerMetrics(new BacklogReader(source)),
    tracing: Tracing.start('dispatch-worker', config.OTEL_EXPORTER_OTLP_ENDPOINT),
  };
}
