import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfig, type EventType } from '@dispatch/core';
import { endpoints, updateEndpoint } from '@dispatch/db';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import supertest from 'supertest';
import { createApp } from '../src/app.js';
import { buildApiDeps } from '../src/bootstrap.js';
import { apiConfigSchema } from '../src/config.js';
import { startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { example, listDeliveries } from '../../../test-support/api-helpers.js';

// Two API processes on one database: `a` changes endpoints, `b` accepts events from its fan-out
// cache (kept for a minute here, so every emit below is answered from what `b` read before the
// change). Whatever `b` cached, an endpoint gets an event only if its current row takes it.

let h: Harness;
let receiver: Receiver;
let b: ReturnType<typeof buildApiDeps>;
let apiB: ReturnType<typeof supertest>;

beforeAll(async () => {
  h = await startHarness();
  receiver = await new Receiver().start();
  // B keeps what its cache read for a minute: every emit through B below comes from a stale cache.
  b = buildApiDeps(parseConfig(apiConfigSchema, h.env), pino({ level: 'silent' }), { fanoutCacheMs: 60_000 });
  apiB = supertest(createApp(b.deps));
});
afterAll(async () => {
  await b.close();
  await h.close();
  await receiver.close();
});

const a = () => h.api;
const emitThroughB = async (ws: TestWorkspace, type: EventType, data: Record<string, unknown> = example(type), linkId?: string) => {
  const res = await apiB.post('/api/events').set(ws.auth).send({ type, data, ...(linkId ? { linkId } : {}) });
  expect(res.status).toBe(202);
  return res.body as { id: string; deliveries: number };
};
const eventDeliveries = async (ws: TestWorkspace, eventId: string) =>
  ((await a().get(`/api/events/${eventId}`).set(ws.auth)).body.deliveries as { target: { id: string } }[]).map((d) => d.target.id);
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('the fan-out cache of another API process', () => {
  it('delivers nothing for a trigger removed a moment ago, and keeps delivering the triggers that stayed', async () => {
    const ws = await h.newWorkspace();
    const hook = (await a().post('/api/webhooks-manage').set(ws.auth).send({ name: 'h', url: receiver.url('/triggers'), triggers: ['lead.created', 'sale.created'] })).body;
    expect((await emitThroughB(ws, 'lead.created')).deliveries).toBe(1);
    expect((await emitThroughB(ws, 'sale.created')).deliveries).toBe(1);
    expect((await a().patch(`/api/webhooks-manage/${hook.id}`).set(ws.auth).send({ triggers: ['sale.created'] })).status).toBe(200);

    const removed = await emitThroughB(ws, 'lead.created');
    expect(removed.deliveries).toBe(0);
    expect(await eventDeliveries(ws, removed.id)).toEqual([]);
    const kept = await emitThroughB(ws, 'sale.created');
    expect(kept.deliveries).toBe(1);
    await receiver.waitFor(() => receiver.on('/triggers').length === 3);
    await settle();
    expect(receiver.on('/triggers').map((r) => JSON.parse(r.body).type).sort()).toEqual(['lead.created', 'sale.created', 'sale.created']);
    expect(receiver.on('/triggers').map((r) => r.headers['webhook-id'])).not.toContain(removed.id);
    expect((await listDeliveries(h, ws, hook.id)).data.map((d) => d.eventId)).toContain(kept.id);
  });

  it('delivers when a changed filter still matches, and not when it no longer does', async () => {
    const ws = await h.newWorkspace();
    const sale = (currency: string) => ({ ...example('sale.created'), sale: { ...(example('sale.created').sale as object), currency } });
    const outbound = (await a().post('/api/integrations/outbound').set(ws.auth).send({ url: receiver.url('/filter'), events: ['sale.created'], filter: { 'data.sale.currency': 'usd' } })).body;
    expect((await emitThroughB(ws, 'sale.created', sale('usd'))).deliveries).toBe(1);

    // Widened: what matched still matches, and now also 'eur' (which `b`'s cached filter refuses:
    // that side may be late by the cache's lifetime, as for a new endpoint).
    expect((await a().patch(`/api/integrations/outbound/${outbound.id}`).set(ws.auth).send({ filter: { 'data.sale.currency': { $in: ['usd', 'eur'] } } })).status).toBe(200);
    const stillMatching = await emitThroughB(ws, 'sale.created', sale('usd'));
    expect(stillMatching.deliveries).toBe(1);
    expect(await eventDeliveries(ws, stillMatching.id)).toEqual([outbound.id]);

    // Narrowed: 'usd' no longer matches.
    expect((await a().patch(`/api/integrations/outbound/${outbound.id}`).set(ws.auth).send({ filter: { 'data.sale.currency': 'eur' } })).status).toBe(200);
    const noLonger = await emitThroughB(ws, 'sale.created', sale('usd'));
    expect(noLonger.deliveries).toBe(0);
    expect(await eventDeliveries(ws, noLonger.id)).toEqual([]);

    await receiver.waitFor(() => receiver.on('/filter').length === 2);
    await settle();
    expect(receiver.on('/filter').map((r) => r.headers['webhook-id'])).toEqual(expect.arrayContaining([stillMatching.id]));
    expect(receiver.on('/filter')).toHaveLength(2);
  });

  it("applies a link webhook's current triggers and link, and still delivers to an endpoint only renamed", async () => {
    const ws = await h.newWorkspace();
    const link = (await a().post('/api/links').set(ws.auth).send({ url: 'https://acme.com/pricing' })).body;
    const lwh = (await a().post(`/api/links/${link.id}/webhooks`).set(ws.auth).send({ url: receiver.url('/link'), triggers: ['lead.created'] })).body;
    const wh = (await a().post('/api/webhooks-manage').set(ws.auth).send({ name: 'before', url: receiver.url('/renamed'), triggers: ['lead.created'] })).body;
    const lead = { ...example('lead.created'), linkId: link.id };
    expect((await emitThroughB(ws, 'lead.created', lead)).deliveries).toBe(2);

    expect((await a().patch(`/api/links/${link.id}/webhooks/${lwh.id}`).set(ws.auth).send({ triggers: ['sale.created'] })).status).toBe(200);
    expect((await a().patch(`/api/webhooks-manage/${wh.id}`).set(ws.auth).send({ name: 'after' })).status).toBe(200);
    const afterChange = await emitThroughB(ws, 'lead.created', lead);
    expect(await eventDeliveries(ws, afterChange.id)).toEqual([wh.id]);

    // The link is deleted (its webhooks with it) through `a`: `b` still lists the webhook, delivers nothing.
    expect((await a().patch(`/api/links/${link.id}/webhooks/${lwh.id}`).set(ws.auth).send({ triggers: ['lead.created'] })).status).toBe(200);
    expect((await emitThroughB(ws, 'lead.created', lead)).deliveries).toBe(2);
    expect((await a().delete(`/api/links/${link.id}`).set(ws.auth)).status).toBe(204);
    const afterDelete = await emitThroughB(ws, 'lead.created', lead);
    expect(await eventDeliveries(ws, afterDelete.id)).toEqual([wh.id]);
  });

  it('answers from the cache again after a change: the changed workspace is read afresh once', async () => {
    const ws = await h.newWorkspace();
    const hook = (await a().post('/api/webhooks-manage').set(ws.auth).send({ name: 'h', url: receiver.url('/fresh'), triggers: ['lead.created'] })).body;
    expect((await emitThroughB(ws, 'lead.created')).deliveries).toBe(1);
    // `b` caches that nobody takes sale.created.
    expect((await emitThroughB(ws, 'sale.created')).deliveries).toBe(0);
    expect((await a().patch(`/api/webhooks-manage/${hook.id}`).set(ws.auth).send({ triggers: ['lead.created', 'sale.created'] })).status).toBe(200);
    expect((await emitThroughB(ws, 'lead.created')).deliveries).toBe(1);
    // `b` dropped its stale entry: the new trigger is seen without waiting for the cache's lifetime.
    expect((await emitThroughB(ws, 'sale.created')).deliveries).toBe(1);
  });

  it('every update moves the version forward: after a host whose clock is ahead, and twice in one transaction (where now() stands still)', async () => {
    const ws = await h.newWorkspace();
    const hook = (await a().post('/api/webhooks-manage').set(ws.auth).send({ name: 'h', url: receiver.url('/versions'), triggers: ['lead.created'] })).body;
    const ahead = new Date(Date.now() + 3_600_000);
    await h.deps.db.update(endpoints).set({ updatedAt: ahead }).where(eq(endpoints.id, hook.id));
    const scope = { workspaceId: ws.id, kind: 'workspace_webhook' as const };
    const versions = await h.deps.db.transaction(async (tx) => {
      const first = await updateEndpoint(tx, scope, hook.id, { eventTypes: ['sale.created'] });
      const second = await updateEndpoint(tx, scope, hook.id, { eventTypes: ['lead.created'] });
      return [ahead.getTime(), first!.updatedAt.getTime(), second!.updatedAt.getTime()];
    });
    expect(versions[1]).toBeGreaterThan(versions[0]!);
    expect(versions[2]).toBeGreaterThan(versions[1]!);
  });
});
