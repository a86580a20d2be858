import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq, sql } from 'drizzle-orm';
import { apiKeys } from '@dispatch/db';
import { ADMIN_TOKEN, bearer, eventually, startHarness, type Harness } from '../../../test-support/harness.js';
import { expectBadRequest, expectError, example } from '../../../test-support/api-helpers.js';
import { KEY_USAGE_FLUSH_MS } from '../src/http/key-usage.js';
import { createApiKey } from '../src/services/workspaces.service.js';

// Issue 18, item 3: the operator lists, revokes and rotates API keys, and keys can expire.
// (Revocation across two API processes: api-key-revocation.int.test.ts.)

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(() => h.close());

const admin = bearer(ADMIN_TOKEN);
const UNKNOWN_WS = 'ws_01J00000000000000000000000';
const UNKNOWN_KEY = 'key_01J00000000000000000000000';

const newWorkspace = async (name = 'Acme') => {
  const res = await h.api.post('/api/admin/workspaces').set(admin).send({ name, features: [] });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string; features: string[]; createdAt: string; updatedAt: string };
};
const newKey = async (workspaceId: string, body: object = { name: 'backend', scopes: ['links:read'] }) => {
  const res = await h.api.post(`/api/admin/workspaces/${workspaceId}/keys`).set(admin).send(body);
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string; key: string; hint: string; scopes: string[]; workspaceId: string; createdAt: string; expiresAt: string | null };
};
const listKeys = async (workspaceId: string) => {
  const res = await h.api.get(`/api/admin/workspaces/${workspaceId}/keys`).set(admin);
  expect(res.status).toBe(200);
  return res.body as { data: Record<string, unknown>[]; nextCursor: string | null };
};
/** A request that needs only links:read: 200 while the key works. */
const use = (key: string) => h.api.get('/api/links').set(bearer(key));

describe('workspaces for the operator', () => {
  it('lists workspaces newest first with a cursor, and shows one', async () => {
    const made = [await newWorkspace('one'), await newWorkspace('two'), await newWorkspace('three')];
    const first = await h.api.get('/api/admin/workspaces?limit=2').set(admin);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([made[2], made[1]]);
    expect(first.body.nextCursor).toBe(made[1]!.id);
    const second = await h.api.get(`/api/admin/workspaces?limit=2&cursor=${first.body.nextCursor}`).set(admin);
    expect(second.body.data[0]).toEqual(made[0]);

    const one = await h.api.get(`/api/admin/workspaces/${made[0]!.id}`).set(admin);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(made[0]);
  });

  it('answers 404 for an unknown workspace, 400 for a bad query, 401 without the operator token', async () => {
    expectError(await h.api.get(`/api/admin/workspaces/${UNKNOWN_WS}`).set(admin), 404, 'not_found');
    expectError(await h.api.get(`/api/admin/workspaces/${UNKNOWN_WS}/keys`).set(admin), 404, 'not_found');
    expectBadRequest(await h.api.get('/api/admin/workspaces?limit=0').set(admin), 'query.limit');
    expectBadRequest(await h.api.get('/api/admin/workspaces?colour=red').set(admin));
    const ws = await h.newWorkspace();
    expectError(await h.api.get('/api/admin/workspaces').set(ws.auth), 401, 'unauthorized');
    expectError(await h.api.get(`/api/admin/workspaces/${ws.id}/keys`).set(ws.auth), 401, 'unauthorized');
  });
});

describe('listing keys', () => {
  it('shows each key with a hint, newest first, and never the key or its hash', async () => {
    const ws = await newWorkspace();
    const a = await newKey(ws.id, { name: 'a', scopes: ['links:read'] });
    const b = await newKey(ws.id, { name: 'b', scopes: ['events:write', 'events:read'], expiresIn: '90d' });
    expect(a.hint).toBe(`dsp_…${a.key.slice(-4)}`);
    const { data, nextCursor } = await listKeys(ws.id);
    expect(nextCursor).toBeNull();
    expect(data).toEqual([
      { id: b.id, name: 'b', scopes: ['events:write', 'events:read'], hint: b.hint, createdAt: b.createdAt, lastUsedAt: null, expiresAt: b.expiresAt, revokedAt: null },
      { id: a.id, name: 'a', scopes: ['links:read'], hint: a.hint, createdAt: a.createdAt, lastUsedAt: null, expiresAt: null, revokedAt: null },
    ]);
    const [row] = await h.deps.db.select({ keyHash: apiKeys.keyHash }).from(apiKeys).where(eq(apiKeys.id, a.id));
    const text = JSON.stringify(data);
    for (const secret of [a.key, b.key, a.key.slice(4, -4), row!.keyHash]) expect(text).not.toContain(secret);
  });

  it('shows a key made before hints with hint null', async () => {
    const ws = await newWorkspace();
    const old = await newKey(ws.id);
    await h.deps.db.update(apiKeys).set({ hint: null }).where(eq(apiKeys.id, old.id));
    expect((await listKeys(ws.id)).data).toEqual([expect.objectContaining({ id: old.id, hint: null })]);
    expect((await use(old.key)).status).toBe(200);
  });
});

describe('creating keys that expire', () => {
  it('takes expiresIn and answers with expiresAt', async () => {
    const ws = await newWorkspace();
    const before = Date.now();
    const key = await newKey(ws.id, { scopes: ['links:read'], expiresIn: '1h' });
    expect(new Date(key.expiresAt!).getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(new Date(key.expiresAt!).getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(key).toEqual({ id: expect.stringMatching(/^key_/), name: 'api key', key: expect.stringMatching(/^dsp_/), hint: expect.stringMatching(/^dsp_…/), scopes: ['links:read'], workspaceId: ws.id, createdAt: expect.any(String), expiresAt: expect.stringMatching(/Z$/) });
    expect((await newKey(ws.id, { scopes: ['links:read'] })).expiresAt).toBeNull();
    expect((await use(key.key)).status).toBe(200);
  });

  it('refuses an expiresIn that is not a duration or out of bounds, and unknown fields, creating nothing', async () => {
    const ws = await newWorkspace();
    const post = (body: object) => h.api.post(`/api/admin/workspaces/${ws.id}/keys`).set(admin).send(body);
    for (const expiresIn of ['soon', '10s', '0', '3651d', 3600, '', '1h\u0000']) expectBadRequest(await post({ scopes: ['links:read'], expiresIn }), 'expiresIn');
    expectBadRequest(await post({ scopes: ['links:read'], ttl: '1h' }));
    expectError(await post({ scopes: ['links:read'], expiresIn: '1h' }).set(bearer('wrong-token-wrong-token')), 401, 'unauthorized');
    expect((await listKeys(ws.id)).data).toEqual([]);
  });

  it('answers 401 once a key has expired, also while this process knows it', async () => {
    const ws = await newWorkspace();
    const created = await createApiKey(h.deps.db, { workspaceId: ws.id, name: 'short', scopes: ['links:read'], expiresInMs: 1_500 });
    expect((await use(created.key)).status).toBe(200);
    const expiresAt = new Date(created.expiresAt!).getTime();
    const afterExpiry = await eventually(async () => {
      const res = await use(created.key);
      return res.status !== 200 && { res, at: Date.now() };
    }, 5_000, 20);
    expectError(afterExpiry.res, 401, 'unauthorized');
    expect(afterExpiry.at).toBeGreaterThanOrEqual(expiresAt);
    // Expired in Postgres before this process ever saw it.
    const stale = await newKey(ws.id, { scopes: ['links:read'], expiresIn: '1h' });
    await h.deps.db.update(apiKeys).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(apiKeys.id, stale.id));
    expectError(await use(stale.key), 401, 'unauthorized');
  });
});

describe('revoking keys', () => {
  it('answers 204, and the key answers 401 from then on; the list shows revokedAt', async () => {
    const ws = await newWorkspace();
    const key = await newKey(ws.id);
    const other = await newKey(ws.id);
    expect((await use(key.key)).status).toBe(200);
    const res = await h.api.delete(`/api/admin/workspaces/${ws.id}/keys/${key.id}`).set(admin);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const refused = await eventually(async () => {
      const r = await use(key.key);
      return r.status !== 200 && r;
    }, 2_000, 20);
    expectError(refused, 401, 'unauthorized');
    expect((await use(other.key)).status).toBe(200);
    const listed = (await listKeys(ws.id)).data.find((k) => k.id === key.id)!;
    expect(listed.revokedAt).toEqual(expect.stringMatching(/Z$/));
    // Revoking again changes nothing and still succeeds.
    expect((await h.api.delete(`/api/admin/workspaces/${ws.id}/keys/${key.id}`).set(admin)).status).toBe(204);
    expect((await listKeys(ws.id)).data.find((k) => k.id === key.id)!.revokedAt).toBe(listed.revokedAt);
  });

  it('answers 404 for a key of another workspace or unknown ids, revoking nothing', async () => {
    const ws = await newWorkspace();
    const other = await newWorkspace();
    const key = await newKey(ws.id);
    expectError(await h.api.delete(`/api/admin/workspaces/${other.id}/keys/${key.id}`).set(admin), 404, 'not_found');
    expectError(await h.api.delete(`/api/admin/workspaces/${ws.id}/keys/${UNKNOWN_KEY}`).set(admin), 404, 'not_found');
    expectError(await h.api.delete(`/api/admin/workspaces/${UNKNOWN_WS}/keys/${key.id}`).set(admin), 404, 'not_found');
    expectError(await h.api.delete(`/api/admin/workspaces/${ws.id}/keys/${key.id}`).set(bearer(key.key)), 401, 'unauthorized');
    expect((await listKeys(ws.id)).data[0]!.revokedAt).toBeNull();
    expect((await use(key.key)).status).toBe(200);
  });
});

describe('rotating keys', () => {
  it('answers 201 with a new key shown once; the old key works until the grace ends, then 401', async () => {
    const ws = await newWorkspace();
    const old = await newKey(ws.id, { name: 'backend', scopes: ['links:read', 'events:write'] });
    expect((await use(old.key)).status).toBe(200);
    const res = await h.api.post(`/api/admin/workspaces/${ws.id}/keys/${old.id}/rotate`).set(admin).send({ graceSeconds: 2 });
    const rotatedAt = Date.now();
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^key_/),
      name: 'backend',
      key: expect.stringMatching(/^dsp_/),
      hint: expect.stringMatching(/^dsp_…/),
      scopes: ['links:read', 'events:write'],
      workspaceId: ws.id,
      createdAt: expect.any(String),
      expiresAt: null,
      previousKeyExpiresAt: expect.stringMatching(/Z$/),
    });
    const fresh = res.body as { id: string; key: string; previousKeyExpiresAt: string };
    expect(fresh.key).not.toBe(old.key);
    expect((await use(fresh.key)).status).toBe(200);
    expect((await h.api.post('/api/events').set(bearer(fresh.key)).send({ type: 'lead.created', data: example('lead.created') })).status).toBe(202);
    // Still in its grace.
    expect((await use(old.key)).status).toBe(200);
    const endedAt = await eventually(async () => (await use(old.key)).status === 401 && Date.now(), 6_000, 50);
    expect(endedAt).toBeGreaterThanOrEqual(rotatedAt + 1_500);
    expect(endedAt).toBeLessThan(new Date(fresh.previousKeyExpiresAt).getTime() + 1_000);
    expect((await use(fresh.key)).status).toBe(200);

    const listed = (await listKeys(ws.id)).data;
    expect(listed.map((k) => k.id)).toEqual([fresh.id, old.id]);
    expect(listed[1]!.expiresAt).toBe(fresh.previousKeyExpiresAt);
  });

  it('defaults the grace to a day, and gives the new key the old key’s lifetime', async () => {
    const ws = await newWorkspace();
    const old = await newKey(ws.id, { scopes: ['links:read'], expiresIn: '30d' });
    const res = await h.api.post(`/api/admin/workspaces/${ws.id}/keys/${old.id}/rotate`).set(admin).send({});
    expect(res.status).toBe(201);
    const day = 86_400_000;
    expect(Math.abs(new Date(res.body.previousKeyExpiresAt).getTime() - (Date.now() + day))).toBeLessThan(10_000);
    expect(Math.abs(new Date(res.body.expiresAt).getTime() - (Date.now() + 30 * day))).toBeLessThan(10_000);
    // Rotating without a body at all is the same.
    expect((await h.api.post(`/api/admin/workspaces/${ws.id}/keys/${res.body.id}/rotate`).set(admin)).status).toBe(201);
  });

  it('refuses bad input (400), unknown ids (404) and a revoked key (409), changing nothing', async () => {
    const ws = await newWorkspace();
    const other = await newWorkspace();
    const key = await newKey(ws.id);
    const rotate = (workspaceId: string, keyId: string, body: object = {}) => h.api.post(`/api/admin/workspaces/${workspaceId}/keys/${keyId}/rotate`).set(admin).send(body);
    for (const graceSeconds of [-1, 604_801, 1.5, '60']) expectBadRequest(await rotate(ws.id, key.id, { graceSeconds }), 'graceSeconds');
    expectBadRequest(await rotate(ws.id, key.id, { graceSeconds: 0, expiresIn: '1h' }));
    expectError(await rotate(other.id, key.id), 404, 'not_found');
    expectError(await rotate(ws.id, UNKNOWN_KEY), 404, 'not_found');
    expectError(await rotate(UNKNOWN_WS, key.id), 404, 'not_found');
    expect((await listKeys(ws.id)).data).toEqual([expect.objectContaining({ id: key.id, expiresAt: null, revokedAt: null })]);

    expect((await h.api.delete(`/api/admin/workspaces/${ws.id}/keys/${key.id}`).set(admin)).status).toBe(204);
    expectError(await rotate(ws.id, key.id), 409, 'conflict');
    expect((await listKeys(ws.id)).data).toHaveLength(1);
  });

  it('with graceSeconds 0 ends the old key at once', async () => {
    const ws = await newWorkspace();
    const old = await newKey(ws.id);
    expect((await use(old.key)).status).toBe(200);
    const res = await h.api.post(`/api/admin/workspaces/${ws.id}/keys/${old.id}/rotate`).set(admin).send({ graceSeconds: 0 });
    expect(res.status).toBe(201);
    const refused = await eventually(async () => {
      const r = await use(old.key);
      return r.status !== 200 && r;
    }, 2_000, 20);
    expectError(refused, 401, 'unauthorized');
    expect((await use(res.body.key)).status).toBe(200);
  });
});

describe('lastUsedAt', () => {
  it('is written in batches, not per request: null right after use, then the time of the last request', async () => {
    const ws = await newWorkspace();
    const key = await newKey(ws.id);
    const used = await newKey(ws.id);
    const lastUsed = async (id: string) => (await listKeys(ws.id)).data.find((k) => k.id === id)!.lastUsedAt as string | null;
    // Right after a flush, so the requests below all fall into one batch.
    await h.deps.keyUsage.flush();
    for (let i = 0; i < 20; i += 1) expect((await use(used.key)).status).toBe(200);
    const lastRequestAt = Date.now();
    expect(await lastUsed(used.id)).toBeNull();
    const written = await eventually(async () => (await lastUsed(used.id)) ?? undefined, KEY_USAGE_FLUSH_MS + 3_000, 100);
    expect(new Date(written).getTime()).toBeLessThanOrEqual(lastRequestAt);
    expect(new Date(written).getTime()).toBeGreaterThan(lastRequestAt - 1_000);
    expect(await lastUsed(key.id)).toBeNull();
  }, 15_000);
});
