import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfig } from '@dispatch/core';
import { pino } from 'pino';
import supertest from 'supertest';
import { ADMIN_TOKEN, bearer, startHarness, type Harness } from '../../../test-support/harness.js';
import { example, expectError } from '../../../test-support/api-helpers.js';
import { createApp } from '../src/app.js';
import { buildApiDeps } from '../src/bootstrap.js';
import { apiConfigSchema } from '../src/config.js';

// Issue 18, item 4: unauthenticated traffic is cheap for us. Unknown keys are answered from memory
// after their first lookup, failed authentication is throttled per client address (429 +
// retry-after) without touching a good client behind the same address, and operator requests have
// a per-process budget. Each API process here is built by the test with its own settings, on the
// harness's database; requests carry X-Forwarded-For where a process trusts its loopback proxy.

let h: Harness;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  for (const close of closers) await close();
  await h?.close();
});

interface Instance {
  api: ReturnType<typeof supertest>;
  /** Key lookups (by hash) this process sent to Postgres so far. */
  lookups: () => number;
}

/** Another API process on the harness's database; its Postgres key lookups are counted (not altered). */
function instance(env: Record<string, string>): Instance {
  const { deps, close } = buildApiDeps(parseConfig(apiConfigSchema, { ...h.env, ...env }), pino({ level: 'silent' }));
  closers.push(close);
  const pool = (deps.db as unknown as { $client: { query: (...args: unknown[]) => unknown } }).$client;
  const query = pool.query.bind(pool);
  let lookups = 0;
  pool.query = (...args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text ?? '';
    if (/"key_hash" = \$1/.test(text)) lookups += 1;
    return query(...args);
  };
  return { api: supertest(createApp(deps)), lookups: () => lookups };
}

const randomKey = () => `dsp_${randomBytes(32).toString('base64url')}`;
const event = { type: 'lead.created', data: example('lead.created') };
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('unknown keys', () => {
  it('cost one Postgres lookup, not one per request; revoked keys none once refused', async () => {
    const api = instance({});
    const unknown = randomKey();
    for (let i = 0; i < 20; i += 1) expectError(await api.api.get('/api/links').set(bearer(unknown)), 401, 'unauthorized');
    expect(api.lookups()).toBe(1);

    const ws = await h.newWorkspace();
    const key = await ws.keyWith(['links:read']);
    const keyId = (await h.api.get(`/api/admin/workspaces/${ws.id}/keys`).set(bearer(ADMIN_TOKEN))).body.data.find((k: { scopes: string[] }) => k.scopes.join() === 'links:read').id;
    expect((await api.api.get('/api/links').set(bearer(key))).status).toBe(200);
    expect((await h.api.delete(`/api/admin/workspaces/${ws.id}/keys/${keyId}`).set(bearer(ADMIN_TOKEN))).status).toBe(204);
    const refusedAt = await (async () => {
      for (;;) {
        const res = await api.api.get('/api/links').set(bearer(key));
        if (res.status === 401) return api.lookups();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    for (let i = 0; i < 20; i += 1) expectError(await api.api.get('/api/links').set(bearer(key)), 401, 'unauthorized');
    expect(api.lookups()).toBe(refusedAt);
  });

  it('do not stop a key created afterwards from working at once', async () => {
    const api = instance({});
    for (let i = 0; i < 30; i += 1) expect((await api.api.post('/api/events').set(bearer(randomKey())).send(event)).status).toBe(401);
    const ws = await h.newWorkspace();
    // Created through another process, used here at once.
    const res = await h.api.post(`/api/admin/workspaces/${ws.id}/keys`).set(bearer(ADMIN_TOKEN)).send({ scopes: ['events:write'] });
    expect((await api.api.post('/api/events').set(bearer(res.body.key)).send(event)).status).toBe(202);
  });
});

describe('failed authentication per client address', () => {
  it('answers 429 with retry-after after a burst, without a lookup; other addresses still get 401', async () => {
    const api = instance({ DISPATCH_AUTH_FAILURE_LIMIT: '10', DISPATCH_TRUST_PROXY: 'loopback' });
    const attacker = from('203.0.113.7');
    for (let i = 0; i < 10; i += 1) expectError(await api.api.get('/api/links').set(attacker).set(bearer(randomKey())), 401, 'unauthorized');
    const lookups = api.lookups();
    expect(lookups).toBe(10);
    const throttled = [
      await api.api.get('/api/links').set(attacker).set(bearer(randomKey())),
      await api.api.post('/api/events').set(attacker).send(event),
      await api.api.get('/api/links').set(attacker).set('authorization', 'Basic eDp5'),
      await api.api.post('/api/admin/workspaces').set(attacker).set(bearer('not-the-operator-token')).send({ name: 'x' }),
    ];
    for (const res of throttled) {
      expectError(res, 429, 'rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(api.lookups()).toBe(lookups);
    // Another address has its own budget.
    expectError(await api.api.get('/api/links').set(from('198.51.100.1')).set(bearer(randomKey())), 401, 'unauthorized');
    // Without a trusted proxy, X-Forwarded-For buys nothing: every request counts against the socket's address.
    const direct = instance({ DISPATCH_AUTH_FAILURE_LIMIT: '3' });
    for (let i = 0; i < 3; i += 1) expectError(await direct.api.get('/api/links').set(from(`192.0.2.${i}`)).set(bearer(randomKey())), 401, 'unauthorized');
    expectError(await direct.api.get('/api/links').set(from('192.0.2.99')).set(bearer(randomKey())), 429, 'rate_limited');
  });

  it('does not stop a good client behind the same address, even while its address stays throttled past the key cache age', async () => {
    const api = instance({ DISPATCH_AUTH_FAILURE_LIMIT: '5', DISPATCH_TRUST_PROXY: 'loopback' });
    const shared = from('203.0.113.50');
    const ws = await h.newWorkspace();
    const good = bearer(await ws.keyWith(['events:write', 'links:read']));
    expect((await api.api.post('/api/events').set(shared).set(good).send(event)).status).toBe(202);
    const statuses = { good: new Map<number, number>(), bad: new Map<number, number>() };
    const count = (map: Map<number, number>, status: number) => map.set(status, (map.get(status) ?? 0) + 1);
    let running = true;
    const attack = (async () => {
      while (running) count(statuses.bad, (await api.api.get('/api/links').set(shared).set(bearer(randomKey()))).status);
    })();
    // Longer than a known key's maximum age (5 s): its re-lookup happens while the address is throttled.
    const until = Date.now() + 6_000;
    while (Date.now() < until) {
      count(statuses.good, (await api.api.post('/api/events').set(shared).set(good).send(event)).status);
      await new Promise((r) => setTimeout(r, 100));
    }
    running = false;
    await attack;
    expect(Object.fromEntries(statuses.good)).toEqual({ 202: expect.any(Number) });
    expect(statuses.bad.get(401)).toBeLessThanOrEqual(5 + 7);
    expect(statuses.bad.get(429)).toBeGreaterThan(50);
  }, 20_000);
});

describe('operator routes', () => {
  it('share a per-process budget: 429 with retry-after past it; a wrong token does not spend it', async () => {
    const api = instance({ DISPATCH_ADMIN_RATE_LIMIT: '1' });
    const admin = bearer(ADMIN_TOKEN);
    for (let i = 0; i < 3; i += 1) expectError(await api.api.get('/api/admin/workspaces').set(bearer('wrong-token-wrong-token')), 401, 'unauthorized');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const res = await api.api.get('/api/admin/workspaces?limit=1').set(admin);
      statuses.push(res.status);
      if (res.status === 429) {
        expectError(res, 429, 'rate_limited');
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    }
    // A burst of five seconds' worth.
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    // Another process has its own budget.
    expect((await h.api.get('/api/admin/workspaces?limit=1').set(admin)).status).toBe(200);
  });
});
