import { afterAll, beforeAll } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { generateSecret, newId, type SecretBox } from '@dispatch/core';
import { claimDeliveries, type AttemptRecord, type ClaimedDelivery, type Database } from '@dispatch/db';
import { startHarness, type Harness, type TestWorkspace } from './harness.js';

// Rows written straight into the database for the tests of the worker's claim and record statements:
// an endpoint that no request reaches, and deliveries of one event each, owned by job `<id>:1`.

export interface DeliveryRows {
  newEndpoint(failures?: number): Promise<string>;
  newDelivery(endpointId: string, options?: { test?: boolean; dueInMs?: number }): Promise<{ id: string; jobId: string }>;
  /** Claims the delivery as its job would (the claim its record must carry); throws when it cannot. */
  claim(delivery: { id: string; jobId: string }, attemptStaleMs?: number): Promise<ClaimedDelivery>;
}

export const asClaimRequest = (d: { id: string; jobId: string }) => ({ deliveryId: d.id, jobId: d.jobId });

export function deliveryRows(db: Database, secretBox: SecretBox, workspaceId: string): DeliveryRows {
  return {
    async newEndpoint(failures = 0) {
      const id = newId('workspaceWebhook');
      await db.execute(sql`
        INSERT INTO endpoints (id, workspace_id, kind, url, url_normalized, event_types, secret_sealed, secret_hint, consecutive_failures, failing_since)
        VALUES (${id}, ${workspaceId}, 'workspace_webhook', 'http://127.0.0.1:9/x', 'http://127.0.0.1:9/x', ARRAY['lead.created'],
                ${secretBox.seal(generateSecret())}, 'abcd', ${failures}, ${failures > 0 ? sql`now()` : sql`NULL`})`);
      return id;
    },
    async newDelivery(endpointId, options = {}) {
      const eventId = newId('event');
      const id = newId('delivery');
      await db.execute(sql`INSERT INTO events (id, workspace_id, type, payload) VALUES (${eventId}, ${workspaceId}, 'lead.created', '{"a":1}')`);
      await db.execute(sql`
        INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, test, max_attempts, next_attempt_at, job_id)
        VALUES (${id}, ${workspaceId}, ${eventId}, ${endpointId}, 'workspace_webhook', 'lead.created', ${options.test ?? false}, 3,
                now() + ${options.dueInMs ?? 0} * interval '1 millisecond', ${`${id}:1`})`);
      return { id, jobId: `${id}:1` };
    },
    async claim(delivery, attemptStaleMs = 45_000) {
      const [claimed] = await claimDeliveries(db, [asClaimRequest(delivery)], attemptStaleMs);
      if (!claimed) throw new Error(`could not claim ${delivery.id}`);
      return claimed;
    },
  };
}

export interface DeliveryRowsFixture {
  h: Harness;
  ws: TestWorkspace;
  rows: DeliveryRows;
}

/**
 * Registers, for the whole test file (beforeAll/afterAll), a harness without a worker and the
 * DeliveryRows of a workspace of its own; the fields are set once the tests run.
 */
export function deliveryRowsFixture(): DeliveryRowsFixture {
  const fixture = {} as DeliveryRowsFixture;
  beforeAll(async () => {
    fixture.h = await startHarness({ worker: false });
    fixture.ws = await fixture.h.newWorkspace();
    fixture.rows = deliveryRows(fixture.h.deps.db, fixture.h.deps.secretBox, fixture.ws.id);
  });
  afterAll(async () => {
    await fixture.h?.close();
  });
  return fixture;
}

/** An attempt of a claimed delivery; `deliveryId` alone (no claim) for a delivery that is not there. */
export function attemptRecord(claimed: Pick<ClaimedDelivery, 'id' | 'jobId' | 'claimedAt'> | string, overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  const { id: deliveryId, jobId, claimedAt } = typeof claimed === 'string' ? { id: claimed, jobId: `${claimed}:1`, claimedAt: new Date() } : claimed;
  return {
    id: newId('attempt'),
    deliveryId,
    jobId,
    claimedAt,
    trigger: 'initial',
    requestHeaders: { 'content-type': 'application/json', quote: 'a "b" \\ {c}' },
    statusCode: 200,
    responseHeaders: { 'set-cookie': ['a=1', 'b=2'] },
    responseBody: 'ok, "quoted" {braces} \\ and é',
    responseBodyTruncated: false,
    responseBodySize: 2,
    responseTimeMs: 3,
    timings: { dns: null, connect: 1, tls: null, firstByte: 2, total: 3 },
    error: null,
    attemptedAt: new Date(),
    status: 'succeeded',
    retryDelayMs: null,
    healthyEndpointId: null,
    ...overrides,
  };
}
