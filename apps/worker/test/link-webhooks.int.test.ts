import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getEventDefinition } from '@dispatch/core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver, type ReceivedRequest } from '../../../test-support/receiver.js';

let h: Harness;
let receiver: Receiver;
let ws: TestWorkspace;

beforeAll(async () => {
  h = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '300ms' } });
  receiver = await new Receiver().start();
  ws = await h.newWorkspace();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

async function linkWithWebhook(path: string) {
  const link = await h.api.post('/api/links').set(ws.auth).send({ url: 'https://acme.com/pricing', key: path.slice(1) });
  expect(link.status).toBe(201);
  const webhook = await h.api.post(`/api/links/${link.body.id}/webhooks`).set(ws.auth).send({ url: receiver.url(path), triggers: ['lead.created'] });
  expect(webhook.status).toBe(201);
  return { linkId: link.body.id as string, webhook: webhook.body as { id: string; secret: string }, base: `/api/links/${link.body.id}/webhooks/${webhook.body.id}` };
}

async function emitFor(linkId: string) {
  const data = structuredClone(getEventDefinition('lead.created').example) as Record<string, unknown>;
  data.linkId = linkId;
  const res = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data });
  expect(res.status).toBe(202);
  return res.body as { id: string; deliveries: number };
}

const verifies = (secret: string, request: ReceivedRequest) => {
  const headers = request.headers as Record<string, string>;
  try {
    new StandardWebhook(secret).verify(request.body, headers);
    new SvixWebhook(secret).verify(request.body, headers);
    return true;
  } catch {
    return false;
  }
};

async function deliveryOf(base: string, predicate: (d: { status: string; attemptCount: number }) => boolean) {
  return eventually(async () => {
    const list = await h.api.get(`${base}/deliveries`).set(ws.auth);
    const delivery = list.body.data[0];
    return delivery && predicate(delivery) ? delivery : undefined;
  });
}

describe('link webhooks', () => {
  it("receive only their own link's events", async () => {
    const mine = await linkWithWebhook('/mine');
    const other = await linkWithWebhook('/other');
    const event = await emitFor(mine.linkId);
    expect(event.deliveries).toBe(1);
    await receiver.waitFor(() => receiver.on('/mine').length === 1);
    expect(receiver.on('/other')).toHaveLength(0);
    expect((await h.api.get(`${other.base}/deliveries`).set(ws.auth)).body.data).toEqual([]);
  });

  it('signs with both secrets during the grace period, then only with the new one', async () => {
    const { linkId, webhook, base } = await linkWithWebhook('/rotating');
    const rotated = await h.api.post(`${base}/rotate-secret`).set(ws.auth).send({ graceSeconds: 2 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(webhook.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeGreaterThan(Date.now());
    const read = await h.api.get(base).set(ws.auth);
    expect(read.body.secret).toBe(`whsec_••••••••${rotated.body.secret.slice(-4)}`);

    await emitFor(linkId);
    await receiver.waitFor(() => receiver.on('/rotating').length === 1);
    const during = receiver.on('/rotating')[0]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(webhook.secret, during)).toBe(true);
    expect(verifies(rotated.body.secret, during)).toBe(true);

    await new Promise((r) => setTimeout(r, 2100));
    await emitFor(linkId);
    await receiver.waitFor(() => receiver.on('/rotating').length === 2);
    const after = receiver.on('/rotating')[1]!;
    expect(verifies(rotated.body.secret, after)).toBe(true);
    expect(verifies(webhook.secret, after)).toBe(false);
  });

  it('redelivers a failed delivery once the receiver recovers, with one webhook-id across attempts', async () => {
    const { linkId, base } = await linkWithWebhook('/recovering');
    receiver.script('/recovering', [{ status: 500, body: 'down' }]);
    const event = await emitFor(linkId);
    const failed = await deliveryOf(base, (d) => d.status === 'failed');
    expect(failed.attemptCount).toBe(2);

    receiver.script('/recovering', [{ status: 200, body: 'back' }]);
    const res = await h.api.post(`${base}/redeliver/${failed.id}`).set(ws.auth);
    expect(res.status).toBe(202);
    // An operator's attempt is queued beside it: the delivery stays failed until that attempt succeeds.
    expect(res.body.delivery).toMatchObject({ id: failed.id, status: 'failed' });
    const succeeded = await deliveryOf(base, (d) => d.status === 'succeeded');
    expect(succeeded).toMatchObject({ attemptCount: 3, lastAttempt: { statusCode: 200, responseBody: 'back', trigger: 'redeliver' } });
    const ids = receiver.on('/recovering').map((r) => r.headers['webhook-id']);
    expect(ids).toEqual([event.id, event.id, event.id]);

    const detail = await h.api.get(`${base}/deliveries/${failed.id}`).set(ws.auth);
    expect(detail.status).toBe(200);
    expect(detail.body.attempts.map((a: { trigger: string; statusCode: number }) => [a.trigger, a.statusCode])).toEqual([
      ['initial', 500],
      ['retry', 500],
      ['redeliver', 200],
    ]);
    expect(detail.body.payload).toBe(receiver.on('/recovering')[0]!.body);
    expect(detail.body.attempts[2].requestHeaders['webhook-id']).toBe(event.id);
    expect(detail.body.attempts[2].timings.total).toEqual(expect.any(Number));
  });

  it('redelivering a delivery that waits for a retry attempts it at once; its success drops the scheduled retry', async () => {
    const slow = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '1h' } });
    try {
      const w = await slow.newWorkspace();
      const link = await slow.api.post('/api/links').set(w.auth).send({ url: 'https://acme.com' });
      const hook = await slow.api.post(`/api/links/${link.body.id}/webhooks`).set(w.auth).send({ url: receiver.url('/waiting'), triggers: ['lead.created'] });
      const base = `/api/links/${link.body.id}/webhooks/${hook.body.id}`;
      receiver.script('/waiting', [{ status: 503 }, { status: 200 }]);
      const data = { ...structuredClone(getEventDefinition('lead.created').example), linkId: link.body.id };
      await slow.api.post('/api/events').set(w.auth).send({ type: 'lead.created', data });
      const waiting = await eventually(async () => {
        const d = (await slow.api.get(`${base}/deliveries`).set(w.auth)).body.data[0];
        return d?.attemptCount === 1 ? d : undefined;
      });
      // Waiting for a retry after a failed attempt: failing, not merely pending.
      expect(waiting.status).toBe('failing');
      expect(Date.parse(waiting.nextAttemptAt)).toBeGreaterThan(Date.now() + 30 * 60_000);
      expect((await slow.api.post(`${base}/redeliver/${waiting.id}`).set(w.auth)).status).toBe(202);
      const done = await eventually(async () => {
        const d = (await slow.api.get(`${base}/deliveries`).set(w.auth)).body.data[0];
        return d?.status === 'succeeded' ? d : undefined;
      });
      expect(done.attemptCount).toBe(2);
      expect(await slow.deps.queues.deliveries.getDelayedCount()).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('replays failed deliveries in the background and reports progress to completion', async () => {
    const { linkId, base } = await linkWithWebhook('/replayed');
    // A 4xx fails each attempt without opening the endpoint's breaker: twenty 5xx answers in a row
    // did, and its doubling pauses stretched the failing to ~20 s, sometimes past the wait below.
    receiver.script('/replayed', [{ status: 400 }]);
    const since = new Date(Date.now() - 1000).toISOString();
    const events = [];
    for (let i = 0; i < 5; i++) events.push(await emitFor(linkId));
    await eventually(async () => {
      const list = (await h.api.get(`${base}/deliveries?status=failed`).set(ws.auth)).body.data;
      return list.length === 5;
    });
    receiver.script('/replayed', [{ status: 200 }]);
    const dry = await h.api.post(`${base}/replay`).set(ws.auth).send({ since, dryRun: true });
    expect(dry.status).toBe(202);
    expect(dry.body).toMatchObject({ count: 5, replayId: null });

    // An explicit `until`: the same arguments are the same replay even if the first one finished
    // before the second call (an open-ended one is the same only while it runs; replays.int.test.ts).
    const until = new Date().toISOString();
    const first = await h.api.post(`${base}/replay`).set(ws.auth).send({ since, until });
    expect(first.status).toBe(202);
    expect(first.body.count).toBe(5);
    const again = await h.api.post(`${base}/replay`).set(ws.auth).send({ since, until });
    expect(again.body.replayId).toBe(first.body.replayId);

    const progress = await eventually(async () => {
      const res = await h.api.get(`${base}/replays/${first.body.replayId}`).set(ws.auth);
      return res.body.status === 'completed' ? res.body : undefined;
    });
    expect(progress).toMatchObject({ count: 5, done: 5, failed: 0 });
    // 2 attempts each before the replay, then exactly one replayed attempt each.
    const received = receiver.on('/replayed');
    expect(received).toHaveLength(15);
    for (const event of events) expect(received.filter((r) => r.headers['webhook-id'] === event.id)).toHaveLength(3);
    const succeeded = (await h.api.get(`${base}/deliveries?status=succeeded`).set(ws.auth)).body.data;
    expect(succeeded).toHaveLength(5);
    expect(succeeded[0].lastAttempt.trigger).toBe('replay');
  });
});
