import { z } from 'zod';
import { ATTEMPT_ERRORS } from '../../outcome.js';
import { ATTEMPT_TRIGGERS, DELIVERY_VIEW_STATUSES, ENDPOINT_KINDS, REPLAY_SELECTIONS, REPLAY_STATUSES } from '../enums.js';
import { nullableTimestamp, timestamp } from './common.schema.js';

const attemptSummary = {
  id: z.string(),
  statusCode: z.number().int().nullable(),
  responseBody: z.string().nullable(),
  responseTimeMs: z.number().int(),
  error: z.enum(ATTEMPT_ERRORS).nullable(),
  attemptedAt: timestamp,
  trigger: z.enum(ATTEMPT_TRIGGERS),
};

export const deliverySchema = z.strictObject({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  target: z.strictObject({ kind: z.enum(ENDPOINT_KINDS), id: z.string() }),
  status: z.enum(DELIVERY_VIEW_STATUSES),
  test: z.boolean(),
  attemptCount: z.number().int(),
  nextAttemptAt: nullableTimestamp,
  lastAttempt: z.strictObject(attemptSummary).nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Delivery = z.infer<typeof deliverySchema>;

export const attemptTimingsSchema = z.strictObject({
  dns: z.number().nullable(),
  connect: z.number().nullable(),
  tls: z.number().nullable(),
  firstByte: z.number().nullable(),
  total: z.number(),
});

export const attemptSchema = z.strictObject({
  id: z.string(),
  attemptNo: z.number().int(),
  trigger: z.enum(ATTEMPT_TRIGGERS),
  statusCode: z.number().int().nullable(),
  error: z.enum(ATTEMPT_ERRORS).nullable(),
  /** As sent, with custom header values masked. */
  requestHeaders: z.record(z.string(), z.string()),
  responseHeaders: z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullable(),
  responseBody: z.string().nullable(),
  responseBodyTruncated: z.boolean(),
  responseBodySize: z.number().int().nullable(),
  responseTimeMs: z.number().int(),
  timings: attemptTimingsSchema.nullable(),
  attemptedAt: timestamp,
});
export type Attempt = z.infer<typeof attemptSchema>;

export const deliveryDetailSchema = deliverySchema.extend({
  /** The exact bytes that were signed and sent. */
  payload: z.string(),
  attempts: z.array(attemptSchema),
});
export type DeliveryDetail = z.infer<typeof deliveryDetailSchema>;

export const deliveryAnswerSchema = z.strictObject({ delivery: deliverySchema });

/** Per endpoint: `replayId` is null for a dry run. */
export const replayStartedSchema = z.strictObject({ replayId: z.string().nullable(), count: z.number().int(), dryRun: z.boolean().optional() });

export const replaySchema = z.strictObject({
  id: z.string(),
  status: z.enum(REPLAY_STATUSES),
  selection: z.enum(REPLAY_SELECTIONS),
  /** Deliveries the replay re-sends (fixed when it starts). */
  count: z.number().int(),
  /** Of those, how many have had their attempt, and how it went. */
  done: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  since: timestamp.nullable(),
  until: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Replay = z.infer<typeof replaySchema>;

/** One attempt in the workspace's feed (`dispatch tail`), with what it was an attempt of. */
export const attemptFeedItemSchema = z.strictObject({
  id: z.string(),
  deliveryId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  target: z.strictObject({ kind: z.enum(ENDPOINT_KINDS), id: z.string() }),
  attemptNo: z.number().int(),
  trigger: z.enum(ATTEMPT_TRIGGERS),
  statusCode: z.number().int().nullable(),
  error: z.enum(ATTEMPT_ERRORS).nullable(),
  responseTimeMs: z.number().int(),
  attemptedAt: timestamp,
  /** The delivery's state after this attempt. */
  deliveryStatus: z.enum(DELIVERY_VIEW_STATUSES),
  nextAttemptAt: nullableTimestamp,
});
export type AttemptFeedItem = z.infer<typeof attemptFeedItemSchema>;
