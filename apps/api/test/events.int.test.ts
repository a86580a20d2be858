import { describe, expect, it } from '@jest/globals';
import type { EventType } from '@dispatch/core';
import { sql } from 'drizzle-orm';
import { ADMIN_TOKEN, bearer, eventually, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { withHarness } from '../../../test-support/fixtures.js';
import type { Receiver } from '../../../test-support/receiver.js';
import { createWebhook, disableInDb, example, expectBadRequest, expectError, listDeliveries, type WebhookBody } from '../../../test-support/api-helpers.js';
import { RateLimiter } from '../src/http/rate-limit.js';

let h: Harness;
let receiver: Receiver;
withHarness((fixture) => ({ h, receiver } = fixture));

const post = (ws: TestWorkspace, type: EventType, data: unknown = example(type), idempotencyKey?: string) => {
  const req = h.api.post('/api/events').set(ws.auth);
  if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
  return req.send({ type, data });
};
const getEvent = (ws: TestWorkspace, id: string) => h.api.get(`/api/events/${id}`).set(ws.auth);
const deliveryIds = async (ws: TestWorkspace, hook: WebhookBody) => (await listDeliveries(h, ws, hook.id)).data.map((d) => d.eventId);

/** A workspace with a webhook on lead.created and one on sale.created (each on its own receiver path). */
async function setup(name: string) {
  const ws = await h.newWorkspace();
  const leads = await createWebhook(h, ws, { name: `${name}-leads`, url: receiver.url(`/${name}/leads`), triggers: ['lead.created'] });
  const sales = await createWebhook(h, ws, { name: `${name}-sales`, url: receiver.url(`/${name}/sales`), triggers: ['sale.created'] });
  return { ws, leads, sales };
}

describe('POST /api/events', () => {
  it('answers 202 with the accepted event and fans out only to webhooks subscribed to its type', async () => {
    const { ws, leads, sales } = await setup('fanout');
    const res = await post(ws, 'lead.created');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^evt_/), type: 'lead.created', createdAt: expect.stringMatching(/Z$/), deliveries: 1 });

    const event = await getEvent(ws, res.body.id);
    expect(event.status).toBe(200);
    expect(event.body).toMatchObject({ id: res.body.id, type: 'lead.created', createdAt: res.body.createdAt, test: false });
    expect(JSON.parse(event.body.payload)).toEqual({ id: res.body.id, type: 'lead.created', timestamp: res.body.createdAt, data: example('lead.created') });
    expect(event.body.deliveries).toEqual([
      expect.objectContaining({ eventId: res.body.id, eventType: 'lead.created', test: false, target: { kind: 'workspace_webhook', id: leads.id } }),
    ]);
    await receiver.waitFor(() => receiver.on('/fanout/leads').length === 1);
    expect(await deliveryIds(ws, leads)).toEqual([res.body.id]);
    expect(await deliveryIds(ws, sales)).toEqual([]);
    expect(receiver.on('/fanout/sales')).toHaveLength(0);
  });

  it('counts no deliveries when no webhook is subscribed to the type', async () => {
    const { ws } = await setup('nobody');
    const res = await post(ws, 'payout.paid');
    expect(res.status).toBe(202);
    expect(res.body.deliveries).toBe(0);
    expect((await getEvent(ws, res.body.id)).body.deliveries).toEqual([]);
  });

  it('rejects an unknown type and data that fails its schema with 400, storing nothing', async () => {
    const { ws, leads } = await setup('invalid');
    expectBadRequest(await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.exploded', data: example('lead.created') }), 'type');

    const withoutCustomer = example('lead.created');
    delete withoutCustomer.customer;
    const res = await post(ws, 'lead.created', withoutCustomer);
    expectBadRequest(res, 'data.customer');
    expect(res.body.error.details.every((d: { path: string }) => d.path.startsWith('data.'))).toBe(true);

    const badEmail = example('lead.created');
    (badEmail.customer as Record<string, unknown>).email = 'not-an-email';
    expectBadRequest(await post(ws, 'lead.created', badEmail), 'data.customer.email');
    expectBadRequest(await post(ws, 'lead.created', 'a string'), 'data');
    expect(await deliveryIds(ws, leads)).toEqual([]);
  });

  it('answers 403 without events:write and 401 without a key', async () => {
    const { ws, leads } = await setup('denied');
    const noEvents = await ws.keyWith(['links:read', 'links:write', 'webhooks:read', 'webhooks:manage']);
    const body = { type: 'lead.created', data: example('lead.created') };
    expectError(await h.api.post('/api/events').set(bearer(noEvents)).send(body), 403, 'forbidden');
    expectError(await h.api.post('/api/events/batch').set(bearer(noEvents)).send({ events: [body] }), 403, 'forbidden');
    expectError(await h.api.post('/api/events').send(body), 401, 'unauthorized');
    expect(await deliveryIds(ws, leads)).toEqual([]);
  });
});

describe('fan-out targets (cached per workspace and type)', () => {
  it('sees a created, re-enabled and deleted webhook at once, and never delivers to one disabled or deleted behind its back', async () => {
    const { ws, leads } = await setup('targets');
    const count = async () => (await post(ws, 'lead.created')).body.deliveries as number;
    expect(await count()).toBe(1);
    // Disabled by the worker (another process): the cache still lists it, the insert leaves it out.
    await disableInDb(h, leads.id, 10);
    expect(await count()).toBe(0);
    expect((await h.api.post(`/api/webhooks-manage/${leads.id}/enable`).set(ws.auth)).status).toBe(200);
    expect(await count()).toBe(1);
    const second = await createWebhook(h, ws, { name: 'targets-second', url: receiver.url('/targets/second'), triggers: ['lead.created'] });
    expect(await count()).toBe(2);
    expect((await h.api.patch(`/api/webhooks-manage/${second.id}`).set(ws.auth).send({ triggers: ['sale.created'] })).status).toBe(200);
    expect(await count()).toBe(1);
    // Deleted behind the cache's back (as another API process would): no delivery, no error.
    await h.deps.db.execute(sql`DELETE FROM endpoints WHERE id = ${leads.id}`);
    const res = await post(ws, 'lead.created');
    expect(res.status).toBe(202);
    expect(res.body.deliveries).toBe(0);
    expect((await getEvent(ws, res.body.id)).body.deliveries).toEqual([]);
  });

  it('answers each of many concurrent requests with its own events, in one write', async () => {
    const { ws, leads } = await setup('concurrent');
    const results = await Promise.all(Array.from({ length: 20 }, () => post(ws, 'lead.created')));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(20);
    expect((await deliveryIds(ws, leads)).sort()).toEqual(results.map((r) => r.body.id).sort());
  });
});

describe('rate limit', () => {
  it('holds the per-key limit exactly in one process without Redis on the request path, and across processes once they sync', async () => {
    const options = { prefix: h.prefix, limit: 5, logger: h.deps.logger };
    const a = new RateLimiter(h.deps.queues.backend.sharedRedis, options);
    const b = new RateLimiter(h.deps.queues.backend.sharedRedis, options);
    // A window an hour ahead, so the test never straddles a second boundary.
    const now = (Math.floor(Date.now() / 1000) + 3600) * 1000;
    const admitted = Array.from({ length: 7 }, () => a.admit('key_test', now));
    expect(admitted).toEqual([true, true, true, true, true, false, false]);
    const synced = () => new Promise((resolve) => setTimeout(resolve, 200));
    await synced();
    // Another process admits until its first sync tells it the shared count (the approximation)...
    expect(b.admit('key_test', now)).toBe(true);
    await synced();
    // ...and from then on refuses, as `a` does.
    expect(b.admit('key_test', now)).toBe(false);
    expect(a.admit('key_test', now)).toBe(false);
    expect(b.admit('key_other', now)).toBe(true);
  });

  it('shares the counts of several keys synced together (on a Redis Cluster their counters sit on different masters)', async () => {
    const options = { prefix: h.prefix, limit: 3, logger: h.deps.logger };
    const a = new RateLimiter(h.deps.queues.backend.sharedRedis, options);
    const b = new RateLimiter(h.deps.queues.backend.sharedRedis, options);
    const now = (Math.floor(Date.now() / 1000) + 3600) * 1000;
    const keys = ['key_one', 'key_two', 'key_three'];
    for (const key of keys) expect([1, 2, 3].map(() => a.admit(key, now))).toEqual([true, true, true]);
    const synced = () => new Promise((resolve) => setTimeout(resolve, 200));
    await synced();
    // b admits one of each before its first sync, which then tells it every key's shared count.
    for (const key of keys) expect(b.admit(key, now)).toBe(true);
    await synced();
    expect(keys.map((key) => b.admit(key, now))).toEqual([false, false, false]);
  });
});

describe('Idempotency-Key', () => {
  it('returns the first event for a repeated key and fans out nothing new', async () => {
    const { ws, leads } = await setup('idem');
    const first = await post(ws, 'lead.created', example('lead.created'), 'order-42');
    const second = await post(ws, 'lead.created', example('lead.created'), 'order-42');
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect((await getEvent(ws, first.body.id)).body.deliveries).toHaveLength(1);
    expect(await deliveryIds(ws, leads)).toEqual([first.body.id]);
    await receiver.waitFor(() => receiver.on('/idem/leads').length >= 1);
    expect(receiver.on('/idem/leads')).toHaveLength(1);
  });

  it('makes a different event for a different key, or for the same key in another workspace', async () => {
    const { ws, leads } = await setup('idem-diff');
    const a = await post(ws, 'lead.created', example('lead.created'), 'key-a');
    const b = await post(ws, 'lead.created', example('lead.created'), 'key-b');
    const none = await post(ws, 'lead.created');
    expect(new Set([a.body.id, b.body.id, none.body.id]).size).toBe(3);
    expect((await deliveryIds(ws, leads)).sort()).toEqual([a.body.id, b.body.id, none.body.id].sort());

    const other = await h.newWorkspace();
    const elsewhere = await post(other, 'lead.created', example('lead.created'), 'key-a');
    expect(elsewhere.status).toBe(202);
    expect(elsewhere.body.id).not.toBe(a.body.id);
  });

  it('makes one event of five concurrent posts with one key', async () => {
    const { ws, leads } = await setup('idem-race');
    const results = await Promise.all(Array.from({ length: 5 }, () => post(ws, 'lead.created', example('lead.created'), 'race-1')));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.every((r) => r.body.deliveries === 1)).toBe(true);
    expect(await deliveryIds(ws, leads)).toEqual([results[0]!.body.id]);
  });
});

describe('Idempotency-Key compares the whole request', () => {
  const withKey = (ws: TestWorkspace, key: string, body: object, path = '/api/events') => h.api.post(path).set(ws.auth).set('Idempotency-Key', key).send(body);
  const lead = (data: Record<string, unknown> = example('lead.created'), linkId?: string) => ({ type: 'lead.created', data, ...(linkId ? { linkId } : {}) });

  it('refuses the same key with other data or another link (409), and answers the same data in another key order', async () => {
    const { ws, leads } = await setup('idem-body');
    const data = example('lead.created');
    const first = await withKey(ws, 'body-1', lead(data));
    expect(first.status).toBe(202);
    expectError(await withKey(ws, 'body-1', lead({ ...data, eventName: 'Another lead' })), 409, 'conflict');
    expectError(await withKey(ws, 'body-1', lead({ ...data, extra: 1 })), 409, 'conflict');
    expectError(await withKey(ws, 'body-1', lead(data, 'link_other')), 409, 'conflict');
    const reordered = Object.fromEntries(Object.entries(data).reverse());
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(data));
    const again = await withKey(ws, 'body-1', lead(reordered));
    expect({ status: again.status, body: again.body }).toEqual({ status: 202, body: first.body });
    expect(await deliveryIds(ws, leads)).toEqual([first.body.id]);
  });

  it('refuses a batch with the same key and other data, fewer events or more events (409)', async () => {
    const { ws, leads } = await setup('idem-batch-body');
    const batch = (...names: string[]) => ({ events: names.map((eventName) => lead({ ...example('lead.created'), eventName })) });
    const first = await withKey(ws, 'batch-1', batch('a', 'b'), '/api/events/batch');
    expect(first.status).toBe(202);
    expectError(await withKey(ws, 'batch-1', batch('a', 'c'), '/api/events/batch'), 409, 'conflict');
    expectError(await withKey(ws, 'batch-1', batch('b', 'a'), '/api/events/batch'), 409, 'conflict');
    expectError(await withKey(ws, 'batch-1', batch('a'), '/api/events/batch'), 409, 'conflict');
    expectError(await withKey(ws, 'batch-1', batch('a', 'b', 'c'), '/api/events/batch'), 409, 'conflict');
    const again = await withKey(ws, 'batch-1', batch('a', 'b'), '/api/events/batch');
    expect({ status: again.status, body: again.body }).toEqual({ status: 202, body: first.body });
    expect((await deliveryIds(ws, leads)).sort()).toEqual(first.body.data.map((e: { id: string }) => e.id).sort());
  });

  it("never mixes up a single event's key with a batch's: `k:0` alone and batch `k` are two requests", async () => {
    const { ws, leads } = await setup('idem-namespaces');
    const batch = await withKey(ws, 'k', { events: [lead()] }, '/api/events/batch');
    expect(batch.status).toBe(202);
    const single = await withKey(ws, 'k:0', lead());
    expect(single.status).toBe(202);
    expect(single.body.id).not.toBe(batch.body.data[0].id);
    // A single event with key `k` and the one-event batch `k` are two requests as well.
    const sameKey = await withKey(ws, 'k', lead());
    expect(sameKey.status).toBe(202);
    expect(new Set([batch.body.data[0].id, single.body.id, sameKey.body.id]).size).toBe(3);
    // Each still answers its own repeat with its own first answer.
    expect((await withKey(ws, 'k', { events: [lead()] }, '/api/events/batch')).body).toEqual(batch.body);
    expect((await withKey(ws, 'k:0', lead())).body).toEqual(single.body);
    expect((await withKey(ws, 'k', lead())).body).toEqual(sameKey.body);
    expect((await deliveryIds(ws, leads)).length).toBe(3);
  });
});

describe('POST /api/events/batch', () => {
  it('answers 202 with the accepted events in order', async () => {
    const { ws, leads, sales } = await setup('batch');
    const types: EventType[] = ['sale.created', 'link.clicked', 'lead.created'];
    const res = await h.api
      .post('/api/events/batch')
      .set(ws.auth)
      .send({ events: types.map((type) => ({ type, data: example(type) })) });
    expect(res.status).toBe(202);
    expect(res.body.data.map((e: { type: string }) => e.type)).toEqual(types);
    expect(res.body.data.map((e: { deliveries: number }) => e.deliveries)).toEqual([1, 0, 1]);
    for (const event of res.body.data) expect(event).toEqual({ id: expect.stringMatching(/^evt_/), type: expect.any(String), createdAt: expect.any(String), deliveries: expect.any(Number) });
    expect(new Set(res.body.data.map((e: { id: string }) => e.id)).size).toBe(3);
    expect(await deliveryIds(ws, sales)).toEqual([res.body.data[0].id]);
    expect(await deliveryIds(ws, leads)).toEqual([res.body.data[2].id]);
    for (const event of res.body.data) expect((await getEvent(ws, event.id)).status).toBe(200);
  });

  it('stores and delivers each event its own payload, byte for byte, whatever characters its data holds', async () => {
    const { ws } = await setup('bytes');
    const names = ['a "quoted" \\ back\\slash', 'line\nbreak\ttab', 'nul \u0000 inside', 'rocket 🚀 Müller 東京', 'lone \ud800 surrogate', '{"json":"in a string"}'];
    const res = await h.api
      .post('/api/events/batch')
      .set(ws.auth)
      .send({ events: names.map((eventName) => ({ type: 'lead.created', data: { ...example('lead.created'), eventName } })) });
    expect(res.status).toBe(202);
    await receiver.waitFor(() => receiver.on('/bytes/leads').length === names.length);
    for (const [index, accepted] of (res.body.data as { id: string; createdAt: string }[]).entries()) {
      // The server decoded the lone surrogate as JSON.parse does; the envelope is serialised from that.
      const data = JSON.parse(JSON.stringify({ ...example('lead.created'), eventName: names[index] })) as Record<string, unknown>;
      const envelope = JSON.stringify({ id: accepted.id, type: 'lead.created', timestamp: accepted.createdAt, data });
      expect((await getEvent(ws, accepted.id)).body.payload).toBe(envelope);
      expect(receiver.on('/bytes/leads').filter((r) => r.headers['webhook-id'] === accepted.id).map((r) => r.body)).toEqual([envelope]);
    }
  });

  it('stores nothing when one event of the batch is invalid', async () => {
    const { ws, leads, sales } = await setup('batch-invalid');
    const bad = example('sale.created');
    (bad.sale as Record<string, unknown>).amount = -5;
    const events = [
      { type: 'lead.created', data: example('lead.created') },
      { type: 'sale.created', data: bad },
      { type: 'lead.created', data: example('lead.created') },
    ];
    expectBadRequest(await h.api.post('/api/events/batch').set(ws.auth).send({ events }), 'events.1.data.sale.amount');
    const unknownType = [events[0], { type: 'nope.event', data: {} }, events[2]];
    expectBadRequest(await h.api.post('/api/events/batch').set(ws.auth).send({ events: unknownType }), 'events.1.type');
    expect(await deliveryIds(ws, leads)).toEqual([]);
    expect(await deliveryIds(ws, sales)).toEqual([]);
    expect(receiver.on('/batch-invalid/leads')).toHaveLength(0);
  });

  it('rejects more than 500 events and an empty batch with 400', async () => {
    const { ws, leads } = await setup('batch-size');
    const events = Array.from({ length: 501 }, () => ({ type: 'lead.created', data: {} }));
    expectBadRequest(await h.api.post('/api/events/batch').set(ws.auth).send({ events }), 'events');
    expectBadRequest(await h.api.post('/api/events/batch').set(ws.auth).send({ events: [] }), 'events');
    expect(await deliveryIds(ws, leads)).toEqual([]);
  });
});

describe('request hygiene', () => {
  it('refuses an Idempotency-Key reused for a different request with 409, fanning out nothing', async () => {
    const { ws, leads } = await setup('key-reuse');
    const batch = (n: number) => ({ events: Array.from({ length: n }, () => ({ type: 'lead.created', data: example('lead.created') })) });
    const first = await h.api.post('/api/events/batch').set(ws.auth).set('Idempotency-Key', 'reuse-1').send(batch(2));
    expect(first.status).toBe(202);
    expectError(await h.api.post('/api/events/batch').set(ws.auth).set('Idempotency-Key', 'reuse-1').send(batch(3)), 409, 'conflict');
    expect(await post(ws, 'lead.created', example('lead.created'), 'single-1')).toHaveProperty('status', 202);
    expectError(await post(ws, 'sale.created', example('sale.created'), 'single-1'), 409, 'conflict');
    expect((await deliveryIds(ws, leads)).length).toBe(3);
  });

  it('answers a body that is not JSON with a 400 that says so, after authentication', async () => {
    const { ws } = await setup('content-type');
    const res = await h.api.post('/api/events').set(ws.auth).set('content-type', 'text/plain').send('type=lead.created');
    const details = expectError(res, 400, 'bad_request');
    expect(res.body.error.message).toMatch(/content-type must be application\/json/);
    expect(details).toEqual([]);
    expectError(await h.api.post('/api/events').set('content-type', 'text/plain').send('x'), 401, 'unauthorized');
  });
});

describe('GET /api/events/:id', () => {
  it("answers 404 for another workspace's event and for an unknown id", async () => {
    const { ws } = await setup('get');
    const other = await h.newWorkspace();
    const mine = await post(ws, 'lead.created');
    expect(mine.status).toBe(202);
    expectError(await getEvent(other, mine.body.id), 404, 'not_found');
    expectError(await getEvent(ws, 'evt_01J00000000000000000000000'), 404, 'not_found');
    const delivered = await eventually(async () => {
      const event = await getEvent(ws, mine.body.id);
      return event.body.deliveries[0]?.status === 'succeeded' ? event.body : undefined;
    });
    expect(delivered.deliveries[0]).toMatchObject({ attemptCount: 1, lastAttempt: { statusCode: 200, trigger: 'initial' } });
  });
});

describe('the events:read scope', () => {
  it('reads an event with events:read or events:write; events:read alone cannot emit; other scopes get 403', async () => {
    const ws = await h.newWorkspace();
    const emitted = await post(ws, 'payout.paid');
    expect(emitted.status).toBe(202);
    // Admin key creation accepts the scope.
    const created = await h.api.post(`/api/admin/workspaces/${ws.id}/keys`).set(bearer(ADMIN_TOKEN)).send({ name: 'reader', scopes: ['events:read'] });
    expect(created.status).toBe(201);
    expect(created.body.scopes).toEqual(['events:read']);
    const reader = bearer(created.body.key);
    const writer = bearer(await ws.keyWith(['events:write']));
    for (const auth of [reader, writer]) {
      const res = await h.api.get(`/api/events/${emitted.body.id}`).set(auth);
      expect({ status: res.status, id: res.body.id }).toEqual({ status: 200, id: emitted.body.id });
    }
    expectError(await h.api.post('/api/events').set(reader).send({ type: 'payout.paid', data: example('payout.paid') }), 403, 'forbidden');
    const others = bearer(await ws.keyWith(['links:read', 'links:write', 'webhooks:read', 'webhooks:manage']));
    expectError(await h.api.get(`/api/events/${emitted.body.id}`).set(others), 403, 'forbidden');
    // Reading is still scoped to the key's workspace.
    const elsewhere = await h.newWorkspace();
    expectError(await h.api.get(`/api/events/${emitted.body.id}`).set(bearer(await elsewhere.keyWith(['events:read']))), 404, 'not_found');
  });
});
