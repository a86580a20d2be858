import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq, sql } from 'drizzle-orm';
import { endpoints } from '@dispatch/db';
import { TEST_ENCRYPTION_KEY } from '../../../test-support/encryption-key.js';
import { ADMIN_TOKEN, bearer, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { expectBadRequest, expectError } from '../../../test-support/api-helpers.js';

// The operator's secrets routes: GET /api/admin/secrets (counts) and POST /api/admin/secrets/reseal.

const ADMIN = bearer(ADMIN_TOKEN);
const NEW_KEY = randomBytes(32).toString('base64');
// The harness's single key, as the ring entry it stands for, behind a new first key.
const RING = `k2:${NEW_KEY},default:${createHash('sha256').update(TEST_ENCRYPTION_KEY).digest('base64')}`;

let h: Harness;
let ring: Harness;
let ws: TestWorkspace;

beforeAll(async () => {
  h = await startHarness({ worker: false });
  ring = await startHarness({ env: { DATABASE_URL: h.env.DATABASE_URL!, DISPATCH_ENCRYPTION_KEY: '', DISPATCH_ENCRYPTION_KEYS: RING }, worker: false });
  ws = await h.newWorkspace(['integrations']);
});
afterAll(async () => {
  await ring.close();
  await h.close();
});

const status = async (on: Harness) => (await on.api.get('/api/admin/secrets').set(ADMIN)).body;
const reseal = (on: Harness, body: object = {}) => on.api.post('/api/admin/secrets/reseal').set(ADMIN).send(body);
const allSealed = async () =>
  (await h.deps.db.execute<{ v: string }>(sql`SELECT unnest(ARRAY[secret_sealed, previous_secret_sealed, headers_sealed]) AS v FROM endpoints`)).rows
    .map((r) => r.v)
    .filter(Boolean);

describe('admin secrets routes', () => {
  it('answer only the operator token', async () => {
    for (const auth of [{}, ws.auth, bearer('wrong-admin-token-0123456789')]) {
      expectError(await h.api.get('/api/admin/secrets').set(auth), 401, 'unauthorized');
      expectError(await h.api.post('/api/admin/secrets/reseal').set(auth).send({}), 401, 'unauthorized');
    }
  });

  it('refuse a bad limit with 400 and change nothing', async () => {
    await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'x', url: 'https://example.com/x', triggers: ['lead.created'] });
    const before = await allSealed();
    for (const body of [{ limit: 0 }, { limit: 1001 }, { limit: 1.5 }, { limit: '5' }, { limit: 5, force: true }]) {
      expectBadRequest(await reseal(ring, body));
    }
    expect(await allSealed()).toEqual(before);
  });

  it('count sealed values, and reseal nothing when all are under the first key', async () => {
    const counts = await status(h);
    expect(counts).toEqual({ keyId: 'default', total: expect.any(Number), current: counts.total, remaining: 0 });
    expect((await reseal(h)).body).toEqual({ keyId: 'default', resealed: 0, remaining: 0, total: counts.total });
  });

  it('seal plaintext custom headers a process of an older version wrote, and count them until then', async () => {
    const created = await h.api.post('/api/integrations/outbound').set(ws.auth).send({ url: 'https://example.com/plain', events: ['lead.created'] });
    await h.deps.db.update(endpoints).set({ plaintextHeaders: { 'X-Api-Key': 'written-by-an-old-api-process' } }).where(eq(endpoints.id, created.body.id));
    const before = await status(h);
    expect(before.remaining).toBe(1);
    expect((await reseal(h)).body).toEqual({ keyId: 'default', resealed: 1, remaining: 0, total: before.total });
    const [row] = await h.deps.db.select().from(endpoints).where(eq(endpoints.id, created.body.id));
    expect(row!.plaintextHeaders).toBeNull();
    expect(row!.headersMasked).toEqual({ 'X-Api-Key': '••••••••cess' });
    expect(JSON.parse(h.deps.secretBox.open(row!.headersSealed!))).toEqual({ 'X-Api-Key': 'written-by-an-old-api-process' });
  });

  it('reseal every value exactly once when run from two places at once, until nothing remains', async () => {
    for (let i = 0; i < 30; i++) {
      const res = await h.api.post('/api/integrations/outbound').set(ws.auth).send({ url: `https://example.com/many/${i}`, events: ['lead.created'], headers: { 'X-Key': `value-${i}` } });
      expect(res.status).toBe(201);
    }
    const start = await status(ring);
    expect(start).toMatchObject({ keyId: 'k2', current: 0 });
    expect(start.remaining).toBeGreaterThanOrEqual(60);
    const loop = async () => {
      const counts: number[] = [];
      for (;;) {
        const res = await reseal(ring, { limit: 7 });
        expect(res.status).toBe(200);
        counts.push(res.body.resealed);
        if (res.body.remaining === 0) return counts;
      }
    };
    const [a, b] = await Promise.all([loop(), loop()]);
    expect([...a, ...b].reduce((x, y) => x + y, 0)).toBe(start.remaining);
    expect(Math.max(...a, ...b)).toBeLessThanOrEqual(7);
    expect(await status(ring)).toEqual({ keyId: 'k2', total: start.total, current: start.total, remaining: 0 });
    expect((await allSealed()).every((v) => v.startsWith('v2.k2.'))).toBe(true);
    // Done is done: another call re-seals nothing.
    expect((await reseal(ring)).body.resealed).toBe(0);
  });
});
