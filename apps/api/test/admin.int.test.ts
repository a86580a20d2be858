import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { EVENT_TYPES } from '@dispatch/core';
import { apiKeys } from '@dispatch/db';
import { ADMIN_TOKEN, bearer, startHarness, type Harness } from '../../../test-support/harness.js';
import { expectBadRequest, expectError } from '../../../test-support/api-helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  await h.close();
});

const admin = bearer(ADMIN_TOKEN);
const createWorkspace = async (body: object = { name: 'Acme', features: ['integrations'] }) => {
  const res = await h.api.post('/api/admin/workspaces').set(admin).send(body);
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string; features: string[] };
};

describe('admin provisioning', () => {
  it('creates a workspace with 201', async () => {
    const res = await h.api.post('/api/admin/workspaces').set(admin).send({ name: 'Acme', features: ['integrations'] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^ws_/),
      name: 'Acme',
      features: ['integrations'],
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    expect((await h.api.post('/api/admin/workspaces').set(admin).send({ name: 'Bare' })).body.features).toEqual([]);
  });

  it('sets features with PATCH and 200', async () => {
    const ws = await createWorkspace({ name: 'Flags' });
    const res = await h.api.patch(`/api/admin/workspaces/${ws.id}`).set(admin).send({ features: ['integrations'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ws.id, name: 'Flags', features: ['integrations'] });
    const off = await h.api.patch(`/api/admin/workspaces/${ws.id}`).set(admin).send({ features: [] });
    expect(off.status).toBe(200);
    expect(off.body.features).toEqual([]);
  });

  it('creates a key with 201 that works as a Bearer for its scope and is stored only hashed', async () => {
    const ws = await createWorkspace();
    const res = await h.api.post(`/api/admin/workspaces/${ws.id}/keys`).set(admin).send({ name: 'backend', scopes: ['links:read'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^key_/), key: expect.stringMatching(/^dsp_/), scopes: ['links:read'] });
    const key: string = res.body.key;

    const read = await h.api.get('/api/webhooks-manage').set(bearer(key));
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ data: [], nextCursor: null });
    expectError(await h.api.post('/api/webhooks-manage').set(bearer(key)).send({ name: 'x', url: 'https://example.com', triggers: ['lead.created'] }), 403, 'forbidden');

    const rows = await h.deps.db.select().from(apiKeys).where(eq(apiKeys.id, res.body.id));
    expect(rows).toHaveLength(1);
    for (const value of Object.values(rows[0]!)) {
      expect(value).not.toEqual(key);
      expect(JSON.stringify(value) ?? '').not.toContain(key.slice('dsp_'.length));
    }
  });

  it('answers 401 without a token and with a wrong token, changing nothing', async () => {
    const ws = await createWorkspace({ name: 'Locked' });
    for (const auth of [{}, bearer('wrong-token-wrong-token'), bearer(`${ADMIN_TOKEN}x`), { Authorization: ADMIN_TOKEN }]) {
      expectError(await h.api.post('/api/admin/workspaces').set(auth).send({ name: 'Evil' }), 401, 'unauthorized');
      expectError(await h.api.patch(`/api/admin/workspaces/${ws.id}`).set(auth).send({ features: ['integrations'] }), 401, 'unauthorized');
      expectError(await h.api.post(`/api/admin/workspaces/${ws.id}/keys`).set(auth).send({ scopes: ['links:read'] }), 401, 'unauthorized');
    }
    const keys = await h.deps.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.workspaceId, ws.id));
    expect(keys).toEqual([]);
  });

  it('does not accept an API key as the operator token', async () => {
    const ws = await h.newWorkspace();
    expectError(await h.api.post('/api/admin/workspaces').set(ws.auth).send({ name: 'Evil' }), 401, 'unauthorized');
  });

  it('answers 404 for an unknown workspace', async () => {
    const unknown = 'ws_01J00000000000000000000000';
    expectError(await h.api.patch(`/api/admin/workspaces/${unknown}`).set(admin).send({ features: [] }), 404, 'not_found');
    expectError(await h.api.post(`/api/admin/workspaces/${unknown}/keys`).set(admin).send({ scopes: ['links:read'] }), 404, 'not_found');
  });

  it('answers 400 for an unknown feature or scope', async () => {
    const ws = await createWorkspace({ name: 'Strict' });
    expectBadRequest(await h.api.post('/api/admin/workspaces').set(admin).send({ name: 'X', features: ['teleport'] }), 'features');
    expectBadRequest(await h.api.patch(`/api/admin/workspaces/${ws.id}`).set(admin).send({ features: ['teleport'] }), 'features');
    expectBadRequest(await h.api.post(`/api/admin/workspaces/${ws.id}/keys`).set(admin).send({ scopes: ['links:delete'] }), 'scopes');
    expectBadRequest(await h.api.post('/api/admin/workspaces').set(admin).send({}), 'name');
    const after = await h.api.patch(`/api/admin/workspaces/${ws.id}`).set(admin).send({ features: [] });
    expect(after.body.features).toEqual([]);
  });
});

describe('health', () => {
  it('answers /healthz with 200', async () => {
    const res = await h.api.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when Postgres and Redis answer', async () => {
    const res = await h.api.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });
});

describe('event catalog', () => {
  it('needs webhooks:read', async () => {
    const ws = await h.newWorkspace();
    const key = await ws.keyWith(['links:read', 'links:write', 'events:write', 'webhooks:manage']);
    expectError(await h.api.get('/api/integrations/outbound/events').set(bearer(key)), 403, 'forbidden');
    expectError(await h.api.get('/api/integrations/outbound/events'), 401, 'unauthorized');
  });

  it('lists the 17 event types with category, description, JSON schema and an example', async () => {
    const ws = await h.newWorkspace();
    const res = await h.api.get('/api/integrations/outbound/events').set(bearer(await ws.keyWith(['webhooks:read'])));
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(17);
    expect(res.body.data.map((e: { type: string }) => e.type)).toEqual([...EVENT_TYPES]);
    for (const entry of res.body.data) {
      expect(entry).toEqual({
        type: expect.any(String),
        category: expect.any(String),
        description: expect.any(String),
        schema: expect.objectContaining({ type: 'object' }),
        example: expect.any(Object),
      });
      expect(entry.description.length).toBeGreaterThan(0);
      expect(Object.keys(entry.example).length).toBeGreaterThan(0);
    }
    expect(new Set(res.body.data.map((e: { category: string }) => e.category))).toEqual(
      new Set(['clicks', 'links', 'leads', 'sales', 'partners', 'commissions', 'bounties', 'payouts']),
    );
    // Every published example is data that POST /api/events accepts for its type.
    const events = res.body.data.map((e: { type: string; example: unknown }) => ({ type: e.type, data: e.example }));
    const emitted = await h.api.post('/api/events/batch').set(ws.auth).send({ events });
    expect(emitted.status).toBe(202);
    expect(emitted.body.data).toHaveLength(17);
  });
});
