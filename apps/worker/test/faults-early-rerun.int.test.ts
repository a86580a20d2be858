import { describe, expect, it } from '@jest/globals';
import { deliverJobId } from '@dispatch/core';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { eventually } from '../../../test-support/harness.js';
import { faultFixture } from '../../../test-support/fixtures.js';
import { miscounted } from '../../../test-support/ledger.js';

// A job run before its delivery is due: its attempt was recorded and a retry scheduled, and then
// BullMQ runs the job again early. That happens after an infrastructure error that came after the
// record committed (BullMQ retries such a job after 5 s, whatever the row says), or on a worker host
// whose clock runs ahead (BullMQ promotes delayed jobs by the worker's clock). Promoting the delayed
// job stands in for any of them. The early run must make no attempt and use none; its job comes back
// when the row says the delivery is due, without waiting for the reconciler (its grace is set far
// beyond this test).

const RETRY_MS = 4_000;
const PATH = '/early';

const fx = faultFixture({ env: { DISPATCH_RETRY_SCHEDULE: `${RETRY_MS}ms`, DISPATCH_RECONCILE_GRACE: '10m' } });

describe('a job run before its retry is due', () => {
  it('makes no attempt then, and makes it when the row says it is due', async () => {
    const { h, ws, receiver, ledger } = fx;
    receiver.script(PATH, [{ status: 500 }, { status: 200 }]);
    await createWebhook(h, ws, { url: receiver.url(PATH) });
    const accepted = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
    expect(accepted.status).toBe(202);

    const [delivery] = await eventually(async () => {
      const rows = await ledger.deliveries(ws.id);
      return rows[0]?.attemptCount === 1 ? rows : undefined;
    });
    const dueAt = await eventually(async () => (await h.api.get(`/api/events/${accepted.body.id}`).set(ws.auth)).body.deliveries?.[0]?.nextAttemptAt as string | undefined);
    const jobId = deliverJobId(delivery!.id, 1, 'initial');
    const job = (await h.deps.queues.deliveries.getJob(jobId))!;
    await eventually(async () => (await job.getState()) === 'delayed');

    const rerunAt = Date.now();
    await job.promote();
    // The early run started, found the delivery not due and put its job back, delayed until it is,
    // without using one of the job's attempts.
    const rerun = await eventually(async () => {
      if (receiver.on(PATH).length > 1) return { putBack: undefined };
      const current = await h.deps.queues.deliveries.getJob(jobId);
      return current && current.attemptsStarted > job.attemptsStarted && (await current.getState()) === 'delayed' ? { putBack: current } : undefined;
    });
    expect(receiver.on(PATH)).toHaveLength(1);
    expect(rerun.putBack!.attemptsMade).toBe(job.attemptsMade);
    expect(Date.parse(dueAt) - rerunAt).toBeGreaterThan(RETRY_MS * 0.8 - 1_000);

    await receiver.waitFor(() => receiver.on(PATH).length === 2, RETRY_MS + 5_000);
    const retriedAt = receiver.on(PATH)[1]!.receivedAt;
    // Not before the row said (less the allowance for clocks that differ), and not long after either.
    expect(retriedAt).toBeGreaterThanOrEqual(Date.parse(dueAt) - 1_000);
    expect(retriedAt - Date.parse(dueAt)).toBeLessThan(3_000);
    expect(await ledger.settle(ws.id, 5_000)).toBe(0);
    const rows = await ledger.deliveries(ws.id);
    expect(rows).toMatchObject([{ status: 'succeeded', attemptCount: 2, attempts: 2 }]);
    expect(miscounted(rows)).toEqual([]);
  }, 30_000);
});
