import { newId } from '@dispatch/core';
import type pg from 'pg';

// The shapes the worker could write a delivery's attempt in, for sql-cost.ts. `current` calls the
// real @dispatch/db functions (loosely typed, so a signature change there breaks this experiment at
// run time rather than the workspace's typecheck); the others are raw SQL written here.

export interface Claimed {
  id: string;
  endpointId: string;
  attemptCount: number;
}

export interface Variant {
  name: string;
  deliver(deliveryId: string, jobId: string): Promise<void>;
  /** Its batchers, to report how many items each round trip carried. */
  batchers?: { flushes: number; items: number }[];
}

/** A successful attempt's record, sized like the worker's (eight signed headers, a short answer). */
export function attemptRecord(deliveryId: string, attemptNo: number) {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Dispatch-Webhooks/0.1.0',
    'webhook-id': 'evt_01JS9M2Q6T0W4Z8C2F5J9L3PSV',
    'webhook-timestamp': '1764201600',
    'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
    'svix-id': 'evt_01JS9M2Q6T0W4Z8C2F5J9L3PSV',
    'svix-timestamp': '1764201600',
    'svix-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  };
  return {
    id: newId('attempt'),
    deliveryId,
    attemptNo,
    trigger: 'initial' as const,
    requestHeaders: headers,
    statusCode: 200,
    responseHeaders: { 'content-type': 'text/plain', 'content-length': '2', date: new Date().toUTCString(), connection: 'keep-alive' },
    responseBody: 'ok',
    responseBodyTruncated: false,
    responseBodySize: 2,
    responseTimeMs: 2,
    timings: { dns: null, connect: null, tls: null, firstByte: 2, total: 2 },
    error: null,
    attemptedAt: new Date(),
  };
}

const CLAIM = `
  WITH claimed AS (
    UPDATE deliveries SET attempt_started_at = now()
    WHERE id = $1 AND job_id = $2 AND status = 'pending' AND attempt_started_at IS NULL
    RETURNING id, event_id, endpoint_id, attempt_count
  )
  SELECT c.id, c.endpoint_id, c.attempt_count, ev.payload, e.url, e.headers, e.secret_sealed,
         e.consecutive_failures = 0 AND e.failing_since IS NULL AS endpoint_healthy
  FROM claimed c JOIN endpoints e ON e.id = c.endpoint_id JOIN events ev ON ev.id = c.event_id`;

/** The attempt, the delivery's new state and (only when needed) the endpoint's health, in one statement. */
const FINISH_ONE = `
  WITH a AS (
    INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, status_code, response_headers, response_body,
                          response_body_truncated, response_body_size, response_time_ms, timings, error, attempted_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
  ), d AS (
    UPDATE deliveries SET status = 'succeeded', next_attempt_at = NULL, attempt_count = $3, last_attempt_id = $1,
                          attempt_started_at = NULL, updated_at = now()
    WHERE id = $2
  )
  UPDATE endpoints SET consecutive_failures = 0, failing_since = NULL
  WHERE id = $15 AND (consecutive_failures <> 0 OR failing_since IS NOT NULL)`;

/** The same for many deliveries at once (arrays in, one round trip, one commit). */
const FINISH_MANY = `
  WITH a AS (
    INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, status_code, response_headers, response_body,
                          response_body_truncated, response_body_size, response_time_ms, timings, error, attempted_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::jsonb[], $6::int[], $7::jsonb[], $8::text[],
                         $9::bool[], $10::int[], $11::int[], $12::jsonb[], $13::text[], $14::timestamptz[])
  ), d AS (
    UPDATE deliveries SET status = 'succeeded', next_attempt_at = NULL, attempt_count = u.attempt_no, last_attempt_id = u.attempt_id,
                          attempt_started_at = NULL, updated_at = now()
    FROM unnest($2::text[], $1::text[], $3::int[]) AS u(delivery_id, attempt_id, attempt_no)
    WHERE deliveries.id = u.delivery_id
  )
  UPDATE endpoints SET consecutive_failures = 0, failing_since = NULL
  WHERE id = ANY($15::text[]) AND (consecutive_failures <> 0 OR failing_since IS NOT NULL)`;

type Attempt = ReturnType<typeof attemptRecord>;
const row = (a: Attempt) => [
  a.id, a.deliveryId, a.attemptNo, a.trigger, JSON.stringify(a.requestHeaders), a.statusCode, JSON.stringify(a.responseHeaders), a.responseBody,
  a.responseBodyTruncated, a.responseBodySize, a.responseTimeMs, JSON.stringify(a.timings), a.error, a.attemptedAt,
];

/** Collects what callers hand it during one turn of the event loop and handles it in one call. */
export class TurnBatcher<I, O> {
  private queue: { item: I; resolve: (value: O) => void; reject: (error: Error) => void }[] = [];
  private scheduled = false;
  flushes = 0;
  items = 0;
  constructor(private readonly run: (items: I[]) => Promise<O[]>, private readonly max = 100) {}

  add(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.max);
      this.flushes++;
      this.items += batch.length;
      this.run(batch.map((b) => b.item)).then(
        (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
        (error: Error) => batch.forEach((b) => b.reject(error)),
      );
    }
  }
}

const CLAIM_MANY = `
  WITH claimed AS (
    UPDATE deliveries SET attempt_started_at = now()
    FROM unnest($1::text[], $2::text[]) AS u(id, job_id)
    WHERE deliveries.id = u.id AND deliveries.job_id = u.job_id AND status = 'pending' AND attempt_started_at IS NULL
    RETURNING deliveries.id, event_id, endpoint_id, attempt_count
  )
  SELECT c.id, c.endpoint_id, c.attempt_count, ev.payload, e.url, e.headers, e.secret_sealed
  FROM claimed c JOIN endpoints e ON e.id = c.endpoint_id JOIN events ev ON ev.id = c.event_id`;

type ClaimRow = { id: string; endpoint_id: string; attempt_count: number };

interface LooseDb {
  claimDelivery(db: unknown, deliveryId: string, jobId: string, attemptStaleMs: number): Promise<Claimed | undefined>;
  insertAttempt(db: unknown, attempt: Attempt): Promise<void>;
  finishAttempt(db: unknown, deliveryId: string, attempt: { id: string; attemptNo: number }, update: { status: string; nextAttemptAt: Date | null }): Promise<void>;
  markEndpointHealthy(db: unknown, endpointId: string): Promise<void>;
}

export async function variants(pool: pg.Pool, db: { transaction<T>(run: (tx: unknown) => Promise<T>): Promise<T> }): Promise<Variant[]> {
  const real = (await import('@dispatch/db')) as unknown as LooseDb;
  const finishMany = async (items: { attempt: Attempt; endpointId: string }[]) => {
    const columns = Array.from({ length: 14 }, (_, c) => items.map((item) => row(item.attempt)[c]));
    await pool.query({ name: 'finish_many', text: FINISH_MANY, values: [...columns, [...new Set(items.map((i) => i.endpointId))]] });
    return items.map(() => undefined);
  };
  const claimMany = async (items: { deliveryId: string; jobId: string }[]) => {
    const result = await pool.query<ClaimRow>({ name: 'claim_many', text: CLAIM_MANY, values: [items.map((i) => i.deliveryId), items.map((i) => i.jobId)] });
    const byId = new Map(result.rows.map((r) => [r.id, r]));
    return items.map((i) => byId.get(i.deliveryId));
  };
  const finishes = new TurnBatcher(finishMany);
  const finishes2 = new TurnBatcher(finishMany);
  const claims = new TurnBatcher(claimMany);
  const claimRaw = async (deliveryId: string, jobId: string, prepared: boolean) => {
    const result = await pool.query<{ id: string; endpoint_id: string; attempt_count: number }>(
      prepared ? { name: 'claim', text: CLAIM, values: [deliveryId, jobId] } : { text: CLAIM, values: [deliveryId, jobId] },
    );
    const claimed = result.rows[0];
    if (!claimed) throw new Error(`claim failed for ${deliveryId}`);
    return claimed;
  };
  return [
    {
      // What attempt.ts + deliver.job.ts do today: claim, then BEGIN; insert; update; update endpoint; COMMIT.
      name: 'current (drizzle, claim + 5-statement transaction)',
      async deliver(deliveryId, jobId) {
        const claimed = await real.claimDelivery(db, deliveryId, jobId, 45_000);
        if (!claimed) throw new Error(`claim failed for ${deliveryId}`);
        const attempt = attemptRecord(deliveryId, claimed.attemptCount + 1);
        await db.transaction(async (tx) => {
          await real.insertAttempt(tx, attempt);
          await real.finishAttempt(tx, deliveryId, { id: attempt.id, attemptNo: attempt.attemptNo }, { status: 'succeeded', nextAttemptAt: null });
          await real.markEndpointHealthy(tx, claimed.endpointId);
        });
      },
    },
    {
      name: 'claim + one-statement finish (raw pg)',
      async deliver(deliveryId, jobId) {
        const claimed = await claimRaw(deliveryId, jobId, false);
        const attempt = attemptRecord(deliveryId, claimed.attempt_count + 1);
        await pool.query({ text: FINISH_ONE, values: [...row(attempt), claimed.endpoint_id] });
      },
    },
    {
      name: 'claim + one-statement finish, prepared',
      async deliver(deliveryId, jobId) {
        const claimed = await claimRaw(deliveryId, jobId, true);
        const attempt = attemptRecord(deliveryId, claimed.attempt_count + 1);
        await pool.query({ name: 'finish_one', text: FINISH_ONE, values: [...row(attempt), claimed.endpoint_id] });
      },
    },
    {
      name: 'claim (prepared) + batched finish (one statement per loop turn)',
      async deliver(deliveryId, jobId) {
        const claimed = await claimRaw(deliveryId, jobId, true);
        await finishes.add({ attempt: attemptRecord(deliveryId, claimed.attempt_count + 1), endpointId: claimed.endpoint_id });
      },
      batchers: [finishes],
    },
    {
      name: 'batched claim + batched finish',
      async deliver(deliveryId, jobId) {
        const claimed = await claims.add({ deliveryId, jobId });
        if (!claimed) throw new Error(`claim failed for ${deliveryId}`);
        await finishes2.add({ attempt: attemptRecord(deliveryId, claimed.attempt_count + 1), endpointId: claimed.endpoint_id });
      },
      batchers: [claims, finishes2],
    },
  ];
}
