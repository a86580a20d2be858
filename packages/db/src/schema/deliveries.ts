import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { ENDPOINT_KINDS, endpoints } from './endpoints.js';

import { ATTEMPT_TRIGGERS, DELIVERY_STATUSES } from '@dispatch/core/api';

export { ATTEMPT_TRIGGERS, DELIVERY_STATUSES, type AttemptTrigger, type DeliveryStatus } from '@dispatch/core/api';

// One row per (event, endpoint): the message. Its attempts are the rows of `attempts`.
export const deliveries = pgTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    // No foreign key to events: a delivery is only ever written in the statement that writes its event
    // (events.queries.ts), and events are only deleted by retention, which deletes their deliveries in
    // the same statement (prune.queries.ts). The key's check cost a lookup per delivery written, a
    // large part of inserting one (bench/RESULTS.md, "Lighter writes to `deliveries`").
    eventId: text('event_id').notNull(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => endpoints.id, { onDelete: 'cascade' }),
    endpointKind: text('endpoint_kind', { enum: ENDPOINT_KINDS }).notNull(),
    eventType: text('event_type').notNull(),
    test: boolean('test').notNull().default(false),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    /** Attempts the automatic schedule made. */
    attemptCount: integer('attempt_count').notNull().default(0),
    /** Attempts the automatic schedule may make (operator's attempts do not count). */
    maxAttempts: integer('max_attempts').notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }),
    /** The BullMQ job that owns the next attempt; a job whose id differs is stale and does nothing. */
    jobId: text('job_id'),
    /** The trigger the owning job's first attempt records (later ones are retries). */
    jobTrigger: text('job_trigger', { enum: ATTEMPT_TRIGGERS }).notNull().default('initial'),
    /** Set while an attempt is being made; a redelivery during it is a 409. */
    attemptStartedAt: timestamp('attempt_started_at', { withTimezone: true, precision: 3 }),
    lastAttemptId: text('last_attempt_id'),
    /** The replay whose attempt this delivery is waiting for, so its outcome counts towards that replay. */
    replayId: text('replay_id'),
    // An operator's attempt (redeliver, replay) runs beside the schedule, under a claim of its own, so
    // the scheduled job and the operator's job coexist: neither takes the other's job id or due time.
    /** The job that owns the operator's attempt queued for this delivery (null: none queued). */
    manualJobId: text('manual_job_id'),
    /** When that attempt was asked for: the reconciler re-queues it if Redis lost its job. */
    manualQueuedAt: timestamp('manual_queued_at', { withTimezone: true, precision: 3 }),
    /** Set while the operator's attempt is being made; a redelivery during it is a 409. */
    manualStartedAt: timestamp('manual_started_at', { withTimezone: true, precision: 3 }),
    /**
     * Operator's attempts made. Not part of `attempt_count`, which is the schedule's: an attempt's
     * number is `attempt_count + manual_attempt_count` once recorded, so both kinds share one sequence.
     */
    manualAttemptCount: integer('manual_attempt_count').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('deliveries_event_endpoint_uidx').on(t.eventId, t.endpointId),
    index('deliveries_endpoint_idx').on(t.endpointId, t.id),
    index('deliveries_endpoint_status_idx').on(t.endpointId, t.status, t.id),
    index('deliveries_endpoint_type_idx').on(t.endpointId, t.eventType, t.id),
    // The workspace-wide list (on-call's view), newest first; and its failures alone, which on-call
    // filters for and which are few, so that index is small and cheap to keep.
    index('deliveries_workspace_idx').on(t.workspaceId, t.id),
    index('deliveries_workspace_unhealthy_idx')
      .on(t.workspaceId, t.id)
      .where(sql`${t.status} = 'failed' OR (${t.status} = 'pending' AND ${t.attemptCount} > 0)`),
    // No (endpoint_id, created_at) index: a time window is an id range too (queries/created-within.ts).
    // The reconciler's scan: only pending rows, by when they are due, the id breaking ties so that it
    // pages on (next_attempt_at, id) from where the last page ended (reconcile.queries.ts).
    index('deliveries_due_id_idx')
      .on(t.nextAttemptAt, t.id)
      .where(sql`${t.status} = 'pending'`),
    // Endpoint health's count of the deliveries waiting (endpoint-health.queries.ts). Its migration (0011)
    // also INCLUDEs attempt_count, which drizzle cannot declare, so that the count reads the index alone
    // however many are pending and wherever they lie in the table.
    index('deliveries_endpoint_pending_idx')
      .on(t.endpointId)
      .where(sql`${t.status} = 'pending' AND NOT ${t.test}`),
    // The reconciler's scan of operator's attempts asked for: few at any time.
    index('deliveries_manual_queued_idx')
      .on(t.manualQueuedAt)
      .where(sql`${t.manualJobId} IS NOT NULL`),
  ],
);

export interface AttemptTimings {
  dns: number | null;
  connect: number | null;
  tls: number | null;
  firstByte: number | null;
  total: number;
}

export const attempts = pgTable(
  'attempts',
  {
    id: text('id').primaryKey(),
    // No foreign key to deliveries: an attempt is only ever written by the statement that updates its
    // delivery (attempt-batches, operator-attempts), and a statement-level trigger deletes the attempts
    // of deleted deliveries, whatever deleted them (retention, an endpoint, link or workspace deleted),
    // one set-based DELETE per statement (migration 0012). The key cost a lookup per attempt written
    // and, on delete, a cascade query per delivery: most of retention's time (bench/RESULTS.md).
    deliveryId: text('delivery_id').notNull(),
    attemptNo: integer('attempt_no').notNull(),
    trigger: text('trigger', { enum: ATTEMPT_TRIGGERS }).notNull(),
    requestHeaders: jsonb('request_headers').$type<Record<string, string>>().notNull(),
    statusCode: integer('status_code'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string | string[]>>(),
    responseBody: text('response_body'),
    responseBodyTruncated: boolean('response_body_truncated').notNull().default(false),
    responseBodySize: integer('response_body_size'),
    responseTimeMs: integer('response_time_ms').notNull(),
    timings: jsonb('timings').$type<AttemptTimings>(),
    error: text('error'),
    attemptedAt: timestamp('attempted_at', { withTimezone: true, precision: 3 }).notNull(),
    /**
     * The endpoint whose health this attempt counts towards: its delivery's endpoint, or null for a
     * test delivery's attempt (health leaves tests out). Copied from the delivery when the attempt is
     * recorded, so that an endpoint's health reads its own attempts in a window and nothing else.
     */
    statsEndpointId: text('stats_endpoint_id'),
  },
  (t) => [
    // One row per attempt number: of two runs that both believed they owned an attempt, only one can
    // record it (the record statement checks the claim first; this is what holds if anything else slips).
    uniqueIndex('attempts_delivery_attempt_uidx').on(t.deliveryId, t.attemptNo),
    index('attempts_attempted_at_idx').on(t.attemptedAt),
    // Endpoint health (endpoint-health.queries.ts): an endpoint's attempts in a window. Its migration
    // (0011) also INCLUDEs status_code and response_time_ms, which drizzle cannot declare, so that
    // health reads the index alone.
    index('attempts_stats_endpoint_idx')
      .on(t.statsEndpointId, t.attemptedAt)
      .where(sql`${t.statsEndpointId} IS NOT NULL`),
  ],
);
