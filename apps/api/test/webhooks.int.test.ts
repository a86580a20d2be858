import { beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { bearer, eventually, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { withHarness } from '../../../test-support/fixtures.js';
import type { Receiver } from '../../../test-support/receiver.js';
import { createWebhook, disableInDb, example, expectBadRequest, expectError, listDeliveries, maskOf, rawJson } from '../../../test-support/api-helpers.js';
import type { WebhookBody } from '../../../test-support/api-helpers.js';

let h: Harness;
let receiver: Receiver;
withHarness((fixture) => ({ h, receiver } = fixture));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const list = async (ws: TestWorkspace) => (await h.api.get('/api/webhooks-manage').set(ws.auth)).body;
const get = async (ws: TestWorkspace, id: string) => (await h.api.get(`/api/webhooks-manage/${id}`).set(ws.auth)).body;
const validCreate = () => ({ name: 'x', url: receiver.url('/x'), triggers: ['lead.created'] });
const disable = (id: string, consecutiveFailures: number) => disableInDb(h, id, consecutiveFailures);

describe('workspace webhook lifecycle', () => {
  let ws: TestWorkspace;
  beforeAll(async () => {
    ws = await h.newWorkspace();
  });

  it('creates with 201 and the full secret once; get, list, patch and enable show it masked', async () => {
    const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'crm', url: receiver.url('/crm'), triggers: ['lead.created'] });
    expect(res.status).toBe(201);
    const created = res.body as WebhookBody;
    expect(created).toEqual({
      id: expect.stringMatching(/^wh_/),
      name: 'crm',
      url: receiver.url('/crm'),
      triggers: ['lead.created'],
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
      disabledAt: null,
      disabledReason: null,
      consecutiveFailures: 0,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    expect(Buffer.from(created.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const masked = { ...created, secret: maskOf(created.secret) };
    expect(await get(ws, created.id)).toEqual(masked);
    expect((await list(ws)).data).toContainEqual(masked);
    const patched = await h.api.patch(`/api/webhooks-manage/${created.id}`).set(ws.auth).send({ name: 'crm 2' });
    expect(patched.status).toBe(200);
    expect(patched.body.secret).toBe(maskOf(created.secret));
    const enabled = await h.api.post(`/api/webhooks-manage/${created.id}/enable`).set(ws.auth);
    expect(enabled.status).toBe(200);
    expect(enabled.body.secret).toBe(maskOf(created.secret));
    expect(JSON.stringify([await get(ws, created.id), await list(ws)])).not.toContain(created.secret);
  });

  it('lists newest first with cursor pagination', async () => {
    const own = await h.newWorkspace();
    const hooks: WebhookBody[] = [];
    for (const name of ['a', 'b', 'c']) hooks.push(await createWebhook(h, own, { name, url: receiver.url(`/${name}`) }));
    const [a, b, c] = hooks;
    const first = await h.api.get('/api/webhooks-manage?limit=2').set(own.auth);
    expect(first.status).toBe(200);
    expect(first.body.data.map((w: WebhookBody) => w.id)).toEqual([c!.id, b!.id]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await h.api.get(`/api/webhooks-manage?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`).set(own.auth);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ data: [{ ...a, secret: maskOf(a!.secret) }], nextCursor: null });
    expect((await list(own)).data.map((w: WebhookBody) => w.name)).toEqual(['c', 'b', 'a']);
  });

  it('updates name, url and triggers with PATCH and keeps the other fields', async () => {
    const hook = await createWebhook(h, ws, { url: receiver.url('/before') });
    const changed = { name: 'renamed', url: receiver.url('/after'), triggers: ['sale.created', 'link.clicked'] };
    const res = await h.api.patch(`/api/webhooks-manage/${hook.id}`).set(ws.auth).send(changed);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...hook, ...changed, secret: maskOf(hook.secret), updatedAt: expect.any(String) });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(hook.updatedAt));
    expect(await get(ws, hook.id)).toEqual(res.body);
  });

  it('deletes with 204, after which every route answers 404', async () => {
    const hook = await createWebhook(h, ws, { url: receiver.url('/gone') });
    const res = await h.api.delete(`/api/webhooks-manage/${hook.id}`).set(ws.auth);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await h.api.get(`/api/webhooks-manage/${hook.id}`).set(ws.auth), 404, 'not_found');
    expectError(await h.api.patch(`/api/webhooks-manage/${hook.id}`).set(ws.auth).send({ name: 'x' }), 404, 'not_found');
    expectError(await h.api.delete(`/api/webhooks-manage/${hook.id}`).set(ws.auth), 404, 'not_found');
    expect((await list(ws)).data.map((w: WebhookBody) => w.id)).not.toContain(hook.id);
  });

  it('test sends the example of the first trigger (or the named event) and answers 200 with the attempt', async () => {
    const hook = await createWebhook(h, ws, { url: receiver.url('/test-ok'), triggers: ['lead.created', 'sale.created'] });
    const res = await h.api.post(`/api/webhooks-manage/${hook.id}/test`).set(ws.auth).send({});
    expect(res.status).toBe(200);
    expect(res.body.delivery).toMatchObject({
      id: expect.stringMatching(/^dlv_/), eventType: 'lead.created', target: { kind: 'workspace_webhook', id: hook.id },
      status: 'succeeded', test: true, attemptCount: 1,
      lastAttempt: { id: expect.stringMatching(/^att_/), statusCode: 200, responseBody: 'ok', error: null, trigger: 'test' },
    });
    const named = await h.api.post(`/api/webhooks-manage/${hook.id}/test`).set(ws.auth).send({ event: 'sale.created' });
    expect(named.status).toBe(200);
    expect(named.body.delivery.eventType).toBe('sale.created');
    const bodies = receiver.on('/test-ok').map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.type)).toEqual(['lead.created', 'sale.created']);
    expect(bodies[1].data).toEqual(example('sale.created'));
  });

  it('a test\'s signed body carries "test": true beside id, type, timestamp and data; a real event\'s does not', async () => {
    const own = await h.newWorkspace();
    const hook = await createWebhook(h, own, { url: receiver.url('/test-flag'), triggers: ['sale.created'] });
    const res = await h.api.post(`/api/webhooks-manage/${hook.id}/test`).set(own.auth).send({});
    expect(res.status).toBe(200);
    const [request] = receiver.on('/test-flag');
    const headers = request!.headers as Record<string, string>;
    // Both official verifiers accept the body as sent, and hand back the parsed body.
    const verified = [new StandardWebhook(hook.secret).verify(request!.body, headers), new SvixWebhook(hook.secret).verify(request!.body, headers)];
    const event = await h.api.get(`/api/events/${res.body.delivery.eventId}`).set(own.auth);
    const expected = { id: res.body.delivery.eventId, type: 'sale.created', timestamp: event.body.createdAt, test: true, data: example('sale.created') };
    expect(verified).toEqual([expected, expected]);
    expect(JSON.parse(request!.body)).toEqual(expected);
    expect(headers['webhook-id']).toBe(res.body.delivery.eventId);
    expect(event.body.payload).toBe(request!.body);

    const real = await h.api.post('/api/events').set(own.auth).send({ type: 'sale.created', data: example('sale.created') });
    await receiver.waitFor(() => receiver.on('/test-flag').length === 2);
    expect(Object.keys(JSON.parse(receiver.on('/test-flag')[1]!.body))).toEqual(['id', 'type', 'timestamp', 'data']);
    expect(receiver.on('/test-flag')[1]!.headers['webhook-id']).toBe(real.body.id);
  });

  it('test reaches a disabled webhook and leaves its failure count and disabled state alone', async () => {
    const hook = await createWebhook(h, ws, { url: receiver.url('/test-fail') });
    receiver.script('/test-fail', [{ status: 500, body: 'still broken' }]);
    await disable(hook.id, 12);
    const before = await get(ws, hook.id);
    const res = await h.api.post(`/api/webhooks-manage/${hook.id}/test`).set(ws.auth).send({});
    expect(res.status).toBe(200);
    expect(res.body.delivery.lastAttempt).toMatchObject({ statusCode: 500, trigger: 'test' });
    expect(receiver.on('/test-fail')).toHaveLength(1);
    expect(await get(ws, hook.id)).toEqual(before);
  });

  it('enable clears disabledAt, disabledReason and consecutiveFailures', async () => {
    const hook = await createWebhook(h, ws, { url: receiver.url('/enable') });
    await disable(hook.id, 10);
    expect(await get(ws, hook.id)).toMatchObject({ disabledAt: expect.any(String), disabledReason: 'failing', consecutiveFailures: 10 });
    const res = await h.api.post(`/api/webhooks-manage/${hook.id}/enable`).set(ws.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...hook, secret: maskOf(hook.secret), disabledAt: null, disabledReason: null, consecutiveFailures: 0, updatedAt: expect.any(String) });
    expect(await get(ws, hook.id)).toEqual(res.body);
  });
});

describe('deliveries list', () => {
  let ws: TestWorkspace;
  let hook: WebhookBody;
  let lead: { id: string; createdAt: string };
  let sale: { id: string; createdAt: string };
  let between: string;
  const ids = async (query: string) => (await listDeliveries(h, ws, hook.id, `?${query}`)).data.map((d) => d.id);

  beforeAll(async () => {
    ws = await h.newWorkspace();
    hook = await createWebhook(h, ws, { url: receiver.url('/history'), triggers: ['lead.created', 'sale.created'] });
    const emit = (type: 'lead.created' | 'sale.created') => h.api.post('/api/events').set(ws.auth).send({ type, data: example(type) });
    expect((await emit('lead.created')).status).toBe(202);
    lead = await eventually(async () => (await listDeliveries(h, ws, hook.id, '?status=succeeded')).data[0]);
    await sleep(30);
    between = new Date().toISOString();
    await sleep(30);
    receiver.script('/history', [{ status: 500 }]);
    expect((await emit('sale.created')).status).toBe(202);
    sale = await eventually(async () => (await listDeliveries(h, ws, hook.id, '?status=failed')).data[0]);
  });

  it.each([
    ['status=succeeded', () => [lead.id]],
    ['status=failed', () => [sale.id]],
    ['status=pending', () => []],
    ['event=sale.created', () => [sale.id]],
    ['event=lead.created&status=failed', () => []],
    ['limit=50', () => [sale.id, lead.id]],
  ])('filters by %s', async (query, expected) => {
    expect(await ids(query)).toEqual(expected());
  });

  it('filters by since and until', async () => {
    expect(await ids(`since=${between}`)).toEqual([sale.id]);
    expect(await ids(`until=${between}`)).toEqual([lead.id]);
    expect(await ids(`since=${encodeURIComponent('2000-01-01T00:00:00+02:00')}&until=${between}`)).toEqual([lead.id]);
    expect(await ids(`since=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
  });

  // The API shows times to the millisecond while Postgres keeps microseconds, so `until` set to a
  // delivery's own createdAt must still include it (and `since` too).
  it('includes a delivery whose createdAt equals since or until', async () => {
    expect(await ids(`since=${lead.createdAt}&until=${lead.createdAt}`)).toEqual([lead.id]);
    expect(await ids(`until=${sale.createdAt}`)).toEqual([sale.id, lead.id]);
  });

  it('pages with limit and cursor, newest first', async () => {
    const first = await listDeliveries(h, ws, hook.id, '?limit=1');
    expect(first.data.map((d) => d.id)).toEqual([sale.id]);
    const second = await listDeliveries(h, ws, hook.id, `?limit=1&cursor=${first.nextCursor}`);
    expect(second).toMatchObject({ data: [{ id: lead.id, eventType: 'lead.created', status: 'succeeded' }], nextCursor: null });
  });

  it.each([
    ['status=bogus', 'query.status'],
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['since=not-a-date', 'query.since'],
    ['until=yesterday', 'query.until'],
    ['event=nope.event', 'query.event'],
    ['colour=red', undefined],
  ])('rejects %s with 400', async (query, path) => {
    expectBadRequest(await h.api.get(`/api/webhooks-manage/${hook.id}/deliveries?${query}`).set(ws.auth), path);
  });
});

describe('rejected requests change nothing', () => {
  let ws: TestWorkspace;
  let hook: WebhookBody;
  beforeAll(async () => {
    ws = await h.newWorkspace();
    hook = await createWebhook(h, ws, { url: receiver.url('/stable') });
  });

  it.each([
    ['an ftp URL', { url: 'ftp://x' }, 'url'],
    ['a non-URL', { url: 'not a url' }, 'url'],
    ['an unknown trigger', { triggers: ['nope.event'] }, 'triggers'],
    ['empty triggers', { triggers: [] }, 'triggers'],
    ['an unknown field', { secret: 'whsec_mine' }, undefined],
  ])('create with %s is a 400', async (_label, change, path) => {
    const before = await list(ws);
    expectBadRequest(await h.api.post('/api/webhooks-manage').set(ws.auth).send({ ...validCreate(), ...change }), path);
    expect(await list(ws)).toEqual(before);
  });

  it.each([
    ['an unknown field', { secret: 'whsec_mine' }],
    ['an empty body', {}],
    ['a bad URL', { url: 'ftp://x' }],
    ['empty triggers', { triggers: [] }],
    ['an unknown trigger next to a valid name', { name: 'ok', triggers: ['nope.event'] }],
  ])('update with %s is a 400', async (_label, body) => {
    const before = await get(ws, hook.id);
    expectBadRequest(await h.api.patch(`/api/webhooks-manage/${hook.id}`).set(ws.auth).send(body));
    expect(await get(ws, hook.id)).toEqual(before);
  });

  it('malformed JSON is a 400 on create and update', async () => {
    const before = await list(ws);
    expectBadRequest(await h.api.post('/api/webhooks-manage').set({ ...ws.auth, ...rawJson }).send('{"name": "x", "url":'));
    expectBadRequest(await h.api.patch(`/api/webhooks-manage/${hook.id}`).set({ ...ws.auth, ...rawJson }).send('{name: x}'));
    expect(await list(ws)).toEqual(before);
  });

  it('a body over 256 KiB is a 413', async () => {
    const before = await list(ws);
    const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ ...validCreate(), name: 'n'.repeat(300 * 1024) });
    expectError(res, 413, 'payload_too_large');
    expect(await list(ws)).toEqual(before);
  });

  it('enable and redeliver with an unknown field are a 400 that enables and sends nothing', async () => {
    const own = await h.newWorkspace();
    const failing = await createWebhook(h, own, { url: receiver.url('/strict-bodies') });
    receiver.script('/strict-bodies', [{ status: 500, body: 'down' }]);
    expect((await h.api.post('/api/events').set(own.auth).send({ type: 'lead.created', data: example('lead.created') })).status).toBe(202);
    const failed = await eventually(async () => (await listDeliveries(h, own, failing.id)).data.find((d) => d.status === 'failed'));
    await disable(failing.id, 10);
    const before = { hook: await get(own, failing.id), received: receiver.on('/strict-bodies').length };
    expectBadRequest(await h.api.post(`/api/webhooks-manage/${failing.id}/enable`).set(own.auth).send({ force: true }));
    expectBadRequest(await h.api.post(`/api/webhooks-manage/${failing.id}/redeliver/${failed.id}`).set(own.auth).send({ now: true }));
    expectBadRequest(await h.api.post(`/api/webhooks-manage/${failing.id}/enable`).set(own.auth).send([]));
    await sleep(300);
    expect({ hook: await get(own, failing.id), received: receiver.on('/strict-bodies').length }).toEqual(before);
    expect((await listDeliveries(h, own, failing.id)).data.find((d) => d.id === failed.id)?.status).toBe('failed');
  });

  it('test with an unknown event is a 400 and sends nothing', async () => {
    expectBadRequest(await h.api.post(`/api/webhooks-manage/${hook.id}/test`).set(ws.auth).send({ event: 'nope.event' }), 'event');
    expect((await listDeliveries(h, ws, hook.id)).data).toEqual([]);
    expect(receiver.on('/stable')).toHaveLength(0);
  });
});

describe('auth and workspace isolation', () => {
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let theirs: WebhookBody;
  beforeAll(async () => {
    ws = await h.newWorkspace();
    other = await h.newWorkspace();
    theirs = await createWebhook(h, other, { url: receiver.url('/theirs') });
  });

  const routes = (id: string) => [
    ['get', `/api/webhooks-manage/${id}`, undefined],
    ['patch', `/api/webhooks-manage/${id}`, { name: 'hijacked' }],
    ['delete', `/api/webhooks-manage/${id}`, undefined],
    ['post', `/api/webhooks-manage/${id}/test`, {}],
    ['post', `/api/webhooks-manage/${id}/enable`, undefined],
    ['get', `/api/webhooks-manage/${id}/deliveries`, undefined],
  ] as const;
  const call = (method: 'get' | 'post' | 'patch' | 'delete', path: string, body: object | undefined, auth: Record<string, string>) => {
    const req = h.api[method](path).set(auth);
    return body ? req.send(body) : req;
  };

  it("answers 404 for another workspace's webhook on every route and leaves it unchanged", async () => {
    await disable(theirs.id, 3);
    const before = await get(other, theirs.id);
    for (const [method, path, body] of routes(theirs.id)) expectError(await call(method, path, body, ws.auth), 404, 'not_found');
    expect(await get(other, theirs.id)).toEqual(before);
    expect((await listDeliveries(h, other, theirs.id)).data).toEqual([]);
    expect((await list(ws)).data).toEqual([]);
  });

  it('answers 401 without a key, with a malformed key and with an unknown dsp_ key', async () => {
    const unknown = `dsp_${'A'.repeat(43)}`;
    for (const auth of [{}, bearer('nope'), bearer(unknown), { Authorization: ws.key }]) {
      expectError(await call('get', '/api/webhooks-manage', undefined, auth), 401, 'unauthorized');
      expectError(await call('post', '/api/webhooks-manage', validCreate(), auth), 401, 'unauthorized');
      for (const [method, path, body] of routes(theirs.id)) expectError(await call(method, path, body, auth), 401, 'unauthorized');
    }
  });

  it('answers 403 for mutations without links:write and reads without links:read', async () => {
    const mine = await createWebhook(h, ws, { url: receiver.url('/mine') });
    const before = await get(ws, mine.id);
    const readOnly = bearer(await ws.keyWith(['links:read', 'webhooks:read', 'webhooks:manage', 'events:write']));
    const writeOnly = bearer(await ws.keyWith(['links:write']));
    expectError(await call('post', '/api/webhooks-manage', validCreate(), readOnly), 403, 'forbidden');
    expectError(await call('get', '/api/webhooks-manage', undefined, writeOnly), 403, 'forbidden');
    for (const [method, path, body] of routes(mine.id)) {
      expectError(await call(method, path, body, method === 'get' ? writeOnly : readOnly), 403, 'forbidden');
    }
    expect(await get(ws, mine.id)).toEqual(before);
    expect((await list(ws)).data).toHaveLength(1);
    expect(receiver.on('/mine')).toHaveLength(0);
  });
});
