import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { getEventDefinition } from '@dispatch/core';
import { endpoints } from '@dispatch/db';
import { Webhook } from 'standardwebhooks';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';

let h: Harness;
let receiver: Receiver;
let ws: TestWorkspace;

beforeAll(async () => {
  h = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '200ms,200ms,200ms' } });
  receiver = await new Receiver().start();
  ws = await h.newWorkspace();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const example = (type: string) => structuredClone(getEventDefinition(type as 'lead.created').example);

async function createWebhook(path: string, triggers = ['lead.created']) {
  const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: path, url: receiver.url(path), triggers });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

async function emit(type = 'lead.created') {
  const res = await h.api.post('/api/events').set(ws.auth).send({ type, data: example(type) });
  expect(res.status).toBe(202);
  return res.body as { id: string; deliveries: number };
}

async function settledDelivery(webhookId: string) {
  return eventually(async () => {
    const res = await h.api.get(`/api/webhooks-manage/${webhookId}/deliveries`).set(ws.auth);
    const delivery = res.body.data[0];
    return delivery && delivery.status !== 'pending' && delivery.status !== 'failing' ? delivery : undefined;
  });
}

const getWebhook = async (id: string) => (await h.api.get(`/api/webhooks-manage/${id}`).set(ws.auth)).body;

describe('retries', () => {
  it('retries after 500s and succeeds, with one webhook-id and a valid signature on every attempt', async () => {
    const webhook = await createWebhook('/flaky');
    receiver.script('/flaky', [{ status: 500, body: 'boom' }, { status: 500 }, { status: 200, body: 'thanks' }]);
    const event = await emit();
    const delivery = await settledDelivery(webhook.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 3, lastAttempt: { statusCode: 200, responseBody: 'thanks', trigger: 'retry' } });
    const requests = receiver.on('/flaky');
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.headers['webhook-id']).toBe(event.id);
      expect(() => new Webhook(webhook.secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    }
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    const detail = await h.api.get(`/api/events/${event.id}`).set(ws.auth);
    expect(detail.body.deliveries[0].attemptCount).toBe(3);
    expect((await getWebhook(webhook.id)).consecutiveFailures).toBe(0);
  });

  it('marks a delivery failed after the last scheduled attempt', async () => {
    const webhook = await createWebhook('/down');
    receiver.script('/down', [{ status: 503 }]);
    await emit();
    const delivery = await settledDelivery(webhook.id);
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 4, nextAttemptAt: null });
    expect(receiver.on('/down')).toHaveLength(4);
    expect((await getWebhook(webhook.id)).consecutiveFailures).toBe(4);
  });

  it('waits at least Retry-After before the next attempt', async () => {
    const webhook = await createWebhook('/throttled');
    receiver.script('/throttled', [{ status: 429, headers: { 'retry-after': '2' } }, { status: 200 }]);
    await emit();
    const delivery = await settledDelivery(webhook.id);
    expect(delivery.status).toBe('succeeded');
    const [first, second] = receiver.on('/throttled');
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1900);
  });

  it('ends the delivery and disables the endpoint on 410 Gone; enable brings it back', async () => {
    const webhook = await createWebhook('/gone');
    receiver.script('/gone', [{ status: 410 }]);
    await emit();
    const delivery = await settledDelivery(webhook.id);
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 1 });
    const disabled = await getWebhook(webhook.id);
    expect(disabled.disabledReason).toBe('gone');
    expect(disabled.disabledAt).not.toBeNull();

    const whileDisabled = await emit();
    const detail = await h.api.get(`/api/events/${whileDisabled.id}`).set(ws.auth);
    expect(detail.body.deliveries.map((d: { target: { id: string } }) => d.target.id)).not.toContain(webhook.id);

    receiver.script('/gone', [{ status: 200 }]);
    const enabled = await h.api.post(`/api/webhooks-manage/${webhook.id}/enable`).set(ws.auth);
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ disabledAt: null, disabledReason: null, consecutiveFailures: 0 });
    await emit();
    await receiver.waitFor(() => receiver.on('/gone').length === 2);
  });

  it('delivers a test to a disabled endpoint without touching its failure count', async () => {
    const webhook = await createWebhook('/disabled-test');
    await h.deps.db
      .update(endpoints)
      .set({ disabledAt: new Date(), disabledReason: 'failing', consecutiveFailures: 12 })
      .where(eq(endpoints.id, webhook.id));
    receiver.script('/disabled-test', [{ status: 500, body: 'still broken' }]);
    const res = await h.api.post(`/api/webhooks-manage/${webhook.id}/test`).set(ws.auth).send({});
    expect(res.status).toBe(200);
    expect(res.body.delivery).toMatchObject({ test: true, status: 'failed', attemptCount: 1, lastAttempt: { statusCode: 500, responseBody: 'still broken', trigger: 'test' } });
    const request = receiver.on('/disabled-test')[0]!;
    expect(request.headers['webhook-id']).toBe(res.body.delivery.eventId);
    expect(JSON.parse(request.body).type).toBe('lead.created');
    const after = await getWebhook(webhook.id);
    expect(after).toMatchObject({ consecutiveFailures: 12, disabledReason: 'failing' });
  });
});

describe('auto-disable', () => {
  it('disables an endpoint failing for DISPATCH_DISABLE_AFTER with enough consecutive failures', async () => {
    const strict = await startHarness({ env: { DISPATCH_DISABLE_AFTER: '0s', DISPATCH_DISABLE_AFTER_FAILURES: '3', DISPATCH_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms' } });
    try {
      const w = await strict.newWorkspace();
      receiver.script('/failing', [{ status: 500 }]);
      const created = await strict.api.post('/api/webhooks-manage').set(w.auth).send({ name: 'f', url: receiver.url('/failing'), triggers: ['lead.created'] });
      await strict.api.post('/api/events').set(w.auth).send({ type: 'lead.created', data: example('lead.created') });
      const webhook = await eventually(async () => {
        const res = await strict.api.get(`/api/webhooks-manage/${created.body.id}`).set(w.auth);
        return res.body.disabledReason === 'failing' ? res.body : undefined;
      });
      expect(webhook.consecutiveFailures).toBe(3);
      // Its pending retry is cancelled rather than sent to a disabled endpoint.
      const delivery = await eventually(async () => {
        const res = await strict.api.get(`/api/webhooks-manage/${created.body.id}/deliveries`).set(w.auth);
        return res.body.data[0]?.status === 'cancelled' ? res.body.data[0] : undefined;
      });
      expect(delivery.attemptCount).toBe(3);
      expect(receiver.on('/failing')).toHaveLength(3);
    } finally {
      await strict.close();
    }
  });
});
