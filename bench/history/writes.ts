import { deliverJobId, newId } from '@dispatch/core';
import {
  claimDeliveries,
  insertEventsWithDeliveries,
  pruneAttemptsBatch,
  pruneEventsBatch,
  recordAttempts,
  type Database,
} from '@dispatch/db';
import type { Queues } from '@dispatch/queue';
import { requeueOverdueDeliveries } from '@dispatch/worker/requeue-overdue';
import { distribution, type Distribution } from '../lib/stats.js';
import { endpointId, workspaceId } from './generate.js';

// The write paths next to the history: ingest (the API's statement), the claim and the record (the
// worker's), the reconciler after a Redis loss and retention's prune of one day.

const payload = (id: string) => JSON.stringify({ id, type: 'lead.created', timestamp: new Date().toISOString(), data: { lead: { id: 'lead_1', email: 'a@example.com' } } });

function acceptedRows(count: number, k: number) {
  const events = [];
  const deliveries = [];
  for (let i = 0; i < count; i += 1) {
    const n = k * count + i;
    const createdAt = new Date();
    const id = newId('event');
    const deliveryId = newId('delivery');
    events.push({ id, workspaceId: workspaceId(n), type: 'lead.created', linkId: null, payload: payload(id), idempotencyKey: null, test: false, createdAt });
    deliveries.push({
      id: deliveryId, eventId: id, eventType: 'lead.created', endpointId: endpointId(n), endpointKind: 'workspace_webhook' as const, jobId: deliverJobId(deliveryId, 1, 'initial'),
      workspaceId: workspaceId(n), test: false, maxAttempts: 8, trigger: 'initial' as const, createdAt, requireActive: false, endpointVersion: null,
    });
  }
  return { events, deliveries };
}

export interface IngestFigures {
  statement: Distribution;
  eventsPerSecond: number;
  deliveryIds: { id: string; jobId: string }[];
}

/** `requests` single-event ingest statements, `concurrency` at a time (as concurrent API requests). */
export async function measureIngest(db: Database, requests: number, concurrency: number): Promise<IngestFigures> {
  const ms: number[] = [];
  const deliveryIds: { id: string; jobId: string }[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const rows = acceptedRows(1, next++);
        const t = performance.now();
        await insertEventsWithDeliveries(db, rows);
        ms.push(performance.now() - t);
        deliveryIds.push(...rows.deliveries.map((d) => ({ id: d.id, jobId: d.jobId })));
      }
    }),
  );
  return { statement: distribution(ms), eventsPerSecond: Math.round(requests / ((performance.now() - started) / 1000)), deliveryIds };
}

/** Claims each delivery alone and records its attempt alone (the worker's statements, one row each). */
export async function measureClaimAndRecord(db: Database, due: readonly { id: string; jobId: string }[]): Promise<{ claim: Distribution; record: Distribution }> {
  const claimMs: number[] = [];
  const recordMs: number[] = [];
  for (const delivery of due) {
    let t = performance.now();
    const [claimed] = await claimDeliveries(db, [{ deliveryId: delivery.id, jobId: delivery.jobId }], 45_000);
    claimMs.push(performance.now() - t);
    if (!claimed) throw new Error(`could not claim ${delivery.id}`);
    t = performance.now();
    await recordAttempts(db, [{
      id: newId('attempt'), deliveryId: claimed.id, jobId: claimed.jobId, claimedAt: claimed.claimedAt, trigger: 'initial',
      requestHeaders: { 'content-type': 'application/json' }, statusCode: 200, responseHeaders: {}, responseBody: 'ok', responseBodyTruncated: false,
      responseBodySize: 2, responseTimeMs: 20, timings: null, error: null, attemptedAt: new Date(), status: 'succeeded', retryDelayMs: null, healthyEndpointId: null,
    }]);
    recordMs.push(performance.now() - t);
  }
  return { claim: distribution(claimMs), record: distribution(recordMs) };
}

export interface ReconcileFigures {
  requeued: number;
  seconds: number;
}

/** The reconciler's re-queueing (the worker's own function) over every overdue delivery, its jobs added to Redis. */
export async function measureReconcile(db: Database, queues: Queues): Promise<ReconcileFigures> {
  const started = performance.now();
  // Without a cap per run (the worker's is 100,000), so that a larger backlog is timed whole.
  const requeued = await requeueOverdueDeliveries({ db, queues }, { staleMs: 600_000, attemptStaleMs: 45_000, maxPerRun: Number.POSITIVE_INFINITY });
  return { requeued, seconds: (performance.now() - started) / 1000 };
}

/** Retention of the history's oldest day: the prune job's batches of attempts, then of events. */
export async function measurePruneDay(db: Database, before: Date): Promise<{ seconds: number; attempts: number; events: number }> {
  const started = performance.now();
  let attempts = 0;
  let events = 0;
  for (let n = 5_000; n === 5_000; attempts += n) n = await pruneAttemptsBatch(db, { before, batchSize: 5_000 });
  for (let n = 5_000; n === 5_000; events += n) n = await pruneEventsBatch(db, { before, batchSize: 5_000 });
  return { seconds: (performance.now() - started) / 1000, attempts, events };
}
