import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { attempts, deliveries, events, type DeliveryStatus } from '../schema/index.js';
import { deliveriesCreatedWithin } from './created-within.js';
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
  status?: DeliveryStatus | undefined;
  eventType?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

function selectDeliveries(db: Db) {
  return db
    .select({ ...deliveryColumns, lastAttempt: lastAttemptColumns })
    .from(deliveries)
    .leftJoin(attempts, eq(attempts.id, deliveries.lastAttemptId));
}

export async function listEndpointDeliveries(
  db: Db,
  input: { workspaceId: string; endpointId: string; filters: DeliveryFilters; page: PageInput },
): Promise<Page<DeliveryRow>> {
  const { filters, page } = input;
  const rows = await selectDeliveries(db)
    .where(
      and(
        eq(deliveries.workspaceId, input.workspaceId),
        eq(deliveries.endpointId, input.endpointId),
        filters.status ? eq(deliveries.status, filters.status) : undefined,
        filters.eventType ? eq(deliveries.eventType, filters.eventType) : undefined,
        deliveriesCreatedWithin(filters.since, filters.until),
        cursorCondition(deliveries.id, page.cursor),
      ),
    )
    .orderBy(newestFirst(deliveries.id))
    .limit(page.limit + 1);
  return toPage(rows as DeliveryRow[], page.limit);
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
