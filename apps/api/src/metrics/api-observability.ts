import type { Database } from '@dispatch/db';
import { ApiMetrics, BacklogReader, Tracing } from '@dispatch/observability';
import type { Queues } from '@dispatch/queue';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config.js';

/** The API's metrics and (when an OTLP endpoint is configured) its tracing, one per deps. */
export interface ApiObservability {
  metrics: ApiMetrics;
  tracing: Tracing | undefined;
}

export function createApiObservability(config: ApiConfig, source: { db: Database; queues: Queues; logger: Logger }): ApiObservability {
  return {
    metrics: new ApiMetrics(new BacklogReader(source)),
    tracing: Tracing.start('dispatch-api', config.OTEL_EXPORTER_OTLP_ENDPOINT),
  };
}
