import { describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { createDb } from '@dispatch/db';
import { asClaimRequest as asRequest, attemptRecord as record, deliveryRowsFixture } from '../../../test-support/delivery-rows.js';
import { createDeliveryStore } from '../src/delivery/delivery-store.js';

// The worker's delivery store against the real database: the claims (and the records) of the jobs
// that reach it in one event-loop turn share a statement, and each job still gets its own answer.

const fx = deliveryRowsFixture();

const row = async (id: string) => (await fx.h.deps.db.execute<Record<string, unknown>>(sql`SELECT * FROM deliveries WHERE id = ${id}`)).rows[0]!;

describe('the delivery store', () => {
  it('claims the deliveries asked for in one turn with one statement, each job getting its own', async () => {
    const handle = createDb(fx.h.env.DATABASE_URL!);
    let checkouts = 0;
    handle.pool.on('acquire', () => checkouts++);
    try {
      const store = createDeliveryStore(handle.db, { attemptStaleMs: 13_000 });
      const endpointId = await fx.rows.newEndpoint();
      const [a, b, c] = [await fx.rows.newDelivery(endpointId), await fx.rows.newDelivery(endpointId), await fx.rows.newDelivery(endpointId)];
      const claimed = await Promise.all([store.claim(asRequest(a)), store.claim({ deliveryId: b.id, jobId: 'someone-else' }), store.claim(asRequest(c))]);
      expect(claimed.map((d) => d?.id)).toEqual([a.id, undefined, c.id]);
      expect(checkouts).toBe(1);
      expect(await row(b.id)).toMatchObject({ attempt_started_at: null });
    } finally {
      await handle.close();
    }
  });

  it('records a batch in which Postgres refuses a row: that row fails only its own job', async () => {
    const endpointId = await fx.rows.newEndpoint();
    const good = [await fx.rows.newDelivery(endpointId), await fx.rows.newDelivery(endpointId)];
    const nul = await fx.rows.newDelivery(endpointId);
    const store = createDeliveryStore(fx.h.deps.db, { attemptStaleMs: 13_000 });
    const claimed = await Promise.all([...good, nul].map((d) => store.claim(asRequest(d))));
    const outcomes = await Promise.allSettled([
      store.record(record(claimed[0]!)),
      store.record(record('dlv_deleted_meanwhile')),
      store.record(record(claimed[2]!, { responseBody: 'a body text cannot hold \u0000' })),
      store.record(record(claimed[1]!)),
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'rejected'))).toEqual([1, null, 'rejected', 1]);
    for (const d of good) expect(await row(d.id)).toMatchObject({ status: 'succeeded', attempt_count: 1 });
    expect(await row(nul.id)).toMatchObject({ status: 'pending', attempt_count: 0 });
  });
});
