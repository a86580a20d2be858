import { describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { createWebhook, example, type WebhookBody } from '../../../test-support/api-helpers.js';
import { harnessFixture } from '../../../test-support/fixtures.js';
import { eventually } from '../../../test-support/harness.js';

// Issue 14: an operator's attempt (redeliver, replay) never costs a delivery's schedule, and after a
// receiver is fixed one replay call delivers everything still failing at once, through the open
// breaker. The next scheduled retry is an hour away throughout, so only the operator's attempts can
// deliver anything within the test; the breaker's pause (30 s) is longer than every wait below.

const fx = harnessFixture({ env: { DISPATCH_RETRY_SCHEDULE: '1h,1h', DISPATCH_BREAKER_PAUSE: '30s' } });

interface DeliveryBody {
  id: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  attempts: { attemptNo: number; trigger: string; statusCode: number | null }[];
}

async function newFailingHook(path: string): Promise<WebhookBody> {
  fx.receiver.script(path, [{ status: 500, body: 'down' }]);
  return createWebhook(fx.h, fx.ws, { url: fx.receiver.url(path) });
}

async function emit(): Promise<string> {
  const res = await fx.h.api.post('/api/events').set(fx.ws.auth).send({ type: 'lead.created', data: example('lead.created') });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

const detail = async (deliveryId: string) => (await fx.h.api.get(`/api/deliveries/${deliveryId}`).set(fx.ws.auth)).body as DeliveryBody;
const redeliver = (hook: WebhookBody, deliveryId: string) => fx.h.api.post(`/api/webhooks-manage/${hook.id}/redeliver/${deliveryId}`).set(fx.ws.auth);

/** The delivery of `eventId` to `hook`, once it has made its first attempt. */
async function firstAttempted(hook: WebhookBody, eventId: string): Promise<DeliveryBody> {
  const { id } = await eventually(async () => {
    const list = (await fx.h.api.get(`/api/deliveries?eventId=${eventId}&targetId=${hook.id}`).set(fx.ws.auth)).body as { data: { id: string }[] };
    return list.data[0];
  });
  return withAttempts(id, 1);
}

/** The delivery once its attempts number `attempts` (its row and its attempts are read apart: both must say so). */
const withAttempts = (deliveryId: string, attempts: number) =>
  eventually(async () => {
    const found = await detail(deliveryId);
    return found.attempts.length === attempts && found.attemptCount === attempts ? found : undefined;
  });

/** The schedule's own columns, as stored. */
async function schedule(deliveryId: string) {
  const { rows } = await fx.h.deps.db.execute<Record<string, unknown>>(
    sql`SELECT status, attempt_count, max_attempts, next_attempt_at, job_id FROM deliveries WHERE id = ${deliveryId}`,
  );
  return rows[0]!;
}

describe('an operator attempt beside the schedule', () => {
  it('a failed redeliver of a failing delivery changes neither its attempt count nor its next retry, nor its job', async () => {
    const hook = await newFailingHook('/still-broken');
    const failing = await firstAttempted(hook, await emit());
    expect(failing.status).toBe('failing');
    const before = await schedule(failing.id);
    expect(before).toMatchObject({ status: 'pending', attempt_count: 1 });

    expect((await redeliver(hook, failing.id)).status).toBe(202);
    const after = await withAttempts(failing.id, 2);
    expect(after.attempts.map((a) => [a.attemptNo, a.trigger, a.statusCode])).toEqual([
      [1, 'initial', 500],
      [2, 'redeliver', 500],
    ]);
    expect(after).toMatchObject({ status: 'failing', attemptCount: 2, nextAttemptAt: failing.nextAttemptAt });
    expect(await schedule(failing.id)).toEqual(before);
    // The scheduled retry is still queued for its time.
    const job = await fx.h.deps.queues.deliveries.getJob(before.job_id as string);
    expect(job && (await job.isDelayed())).toBe(true);

    // A second failed one costs nothing either; then a success ends the delivery, and the scheduled
    // job has nothing left to do (it is removed).
    expect((await redeliver(hook, failing.id)).status).toBe(202);
    await withAttempts(failing.id, 3);
    expect(await schedule(failing.id)).toEqual(before);
    fx.receiver.script('/still-broken', [{ status: 200 }]);
    expect((await redeliver(hook, failing.id)).status).toBe(202);
    const done = await withAttempts(failing.id, 4);
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 4, nextAttemptAt: null });
    expect(await schedule(failing.id)).toMatchObject({ status: 'succeeded', attempt_count: 1 });
    expect(await fx.h.deps.queues.deliveries.getJob(before.job_id as string)).toBeUndefined();
  });

  it('a failed redeliver of a failed delivery leaves it failed with no new schedule; a successful one marks it succeeded', async () => {
    const hook = await newFailingHook('/gave-up');
    fx.receiver.script('/gave-up', [{ status: 400, body: 'no' }]);
    const eventId = await emit();
    // A 4xx ends after the schedule's two attempts (retries an hour apart would outlast the test):
    // end the schedule by hand instead, as its last failure would.
    const first = await firstAttempted(hook, eventId);
    await fx.h.deps.db.execute(sql`UPDATE deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = ${first.id}`);
    const before = await schedule(first.id);

    expect((await redeliver(hook, first.id)).status).toBe(202);
    const stillFailed = await withAttempts(first.id, 2);
    expect(stillFailed).toMatchObject({ status: 'failed', nextAttemptAt: null });
    expect(await schedule(first.id)).toEqual(before);

    fx.receiver.script('/gave-up', [{ status: 204 }]);
    expect((await redeliver(hook, first.id)).status).toBe(202);
    expect(await withAttempts(first.id, 3)).toMatchObject({ status: 'succeeded', attemptCount: 3 });
  });

  it('a redeliver while the operator attempt is in flight is a 409 that queues nothing', async () => {
    const hook = await newFailingHook('/hanging');
    const failing = await firstAttempted(hook, await emit());
    fx.receiver.script('/hanging', [{ status: 500, delayMs: 1_500 }]);
    expect((await redeliver(hook, failing.id)).status).toBe(202);
    await fx.receiver.waitFor(() => fx.receiver.on('/hanging').length === 2);
    const conflict = await redeliver(hook, failing.id);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('conflict');
    const after = await withAttempts(failing.id, 2);
    expect(after.attempts.map((a) => a.trigger)).toEqual(['initial', 'redeliver']);
  });
});

describe('replay after a fix', () => {
  it('an endpoint failed 3 times, the receiver is fixed: one replay of what is failing delivers all of it within 5 s, signed', async () => {
    const hook = await newFailingHook('/fixed');
    const since = new Date(Date.now() - 1_000).toISOString();
    const eventIds = [await emit(), await emit(), await emit()];
    const failing = await Promise.all(eventIds.map((eventId) => firstAttempted(hook, eventId)));
    expect(failing.map((d) => d.status)).toEqual(['failing', 'failing', 'failing']);
    // Three failures in a row: the endpoint's breaker is open, for longer than this test waits.
    expect(fx.h.worker!.deps.endpointGuard.isOpen(hook.id)).toBe(true);

    fx.receiver.script('/fixed', [{ status: 200 }]);
    const started = Date.now();
    const res = await fx.h.api.post('/api/deliveries/replay').set(fx.ws.auth).send({ since, status: 'failing', targetId: hook.id });
    expect(res.status).toBe(202);
    expect(res.body.count).toBe(3);
    const delivered = await eventually(async () => {
      const all = await Promise.all(failing.map((d) => detail(d.id)));
      return all.every((d) => d.status === 'succeeded') ? all : undefined;
    }, 5_000, 25);
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const d of delivered) expect(d.attempts.map((a) => [a.trigger, a.statusCode])).toEqual([['initial', 500], ['replay', 200]]);

    const fixedRequests = fx.receiver.on('/fixed').slice(3);
    expect(fixedRequests).toHaveLength(3);
    const verifier = new Webhook(hook.secret);
    const verified = fixedRequests.map((r) => (verifier.verify(r.body, r.headers as Record<string, string>) as { id: string }).id);
    expect(verified.sort()).toEqual([...eventIds].sort());
    expect(fx.h.worker!.deps.endpointGuard.isOpen(hook.id)).toBe(false);
    const progress = await eventually(async () => {
      const body = (await fx.h.api.get(`/api/replays/${res.body.id}`).set(fx.ws.auth)).body as { status: string };
      return body.status === 'completed' ? body : undefined;
    });
    expect(progress).toMatchObject({ count: 3, done: 3, succeeded: 3, failed: 0 });
  });
});
