import { z } from 'zod';
import { DISABLED_REASONS, ENDPOINT_KINDS, STATS_WINDOWS } from '../enums.js';
import { nullableTimestamp, timestamp } from './common.schema.js';

const ms = z.number().nullable();

/** An endpoint's health over a window: what on-call reads first. */
export const endpointStatsSchema = z.strictObject({
  window: z.enum(STATS_WINDOWS),
  /** Attempts made in the window (tests excluded), and how many succeeded. */
  attempts: z.number().int(),
  successes: z.number().int(),
  /** successes / attempts, 0..1; null without attempts. */
  successRate: z.number().nullable(),
  latencyMs: z.strictObject({ p50: ms, p95: ms, p99: ms }),
  consecutiveFailures: z.number().int(),
  lastSuccessAt: nullableTimestamp,
  lastFailureAt: nullableTimestamp,
  /** Open while a worker holds the endpoint's deliveries back (throttled or failing). */
  breaker: z.enum(['closed', 'open']),
  pausedUntil: nullableTimestamp,
  pendingDeliveries: z.number().int(),
  failingDeliveries: z.number().int(),
  disabledAt: nullableTimestamp,
  disabledReason: z.enum(DISABLED_REASONS).nullable(),
});
export type EndpointStats = z.infer<typeof endpointStatsSchema>;

/** Any kind of endpoint in a cross-kind list, with a 24 h health summary. */
export const endpointSummarySchema = z.strictObject({
  id: z.string(),
  kind: z.enum(ENDPOINT_KINDS),
  workspaceId: z.string(),
  linkId: z.string().nullable(),
  /** Name (webhooks) or description (outbound webhooks). */
  name: z.string().nullable(),
  url: z.string(),
  enabled: z.boolean(),
  disabledAt: nullableTimestamp,
  disabledReason: z.enum(DISABLED_REASONS).nullable(),
  consecutiveFailures: z.number().int(),
  stats: z.strictObject({
    successRate: z.number().nullable(),
    p95Ms: ms,
    failingDeliveries: z.number().int(),
    breaker: z.enum(['closed', 'open']),
    pausedUntil: nullableTimestamp,
  }),
  createdAt: timestamp,
});
export type EndpointSummary = z.infer<typeof endpointSummarySchema>;
