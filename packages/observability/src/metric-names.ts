import { ATTEMPT_ERRORS, classifyStatus, ID_PREFIXES, type AttemptError } from '@dispatch/core';

// The contract's metric names (API.md, "Metrics and health") and the only values their labels take.
// Labels never carry an endpoint, workspace, event or delivery id: a series per tenant would grow
// without bound. Dashboards and alert rules (infra/observability) use these names and nothing else.

export const METRICS = {
  eventsAccepted: 'dispatch_events_accepted_total',
  attempts: 'dispatch_attempts_total',
  deliveriesFinished: 'dispatch_deliveries_finished_total',
  attemptDuration: 'dispatch_attempt_duration_seconds',
  deliveryLatency: 'dispatch_delivery_latency_seconds',
  queueJobs: 'dispatch_queue_jobs',
  endpoints: 'dispatch_endpoints',
  oldestDueDeliveryAge: 'dispatch_oldest_due_delivery_age_seconds',
  httpRequests: 'dispatch_http_requests_total',
  httpRequestDuration: 'dispatch_http_request_duration_seconds',
} as const;

export const ENDPOINT_KIND_LABELS = ['workspace_webhook', 'link_webhook', 'outbound_webhook', 'unknown'] as const;
export type EndpointKindLabel = (typeof ENDPOINT_KIND_LABELS)[number];

/**
 * `outcome` of an attempt: what core's classifyStatus makes of an HTTP answer (`success`, `throttle`,
 * `gone`; its `retry` for any other status is `http_error`, which also names a last attempt that will
 * not be retried), or, when no answer came, the contract's attempt `error` (`timeout`,
 * `connection_refused`, …). Eleven values in all.
 */
export const ATTEMPT_OUTCOMES = ['success', 'throttle', 'gone', 'http_error', ...ATTEMPT_ERRORS] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export const FINISHED_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/** BullMQ job states exported per queue (completed jobs are removed at once, so never counted). */
export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
export const ENDPOINT_STATES = ['paused', 'disabled'] as const;

// Attempts end at the request timeout (15 s by default, configurable).
export const ATTEMPT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];
// Accepted → first success spans milliseconds (healthy) to hours (a receiver down for a while).
export const DELIVERY_LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400];
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function attemptOutcome(statusCode: number | null | undefined, error: AttemptError | string | null | undefined): AttemptOutcome {
  if (statusCode !== null && statusCode !== undefined) {
    const { kind } = classifyStatus(statusCode);
    return kind === 'success' || kind === 'throttle' || kind === 'gone' ? kind : 'http_error';
  }
  return (ATTEMPT_ERRORS as readonly string[]).includes(error ?? '') ? (error as AttemptError) : 'network_error';
}

const KIND_BY_PREFIX: Record<string, EndpointKindLabel> = {
  [`${ID_PREFIXES.workspaceWebhook}_`]: 'workspace_webhook',
  [`${ID_PREFIXES.linkWebhook}_`]: 'link_webhook',
  [`${ID_PREFIXES.outboundWebhook}_`]: 'outbound_webhook',
};

/** An endpoint id names its kind (`wh_`, `lwh_`, `obw_`), so the worker needs no column for the label. */
export function endpointKindOf(endpointId: string): EndpointKindLabel {
  const prefix = endpointId.slice(0, endpointId.indexOf('_') + 1);
  return KIND_BY_PREFIX[prefix] ?? 'unknown';
}
