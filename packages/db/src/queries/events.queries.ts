import { and, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { deliveries, endpoints, events, type AttemptTrigger, type EndpointKind } from '../schema/index.js';
import { clientOf } from './named-statements.js';
import { eventsCreatedWithin } from './created-within.js';
import { cursorCondition, newestFirst, toPage, type Page, type PageInput } from './pagination.js';

export type EventRow = typeof events.$inferSelect;

const eventColumns = {
  id: events.id,
  workspaceId: events.workspaceId,
  type: events.type,
  linkId: events.linkId,
  payload: events.payload,
  idempotencyKey: events.idempotencyKey,
  test: events.test,
  createdAt: events.createdAt,
};

export async function findEvent(db: Db, workspaceId: string, id: string): Promise<EventRow | undefined> {
  const [row] = await db
    .select(eventColumns)
    .from(events)
    .where(and(eq(events.workspaceId, workspaceId), eq(events.id, id)));
  return row;
}

export interface EventFilters {
  type?: string | undefined;
  linkId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** The workspace's events, newest first (the payloads stay out: the list shows what happened). */
export async function listEvents(db: Db, input: { workspaceId: string; filters: EventFilters; page: PageInput }): Promise<Page<Omit<EventRow, 'payload' | 'idempotencyKey'>>> {
  const { filters, page } = input;
  const rows = await db
    .select({ id: events.id, workspaceId: events.workspaceId, type: events.type, linkId: events.linkId, test: events.test, createdAt: events.createdAt })
    .from(events)
    .where(
      and(
        eq(events.workspaceId, input.workspaceId),
        filters.type ? eq(events.type, filters.type) : undefined,
        filters.linkId ? eq(events.linkId, filters.linkId) : undefined,
        eventsCreatedWithin(filters.since, filters.until),
        cursorCondition(events.id, page.cursor),
      ),
    )
    .orderBy(newestFirst(events.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export interface IdempotencyWindow {
  workspaceId: string;
  keys: string[];
  notBefore: Date;
}

/** Events the Idempotency-Keys already produced, if younger than the window. */
export async function findEventsByIdempotencyKeys(db: Db, input: IdempotencyWindow): Promise<EventRow[]> {
  return db
    .select(eventColumns)
    .from(events)
    .where(and(eq(events.workspaceId, input.workspaceId), inArray(events.idempotencyKey, input.keys), gt(events.createdAt, input.notBefore)))
    .orderBy(events.idempotencyKey);
}

/** Keys older than the window may be used again: free them so the unique index accepts new events. */
export async function releaseIdempotencyKeys(db: Db, input: IdempotencyWindow): Promise<void> {
  await db
    .update(events)
    .set({ idempotencyKey: null })
    .where(and(eq(events.workspaceId, input.workspaceId), inArray(events.idempotencyKey, input.keys), lte(events.createdAt, input.notBefore)));
}

export interface FanoutCandidate {
  id: string;
  kind: EndpointKind;
  linkId: string | null;
  eventTypes: string[];
  filter: unknown;
  /** The row's version: a delivery chosen from this row is written only while the row still has it. */
  updatedAt: Date;
}

const candidateColumns = {
  id: endpoints.id,
  kind: endpoints.kind,
  linkId: endpoints.linkId,
  eventTypes: endpoints.eventTypes,
  filter: endpoints.filter,
  updatedAt: endpoints.updatedAt,
};
const isActive = () => and(isNull(endpoints.disabledAt), eq(endpoints.enabled, true));

/**
 * Active endpoints of the workspace subscribed to any of `types`. The per-event rule (link, filter)
 * is applied by the caller, so a batch of events needs one query.
 */
export async function findFanoutCandidates(db: Db, input: { workspaceId: string; types: readonly string[] }): Promise<FanoutCandidate[]> {
  return db
    .select(candidateColumns)
    .from(endpoints)
    .where(and(eq(endpoints.workspaceId, input.workspaceId), sql`${endpoints.eventTypes} && ${sql.param([...input.types])}::text[]`, isActive()));
}

/** The current rows of these endpoints, if still active (after a write found them changed). */
export async function findActiveCandidates(db: Db, refs: readonly { workspaceId: string; endpointId: string }[]): Promise<FanoutCandidate[]> {
  if (refs.length === 0) return [];
  return db
    .select(candidateColumns)
    .from(endpoints)
    .where(
      and(
        sql`(${endpoints.workspaceId}, ${endpoints.id}) IN (SELECT * FROM unnest(${sql.param(refs.map((r) => r.workspaceId))}::text[], ${sql.param(refs.map((r) => r.endpointId))}::text[]))`,
        isActive(),
      ),
    );
}

export interface NewDelivery {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  endpointKind: EndpointKind;
  jobId: string;
}

export interface AcceptedEventRow {
  id: string;
  workspaceId: string;
  type: string;
  linkId: string | null;
  /** The exact envelope bytes (stored as given, never re-serialised). */
  payload: string;
  idempotencyKey: string | null;
  test: boolean;
  createdAt: Date;
}

export interface AcceptedDeliveryRow extends NewDelivery {
  workspaceId: string;
  test: boolean;
  maxAttempts: number;
  trigger: AttemptTrigger;
  createdAt: Date;
  /** Only an endpoint that is still enabled receives it (a test goes to a disabled endpoint too). */
  requireActive: boolean;
  /**
   * With `requireActive`: the endpoint's `updatedAt` when its triggers, link and filter chose this
   * delivery (FanoutCandidate); the delivery is written only if the row still has that version.
   */
  endpointVersion: Date | null;
}

// The payloads travel as one JSON array ($5) rather than a text[]: pg escapes each element of a text
// array with two regular-expression passes, and for envelopes (quotes everywhere) that was the API's
// largest cost in batch ingest, several times what JSON.stringify costs; Postgres parses the JSON for
// a little more per event (bench/RESULTS.md, "Event payloads as one JSON parameter").
// WITH ORDINALITY pairs each payload with its event.
const INSERT_EVENTS_WITH_DELIVERIES = `
  WITH ev AS (
    INSERT INTO events (id, workspace_id, type, link_id, payload, idempotency_key, test, created_at)
    SELECT u.id, u.workspace_id, u.type, u.link_id, p.payload, u.idempotency_key, u.test, u.created_at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::text[], $7::boolean[], $8::timestamptz[])
      WITH ORDINALITY AS u(id, workspace_id, type, link_id, idempotency_key, test, created_at, n)
    JOIN json_array_elements_text($5::json) WITH ORDINALITY AS p(payload, n) ON p.n = u.n
  ), dl AS (
    INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, test, max_attempts, next_attempt_at, job_id, job_trigger, created_at, updated_at)
    SELECT u.id, u.workspace_id, u.event_id, u.endpoint_id, e.kind, u.event_type, u.test, u.max_attempts, u.created_at, u.job_id, u.job_trigger, u.created_at, u.created_at
    FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::boolean[], $15::int[], $16::text[], $17::text[], $18::timestamptz[], $19::boolean[], $20::bigint[])
      AS u(id, workspace_id, event_id, endpoint_id, event_type, test, max_attempts, job_id, job_trigger, created_at, require_active, endpoint_version)
    JOIN endpoints e ON e.id = u.endpoint_id AND e.workspace_id = u.workspace_id
    WHERE NOT u.require_active OR (e.enabled AND e.disabled_at IS NULL AND e.updated_at = 'epoch'::timestamptz + u.endpoint_version * interval '1 millisecond')
    RETURNING 1
  )
  SELECT count(*)::int AS n FROM dl`;

/**
 * Events and their deliveries, of any number of requests and workspaces, in one statement (so one
 * round trip and one commit, atomic without an explicit transaction). The caller chose the targets
 * from a short-lived cache; the join re-checks each against the table, so a delivery is never
 * written for an endpoint deleted, disabled or moved since, nor for one whose triggers, link or
 * filter changed since the cache read it (its `updated_at` is another version: the filter is
 * evaluated in JS, so the version stands for all three). Such a delivery is left out, and the count
 * of deliveries written tells the caller so (it decides again from the current row).
 */
export async function insertEventsWithDeliveries(db: Db, rows: { events: readonly AcceptedEventRow[]; deliveries: readonly AcceptedDeliveryRow[] }): Promise<number> {
  if (rows.events.length === 0 && rows.deliveries.length === 0) return 0;
  const ev = <K extends keyof AcceptedEventRow>(key: K) => rows.events.map((r) => r[key]);
  const dl = <K extends keyof AcceptedDeliveryRow>(key: K) => rows.deliveries.map((r) => r[key]);
  const result = await clientOf(db).query<{ n: number }>({
    name: 'dispatch_insert_events_with_deliveries',
    text: INSERT_EVENTS_WITH_DELIVERIES,
    values: [
      ev('id'), ev('workspaceId'), ev('type'), ev('linkId'), JSON.stringify(ev('payload')), ev('idempotencyKey'), ev('test'), ev('createdAt'),
      dl('id'), dl('workspaceId'), dl('eventId'), dl('endpointId'), dl('eventType'), dl('test'), dl('maxAttempts'), dl('jobId'), dl('trigger'), dl('createdAt'), dl('requireActive'),
      // Epoch milliseconds: pg turns a number into text several times faster than a Date.
      rows.deliveries.map((r) => r.endpointVersion?.getTime() ?? null),
    ],
  });
  return Number(result.rows[0]?.n ?? 0);
}

/** Which of these deliveries exist (after a write that left some out). */
export async function findExistingDeliveryIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await db.execute<{ id: string }>(sql`SELECT id FROM ${deliveries} WHERE id = ANY(${sql.param([...ids])}::text[])`);
  return new Set(result.rows.map((r) => r.id));
}

export async function countEventDeliveries(db: Db, eventIds: string[]): Promise<Map<string, number>> {
  const rows = await db
    .select({ eventId: deliveries.eventId, n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(inArray(deliveries.eventId, eventIds))
    .groupBy(deliveries.eventId);
  return new Map(rows.map((r) => [r.eventId, r.n]));
}
