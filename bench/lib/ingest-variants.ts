import { getEventDefinition, newId, serializeEnvelope } from '@dispatch/core';
import type pg from 'pg';
import { TurnBatcher } from './sql-variants.js';

// The shapes POST /api/events could write an event and its one delivery in, for sql-cost.ts.
// `current` calls the real @dispatch/db functions in a transaction as events.service.ts does.

export interface IngestVariant {
  name: string;
  accept(): Promise<void>;
  /** Events one accept() writes (a batch request writes 500). */
  eventsPerRun?: number;
  batchers?: { flushes: number; items: number }[];
}

interface LooseDb {
  findFanoutCandidates(db: unknown, input: { workspaceId: string; types: string[] }): Promise<{ id: string; kind: string }[]>;
  insertEvents(db: unknown, rows: unknown[]): Promise<unknown>;
  insertDeliveries(db: unknown, rows: unknown[], options: Record<string, unknown>): Promise<void>;
}

const INSERT_ONE = `
  WITH e AS (
    INSERT INTO events (id, workspace_id, type, payload, created_at) VALUES ($1, $2, $3, $4, $5)
  )
  INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, max_attempts, next_attempt_at, job_id, created_at, updated_at)
  VALUES ($6, $2, $1, $7, 'workspace_webhook', $3, 8, $5, $6 || '-1', $5, $5)`;

const INSERT_MANY = `
  WITH e AS (
    INSERT INTO events (id, workspace_id, type, payload, created_at)
    SELECT u.id, $1, $2, u.payload, u.created_at FROM unnest($3::text[], $4::text[], $5::timestamptz[]) AS u(id, payload, created_at)
  )
  INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, max_attempts, next_attempt_at, job_id, created_at, updated_at)
  SELECT u.id, $1, u.event_id, $6, 'workspace_webhook', $2, 8, u.created_at, u.id || '-1', u.created_at, u.created_at
  FROM unnest($7::text[], $3::text[], $5::timestamptz[]) AS u(id, event_id, created_at)`;

export async function ingestVariants(
  pool: pg.Pool,
  db: { transaction<T>(run: (tx: unknown) => Promise<T>): Promise<T> },
  workspaceId: string,
  endpointId: string,
): Promise<IngestVariant[]> {
  const real = (await import('@dispatch/db')) as unknown as LooseDb;
  const type = 'payout.created';
  const data = getEventDefinition(type).example;
  const event = () => {
    const id = newId('event');
    const createdAt = new Date();
    return { id, createdAt, payload: serializeEnvelope({ id, type, timestamp: createdAt.toISOString(), data }), deliveryId: newId('delivery') };
  };
  type NewEvent = ReturnType<typeof event>;
  const insertMany = async (items: NewEvent[]) => {
    await pool.query({
      name: 'accept_many',
      text: INSERT_MANY,
      values: [workspaceId, type, items.map((i) => i.id), items.map((i) => i.payload), items.map((i) => i.createdAt), endpointId, items.map((i) => i.deliveryId)],
    });
    return items.map(() => undefined);
  };
  const many = new TurnBatcher<NewEvent, undefined>(insertMany);
  const BATCH = 500;
  const currentAccept = async (events: NewEvent[]) => {
    await db.transaction(async (tx) => {
      const candidates = await real.findFanoutCandidates(tx, { workspaceId, types: [type] });
      await real.insertEvents(
        tx,
        events.map((e) => ({ id: e.id, workspaceId, type, linkId: null, payload: e.payload, idempotencyKey: null, test: false, createdAt: e.createdAt })),
      );
      const deliveries = events.flatMap((e) =>
        candidates.map((c) => ({ id: e.deliveryId, eventId: e.id, eventType: type, endpointId: c.id, endpointKind: c.kind, jobId: `${e.deliveryId}-1` })),
      );
      await real.insertDeliveries(tx, deliveries, { workspaceId, test: false, maxAttempts: 8, trigger: 'initial', createdAt: events[0]!.createdAt });
    });
  };
  return [
    {
      name: 'current (drizzle: BEGIN, select endpoints, insert event, insert deliveries, COMMIT)',
      async accept() {
        await currentAccept([event()]);
      },
    },
    {
      name: 'one statement, prepared (endpoints from a short-lived cache)',
      async accept() {
        const e = event();
        await pool.query({ name: 'accept_one', text: INSERT_ONE, values: [e.id, workspaceId, type, e.payload, e.createdAt, e.deliveryId, endpointId] });
      },
    },
    {
      name: 'one statement per loop turn across concurrent requests',
      accept: () => many.add(event()),
      batchers: [many],
    },
    {
      name: 'batch of 500, current (drizzle insert of 500 rows, unnest deliveries, transaction)',
      accept: () => currentAccept(Array.from({ length: BATCH }, event)),
      eventsPerRun: BATCH,
    },
    {
      name: 'batch of 500, one unnest statement, prepared',
      accept: async () => void (await insertMany(Array.from({ length: BATCH }, event))),
      eventsPerRun: BATCH,
    },
  ];
}
