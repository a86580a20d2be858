import { Counter, Histogram, Registry } from 'prom-client';
import { registerBacklogGauges, type BacklogReader } from './backlog-gauges.js';
import {
  ATTEMPT_DURATION_BUCKETS,
  attemptOutcome,
  DELIVERY_LATENCY_BUCKETS,
  endpointKindOf,
  METRICS,
  type FinishedStatus,
} from './metric-names.js';
import { exposedRegistry } from './registry.js';

export interface AttemptFacts {
  endpointId: string;
  statusCode: number | null | undefined;
  error: string | null | undefined;
  responseTimeMs: number;
}

/** The worker's metrics: one in-memory update per attempt, never a Postgres or Redis call. */
export class WorkerMetrics {
  readonly registry: Registry;
  private readonly attempts: Counter<'kind' | 'outcome'>;
  private readonly finishedDeliveries: Counter<'kind' | 'status'>;
  private readonly attemptDuration: Histogram;
  private readonly deliveryLatency: Histogram;

  constructor(backlog: BacklogReader) {
    const own = new Registry();
    this.attempts = new Counter({
      name: METRICS.attempts,
      help: 'Delivery attempts made, by endpoint kind and outcome (success, throttle, gone, http_error, or the network error).',
      labelNames: ['kind', 'outcome'],
      registers: [own],
    });
    this.finishedDeliveries = new Counter({
      name: METRICS.deliveriesFinished,
      help: 'Deliveries that reached a final status (succeeded, failed, cancelled), by endpoint kind.',
      labelNames: ['kind', 'status'],
      registers: [own],
    });
    this.attemptDuration = new Histogram({
      name: METRICS.attemptDuration,
      help: 'Duration of one delivery attempt: the HTTP request to the receiver, until its answer or the timeout.',
      buckets: ATTEMPT_DURATION_BUCKETS,
      registers: [own],
    });
    this.deliveryLatency = new Histogram({
      name: METRICS.deliveryLatency,
      help: 'From an event being accepted to the first successful attempt of each of its deliveries (scheduled attempts only).',
      buckets: DELIVERY_LATENCY_BUCKETS,
      registers: [own],
    });
    registerBacklogGauges(own, backlog);
    this.registry = exposedRegistry(own);
  }

  attemptMade(attempt: AttemptFacts): void {
    this.attempts.inc({ kind: endpointKindOf(attempt.endpointId), outcome: attemptOutcome(attempt.statusCode, attempt.error) });
    this.attemptDuration.observe(attempt.responseTimeMs / 1000);
  }

  deliveryFinished(endpointId: string, status: FinishedStatus): void {
    this.finishedDeliveries.inc({ kind: endpointKindOf(endpointId), status });
  }

  /** `acceptedAt`: when the event was accepted (epoch ms); a clock behind the API's counts as 0. */
  firstSuccess(acceptedAt: number, now = Date.now()): void {
    this.deliveryLatency.observe(Math.max(0, now - acceptedAt) / 1000);
  }
}
