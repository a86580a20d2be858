import { describe, expect, it } from '@jest/globals';
import { getEventDefinition } from '@dispatch/core';
import { Webhook } from 'standardwebhooks';
import { harnessFixture } from '../../../test-support/fixtures.js';
import { eventually } from '../../../test-support/harness.js';

const fx = harnessFixture();

const sale = (amount: number, currency = 'usd') => {
  const data = structuredClone(getEventDefinition('sale.created').example) as { sale: { amount: number; currency: string } };
  data.sale.amount = amount;
  data.sale.currency = currency;
  return data;
};

describe('outbound webhooks', () => {
  it('deliver only the events whose payload matches the filter, with custom headers', async () => {
    const created = await fx.h.api
      .post('/api/integrations/outbound')
      .set(fx.ws.auth)
      .send({
        url: fx.receiver.url('/big-sales'),
        events: ['sale.created'],
        filter: { $and: [{ 'data.sale.amount': { $gte: 10_000 } }, { 'data.sale.currency': { $in: ['usd', 'eur'] } }] },
        headers: { 'X-Team': 'growth' },
        description: 'big sales to Zapier',
      });
    expect(created.status).toBe(201);
    const matching = [sale(10_000), sale(50_000, 'eur')];
    const other = [sale(9_999), sale(20_000, 'gbp')];
    const accepted = [];
    for (const data of [...matching, ...other]) {
      const res = await fx.h.api.post('/api/events').set(fx.ws.auth).send({ type: 'sale.created', data });
      accepted.push(res.body);
    }
    expect(accepted.map((a) => a.deliveries)).toEqual([1, 1, 0, 0]);
    await fx.receiver.waitFor(() => fx.receiver.on('/big-sales').length === 2);
    const requests = fx.receiver.on('/big-sales');
    expect(requests.map((r) => JSON.parse(r.body).data.sale.amount).sort()).toEqual([10_000, 50_000]);
    expect(requests[0]!.headers['x-team']).toBe('growth');
    expect(() => new Webhook(created.body.secret).verify(requests[0]!.body, requests[0]!.headers as Record<string, string>)).not.toThrow();
  });

  it('refuses a duplicate URL in the workspace after normalising it, and invalid filters', async () => {
    const first = await fx.h.api.post('/api/integrations/outbound').set(fx.ws.auth).send({ url: 'https://hooks.example.com/zap/', events: ['lead.created'] });
    expect(first.status).toBe(201);
    const dup = await fx.h.api.post('/api/integrations/outbound').set(fx.ws.auth).send({ url: 'HTTPS://Hooks.Example.com/zap', events: ['sale.created'] });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');
    const other = await fx.h.newWorkspace(['integrations']);
    expect((await fx.h.api.post('/api/integrations/outbound').set(other.auth).send({ url: 'https://hooks.example.com/zap', events: ['lead.created'] })).status).toBe(201);

    const bad = await fx.h.api.post('/api/integrations/outbound').set(fx.ws.auth).send({ url: 'https://x.example.com', events: ['lead.created'], filter: { 'data.amount': { $regex: 'x' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toMatch(/^filter/);
    const reserved = await fx.h.api.post('/api/integrations/outbound').set(fx.ws.auth).send({ url: 'https://y.example.com', events: ['lead.created'], headers: { 'webhook-signature': 'x' } });
    expect(reserved.status).toBe(400);
  });

  it('is gated by the integrations feature for mutations but readable without it', async () => {
    const plain = await fx.h.newWorkspace([]);
    const create = await fx.h.api.post('/api/integrations/outbound').set(plain.auth).send({ url: 'https://z.example.com', events: ['lead.created'] });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('feature_not_enabled');
    expect((await fx.h.api.get('/api/integrations/outbound').set(plain.auth)).status).toBe(200);
  });

  it('switching enabled back on clears an automatic disable', async () => {
    fx.receiver.script('/gone-away', [{ status: 410 }]);
    const created = await fx.h.api.post('/api/integrations/outbound').set(fx.ws.auth).send({ url: fx.receiver.url('/gone-away'), events: ['lead.created'] });
    await fx.h.api.post('/api/events').set(fx.ws.auth).send({ type: 'lead.created', data: structuredClone(getEventDefinition('lead.created').example) });
    const disabled = await eventually(async () => {
      const res = await fx.h.api.get(`/api/integrations/outbound/${created.body.id}`).set(fx.ws.auth);
      return res.body.disabledReason === 'gone' ? res.body : undefined;
    });
    expect(disabled.enabled).toBe(true);
    const patched = await fx.h.api.patch(`/api/integrations/outbound/${created.body.id}`).set(fx.ws.auth).send({ enabled: true });
    expect(patched.body).toMatchObject({ enabled: true, disabledAt: null, disabledReason: null });
  });
});
