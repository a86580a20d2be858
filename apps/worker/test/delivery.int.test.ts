import { describe, expect, it } from '@jest/globals';
import { getEventDefinition } from '@dispatch/core';
import { Webhook as SvixWebhook } from 'svix';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { harnessFixture } from '../../../test-support/fixtures.js';
import { eventually } from '../../../test-support/harness.js';

const fx = harnessFixture();

async function createWebhook(path: string, triggers = ['lead.created']) {
  const res = await fx.h.api.post('/api/webhooks-manage').set(fx.ws.auth).send({ name: path, url: fx.receiver.url(path), triggers });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

const leadData = structuredClone(getEventDefinition('lead.created').example);

describe('delivery end to end', () => {
  it('delivers a signed request that both official verifiers accept, with the stored payload byte-equal', async () => {
    const webhook = await createWebhook('/signed');
    const emitted = await fx.h.api.post('/api/events').set(fx.ws.auth).send({ type: 'lead.created', data: leadData });
    expect(emitted.status).toBe(202);
    expect(emitted.body.deliveries).toBe(1);
    await fx.receiver.waitFor(() => fx.receiver.on('/signed').length === 1);
    const request = fx.receiver.on('/signed')[0]!;
    const headers = request.headers as Record<string, string>;
    expect(() => new SvixWebhook(webhook.secret).verify(request.body, headers)).not.toThrow();
    expect(() => new StandardWebhook(webhook.secret).verify(request.body, headers)).not.toThrow();
    expect(headers['webhook-id']).toBe(emitted.body.id);
    expect(headers['svix-signature']).toBe(headers['webhook-signature']);
    expect(JSON.parse(request.body)).toMatchObject({ id: emitted.body.id, type: 'lead.created', data: leadData });

    const event = await fx.h.api.get(`/api/events/${emitted.body.id}`).set(fx.ws.auth);
    expect(event.body.payload).toBe(request.body);
    const delivery = await eventually(async () => {
      const list = await fx.h.api.get(`/api/webhooks-manage/${webhook.id}/deliveries`).set(fx.ws.auth);
      return list.body.data[0]?.status === 'succeeded' ? list.body.data[0] : undefined;
    });
    expect(delivery).toMatchObject({ eventId: emitted.body.id, attemptCount: 1, lastAttempt: { statusCode: 200, trigger: 'initial', error: null } });
  });

  it('records an answer whose body holds NUL bytes (Postgres text cannot), once', async () => {
    const webhook = await createWebhook('/nul-body');
    fx.receiver.script('/nul-body', [{ status: 200, body: 'ok\0\0done' }]);
    const emitted = await fx.h.api.post('/api/events').set(fx.ws.auth).send({ type: 'lead.created', data: leadData });
    expect(emitted.status).toBe(202);
    const delivery = await eventually(async () => {
      const list = await fx.h.api.get(`/api/webhooks-manage/${webhook.id}/deliveries`).set(fx.ws.auth);
      return list.body.data[0]?.status === 'succeeded' ? list.body.data[0] : undefined;
    });
    expect(delivery).toMatchObject({ attemptCount: 1, lastAttempt: { statusCode: 200, responseBody: 'ok\uFFFD\uFFFDdone', error: null } });
    expect(fx.receiver.on('/nul-body')).toHaveLength(1);
  });
});
