import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DeliveryViewStatus, EndpointKind } from '@dispatch/core/api';
import type { Db } from '../client.js';
import { attempts, deliveries, events } from '../schema/index.js';
import { deliveriesCreatedWithin } from './created-within.js';
import { lastAttemptFailed, lastStatusCode, stillFailing } from './delivery-conditions.js';
import { cursorCondition, newestFirst, toPage, type Page, type PageInput } from './pagination.js';

const lastAttemptColumns = {
  id: attempts.id,
  statusCode: attempts.statusCode,
  responseBody: attempts.responseBody,
  responseTimeMs: attempts.responseTimeMs,
  error: attempts.error,
  attemptedAt: attempts.attemptedAt,
  trigger: attempts.trigger,
};

const deliveryColumns = {
  id: deliveries.id,
  workspaceId: deliveries.workspaceId,
  eventId: deliveries.eventId,
  eventType: deliveries.eventType,
  endpointId: deliveries.endpointId,
  endpointKind: deliveries.endpointKind,
  status: deliveries.status,
  test: deliveries.test,
  attemptCount: deliveries.attemptCount,
  manualAttemptCount: deliveries.manualAttemptCount,
  maxAttempts: deliveries.maxAttempts,
  nextAttemptAt: deliveries.nextAttemptAt,
  jobId: deliveries.jobId,
  attemptStartedAt: deliveries.attemptStartedAt,
  createdAt: deliveries.createdAt,
  updatedAt: deliveries.updatedAt,
};

export type DeliveryRow = { [K in keyof typeof deliveryColumns]: (typeof deliveries.$inferSelect)[K] } & {
  lastAttempt: { [K in keyof typeof lastAttemptColumns]: (typeof attempts.$inferSelect)[K] } | null;
};
export type AttemptRow = typeof attempts.$inferSelect;

export interface DeliveryFilters {
  status?: DeliveryViewStatus | undefined;
  eventType?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** The workspace-wide list's filters: the endpoint ones, plus where it went and what came back. */
export interface WorkspaceDeliveryFilters extends DeliveryFilters {
  targetKinds: readonly EndpointKind[];
  targetId?: string | undefined;
  eventId?: string | undefined;
  /** `500`, or a class such as `5xx`: the last attempt's status. */
  statusCode?: string | undefined;
}

function statusCondition(status: DeliveryViewStatus | undefined): SQL | undefined {
  if (status === undefined) return undefined;
  if (status === 'failing') return stillFailing;
  if (status === 'pending') return and(eq(deliveries.status, 'pending'), sql`NOT ${lastAttemptFailed}`);
  return eq(deliveries.status, status);
}

function selectDeliveries(db: Db) {
  return db
    .select({ ...deliveryColumns, lastAttempt: lastAttemptColumns })
    .from(deliveries)
    .leftJoin(attempts, eq(attempts.id, deliveries.lastAttemptId));
}

/**
 * Newest first, the page's rows found on `deliveries` alone and their last attempts joined after the
 * LIMIT: a join under the LIMIT let the planner join every row of a time window (thousands on a busy
 * endpoint) before keeping a page of them. Filters that read the last attempt need it joined first.
 */
async function pageOfDeliveries(db: Db, where: SQL | undefined, page: PageInput, readsLastAttempt: boolean): Promise<Page<DeliveryRow>> {
  if (readsLastAttempt) {
    const rows = await selectDeliveries(db).where(where).orderBy(newestFirst(deliveries.id)).limit(page.limit + 1);
    return toPage(rows as DeliveryRow[], page.limit);
  }
  const found = db
    .select({ ...deliveryColumns, lastAttemptId: deliveries.lastAttemptId })
    .from(deliveries)
    .where(where)
    .orderBy(newestFirst(deliveries.id))
    .limit(page.limit + 1)
    .as('found');
  const foundColumns = Object.fromEntries(Object.keys(deliveryColumns).map((key) => [key, found[key as keyof typeof deliveryColumns]]));
  const rows = await db
    .select({ ...foundColumns, lastAttempt: lastAttemptColumns })
    .from(found)
    .leftJoin(attempts, eq(attempts.id, found.lastAttemptId))
    .orderBy(newestFirst(found.id));
  return toPage(rows as DeliveryRow[], page.limit);
}

const readsLastAttempt = (filters: DeliveryFilters & { statusCode?: string | undefined }) =>
  filters.status === 'pending' || filters.statusCode !== undefined;

export async function listEndpointDeliveries(
  db: Db,
  input: { workspaceId: string; endpointId: string; filters: DeliveryFilters; page: PageInput },
): Promise<Page<DeliveryRow>> {
  const { filters, page } = input;
  const where = and(
    eq(deliveries.workspaceId, input.workspaceId),
    eq(deliveries.endpointId, input.endpointId),
    statusCondition(filters.status),
    filters.eventType ? eq(deliveries.eventType, filters.eventType) : undefined,
    deliveriesCreatedWithin(filters.since, filters.until),
    cursorCondition(deliveries.id, page.cursor),
  );
  return pageOfDeliveries(db, where, page, readsLastAttempt(filters));
}

export async function listEventDeliveries(db: Db, input: { workspaceId: string; eventId: string }): Promise<DeliveryRow[]> {
  const rows = await selectDeliveries(db)
    .where(and(eq(deliveries.workspaceId, input.workspaceId), eq(deliveries.eventId, input.eventId)))
    .orderBy(asc(deliveries.id));
  return rows as DeliveryRow[];
}

export async function findDelivery(db: Db, input: { workspaceId: string; deliveryId: string; endpointId?: string }): Promise<DeliveryRow | undefined> {
  const [row] = await selectDeliveries(db).where(
    and(
      eq(deliveries.workspaceId, input.workspaceId),
      eq(deliveries.id, input.deliveryId),
      input.endpointId ? eq(deliveries.endpointId, input.endpointId) : undefined,
    ),
  );
  return row as DeliveryRow | undefined;
}

export async function listAttempts(db: Db, deliveryId: string): Promise<AttemptRow[]> {
  return db.select().from(attempts).where(eq(attempts.deliveryId, deliveryId)).orderBy(asc(attempts.attemptNo), asc(attempts.id));
}

export async function findDeliveryPayload(db: Db, deliveryId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ payload: events.payload })
    .from(deliveries)
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .where(eq(deliveries.id, deliveryId));
  return row?.payload;
}

/** Every delivery of a workspace to the endpoint kinds the caller may read, newest first. */
export async function listWorkspaceDeliveries(
  db: Db,
  input: { workspaceId: string; filters: WorkspaceDeliveryFilters; page: PageInput },
): Promise<Page<DeliveryRow>> {
  const { filters, page } = input;
  if (filters.targetKinds.length === 0) return { data: [], nextCursor: null };
  const where = and(
    eq(deliveries.workspaceId, input.workspaceId),
    inArray(deliveries.endpointKind, [...filters.targetKinds]),
    filters.targetId ? eq(deliveries.endpointId, filters.targetId) : undefined,
    filters.eventId ? eq(deliveries.eventId, filters.eventId) : undefined,
    filters.eventType ? eq(deliveries.eventType, filters.eventType) : undefined,
    statusCondition(filters.status),
    lastStatusCode(filters.statusCode),
    deliveriesCreatedWithin(filters.since, filters.until),
    cursorCondition(deliveries.id, page.cursor),
  );
  return pageOfDeliveries(db, where, page, readsLastAttempt(filters));
}

/** One delivery of the workspace by its id alone, if its endpoint kind is one the caller may read. */
export async function findWorkspaceDelivery(db: Db, input: { workspaceId: string; deliveryId: string; kinds: readonly EndpointKind[] }): Promise<DeliveryRow | undefined> {
  if (input.kinds.length === 0) return undefined;
  const [row] = await selectDeliveries(db).where(
    and(eq(deliveries.workspaceId, input.workspaceId), eq(deliveries.id, input.deliveryId), inArray(deliveries.endpointKind, [...input.kinds])),
  );
  return row as DeliveryRow | undefined;
}

