import { describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { newId } from '@dispatch/core';
import { claimDeliveries, createDb, recordAttempts, type Db } from '@dispatch/db';
import { asClaimRequest as asRequest, attemptRecord as record, deliveryRowsFixture } from '../../../test-support/delivery-rows.js';

// The batched statements the worker claims and records deliveries with, against the real database:
// each row keeps the guards and consequences it had when it had a statement of its own.

const fx = deliveryRowsFixture();

const row = async (table: 'deliveries' | 'endpoints', id: string) =>
  (await fx.h.deps.db.execute<Record<string, unknown>>(sql`SELECT * FROM ${sql.identifier(table)} WHERE id = ${id}`)).rows[0]!;

describe('claimDeliveries', () => {
  it('commits without waiting for the WAL flush, in its own transaction only', async () => {
    const synchronousCommit = async (db: Db) => (await db.execute<{ synchronous_commit: string }>(sql`SHOW synchronous_commit`)).rows[0]!.synchronous_commit;
    // One connection, so the check after the transaction is made on the connection that claimed.
    const single = createDb(fx.h.env.DATABASE_URL!, { max: 1 });
    try {
      const d = await fx.rows.newDelivery(await fx.rows.newEndpoint());
      await single.db.transaction(async (tx) => {
        expect(await claimDeliveries(tx, [{ deliveryId: d.id, jobId: d.jobId }], 45_000)).toHaveLength(1);
        expect(await synchronousCommit(tx)).toBe('off');
      });
      expect(await synchronousCommit(single.db)).toBe('on');
      expect((await row('deliveries', d.id)).attempt_started_at).not.toBeNull();
    } finally {
      await single.close();
    }
  });

  it('claims each row under its own guards, and a (delivery, job) asked twice only once', async () => {
    const endpointId = await fx.rows.newEndpoint();
    const [a, b, c] = [await fx.rows.newDelivery(endpointId), await fx.rows.newDelivery(endpointId), await fx.rows.newDelivery(endpointId)];
    const claimed = await claimDeliveries(
      fx.h.deps.db,
      [a, { deliveryId: b.id, jobId: 'someone-else' }, a, c].map((d) => ('deliveryId' in d ? d : { deliveryId: d.id, jobId: d.jobId })),
      45_000,
    );
    expect(claimed.map((d) => d?.id)).toEqual([a.id, undefined, undefined, c.id]);
    expect(claimed[0]).toMatchObject({ endpointId, payload: '{"a":1}', attemptCount: 0, jobTrigger: 'initial', endpointActive: true, previousSecretExpiresAt: null });
    expect(fx.h.deps.secretBox.open(claimed[0]!.secretSealed)).toMatch(/^whsec_/);
    // An attempt under way is not claimed again (until it is stale).
    expect(await claimDeliveries(fx.h.deps.db, [{ deliveryId: a.id, jobId: a.jobId }], 45_000)).toEqual([undefined]);
  });

  // The worker's claim runs as a named statement, so Postgres soon caches one generic plan for it per
  // connection, and keeps it while the table changes. With no statistics yet (a new or emptied table)
  // that plan used to be a sequential scan while the table was small, and once it held a backlog an
  // AND of the primary key with the partial index on pending deliveries: either way a walk over far
  // more rows than the batch on every claim (bench/RESULTS.md, "The claim's cached plan").
  // auto_explain hands back the plan as the worker's pool runs it, as a notice.
  async function claimPlanReads(requests: { deliveryId: string; jobId: string }[]): Promise<string[]> {
    const single = createDb(fx.h.env.DATABASE_URL!, { max: 1, keyedLookupsOnly: true });
    const plans: unknown[] = [];
    single.pool.on('connect', (client) => client.on('notice', (notice) => plans.push(JSON.parse(notice.message!.replace(/^[^{]*/, '')))));
    try {
      const settings = [
        sql`SET plan_cache_mode = force_generic_plan`,
        sql`LOAD 'auto_explain'`,
        sql`SET auto_explain.log_min_duration = 0`,
        sql`SET auto_explain.log_format = json`,
        sql`SET auto_explain.log_level = notice`,
      ];
      for (const setting of settings) await single.db.execute(setting);
      expect((await claimDeliveries(single.db, requests, 45_000)).every(Boolean)).toBe(true);
    } finally {
      await single.close();
    }
    // How the plan reaches `deliveries`: the indexes it reads, and any sequential scan.
    const reads: string[] = [];
    const walk = (node: Record<string, unknown>) => {
      const index = node['Index Name'] as string | undefined;
      if (index?.startsWith('deliveries_')) reads.push(index);
      if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'deliveries') reads.push('Seq Scan');
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk((plans.find((p) => JSON.stringify(p).includes('attempt_started_at')) as { Plan: Record<string, unknown> }).Plan);
    return reads;
  }

  it('reaches deliveries through the primary key alone, on a nearly empty table and on a backlog with no statistics', async () => {
    const endpointId = await fx.rows.newEndpoint();
    const few = [await fx.rows.newDelivery(endpointId), await fx.rows.newDelivery(endpointId)];
    expect(await claimPlanReads(few.map((d) => ({ deliveryId: d.id, jobId: d.jobId })))).toEqual(['deliveries_pkey']);

    const prefix = newId('delivery');
    await fx.h.deps.db.execute(sql`
      WITH ev AS (
        INSERT INTO events (id, workspace_id, type, payload)
        SELECT ${prefix} || '_evt' || g, ${fx.ws.id}, 'lead.created', '{"a":1}' FROM generate_series(1, 5000) g
        RETURNING id
      )
      INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, max_attempts, next_attempt_at, job_id)
      SELECT replace(ev.id, '_evt', '_'), ${fx.ws.id}, ev.id, ${endpointId}, 'workspace_webhook', 'lead.created', 3, now(), replace(ev.id, '_evt', '_') || ':1'
      FROM ev`);
    const backlog = [1, 2, 3].map((n) => ({ deliveryId: `${prefix}_${n}`, jobId: `${prefix}_${n}:1` }));
    expect(await claimPlanReads(backlog)).toEqual(['deliveries_pkey']);
  });

  it('runs in the worker on a pool set up as the plans above were read', async () => {
    const worker = await fx.h.startWorker();
    const setting = await worker.deps.db.execute<{ enable_seqscan: string }>(sql`SHOW enable_seqscan`);
    expect(setting.rows[0]!.enable_seqscan).toBe('off');
  });
});

describe('recordAttempts', () => {
  it('records attempts and delivery states, and resets only the endpoints a real success proved healthy', async () => {
    const failing = await fx.rows.newEndpoint(4);
    const testedOnly = await fx.rows.newEndpoint(2);
    const ok = await fx.rows.newDelivery(failing);
    const retry = await fx.rows.newDelivery(failing);
    const tested = await fx.rows.newDelivery(testedOnly, { test: true });
    const claimed = await claimDeliveries(fx.h.deps.db, [ok, retry, tested].map(asRequest), 45_000);
    const records = [
      record(claimed[0]!, { healthyEndpointId: failing }),
      record(claimed[1]!, { statusCode: 500, status: 'pending', retryDelayMs: 60_000, error: null }),
      record(claimed[2]!, { trigger: 'test' }),
    ];
    expect(await recordAttempts(fx.h.deps.db, records)).toEqual([true, true, true]);

    expect(await row('deliveries', ok.id)).toMatchObject({ status: 'succeeded', attempt_count: 1, last_attempt_id: records[0]!.id, attempt_started_at: null, next_attempt_at: null });
    const pending = await row('deliveries', retry.id);
    expect(pending).toMatchObject({ status: 'pending', attempt_count: 1, job_trigger: 'retry', attempt_started_at: null });
    // Due the retry delay after the record, by Postgres's clock (updated_at is the record's now()).
    expect(new Date(pending.next_attempt_at as string).getTime() - new Date(pending.updated_at as string).getTime()).toBe(60_000);
    expect(await row('endpoints', failing)).toMatchObject({ consecutive_failures: 0, failing_since: null });
    expect(await row('endpoints', testedOnly)).toMatchObject({ consecutive_failures: 2 });

    const stored = (await fx.h.deps.db.execute<Record<string, unknown>>(sql`SELECT * FROM attempts WHERE id = ${records[0]!.id}`)).rows[0]!;
    expect(stored).toMatchObject({
      delivery_id: ok.id,
      request_headers: records[0]!.requestHeaders,
      response_headers: records[0]!.responseHeaders,
      response_body: records[0]!.responseBody,
      timings: records[0]!.timings,
      status_code: 200,
      error: null,
    });
  });

  it('joins the caller’s transaction', async () => {
    const endpointId = await fx.rows.newEndpoint();
    const delivery = await fx.rows.newDelivery(endpointId);
    const attempt = record(await fx.rows.claim(delivery));
    await expect(
      fx.h.deps.db.transaction(async (tx) => {
        await recordAttempts(tx, [attempt]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await fx.h.deps.db.execute(sql`SELECT 1 FROM attempts WHERE id = ${attempt.id}`)).rows).toHaveLength(0);
    expect(await row('deliveries', delivery.id)).toMatchObject({ status: 'pending', attempt_count: 0 });
  });
});
