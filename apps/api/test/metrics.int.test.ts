import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { endpoints } from '@dispatch/db';
import { QUEUES } from '@dispatch/queue';
import { eq } from 'drizzle-orm';
import { startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { createWebhook, example, expectError } from '../../../test-support/api-helpers.js';
import { grew, Scrape } from '../../../test-support/metrics-text.js';

// The API's /metrics, scraped before and after real requests. No worker runs here, so every
// delivery the events create stays pending in Postgres and waiting in Redis, which the scrape-time
// gauges must show.

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let h: Harness;
let ws: TestWorkspace;
let webhookId: string;

async function scrape(): Promise<Scrape> {
  const res = await h.api.get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return new Scrape(res.text);
}

/** Past the gauges' one-second cache, so the next scrape reads Postgres and Redis again. */
const pastCache = () => new Promise((r) => setTimeout(r, 1_100));

beforeAll(async () => {
  h = await startHarness({ worker: false });
  ws = await h.newWorkspace();
  webhookId = (await createWebhook(h, ws, { url: 'http://127.0.0.1:9/never', triggers: ['lead.created', 'sale.created'] })).id;
});
afterAll(async () => {
  await h.close();
});

describe('GET /metrics (API)', () => {
  it('serves the contract names and Node default metrics in Prometheus text', async () => {
    const s = await scrape();
    for (const family of [
      'dispatch_events_accepted_total',
      'dispatch_http_requests_total',
      'dispatch_http_request_duration_seconds',
      'dispatch_queue_jobs',
      'dispatch_endpoints',
      'dispatch_oldest_due_delivery_age_seconds',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(s.families()).toContain(family);
    }
  });

  it('counts accepted events by type, exactly: singles, a batch, not an idempotent replay, not a refused event', async () => {
    const before = await scrape();
    const lead = { type: 'lead.created', data: example('lead.created') };
    const sale = { type: 'sale.created', data: example('sale.created') };
    expect((await h.api.post('/api/events').set(ws.auth).send(lead)).status).toBe(202);
    expect((await h.api.post('/api/events').set(ws.auth).set('Idempotency-Key', 'once').send(lead)).status).toBe(202);
    expect((await h.api.post('/api/events').set(ws.auth).set('Idempotency-Key', 'once').send(lead)).status).toBe(202);
    expect((await h.api.post('/api/events/batch').set(ws.auth).send({ events: [lead, sale, sale] })).status).toBe(202);
    expect((await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: {} })).status).toBe(400);
    const after = await scrape();
    expect(grew(before, after, 'dispatch_events_accepted_total', { type: 'lead.created' })).toBe(3);
    expect(grew(before, after, 'dispatch_events_accepted_total', { type: 'sale.created' })).toBe(2);
    expect(grew(before, after, 'dispatch_events_accepted_total')).toBe(5);
  });

  it('counts requests under their declared route and status, never the URL with its ids', async () => {
    const before = await scrape();
    const missing = 'evt_01KZZZZZZZZZZZZZZZZZZZZZZZ';
    await h.api.get(`/api/events/${missing}`).set(ws.auth).expect(404);
    await h.api.get(`/api/webhooks-manage/${webhookId}`).set(ws.auth).expect(200);
    // Refused before the handler runs (the error leaves the router): still its declared route.
    await h.api.get(`/api/webhooks-manage/${webhookId}`).expect(401);
    await h.api.get('/api/no-such-route/123').set(ws.auth).expect(404);
    const after = await scrape();
    const requests = (route: string, status: string) => grew(before, after, 'dispatch_http_requests_total', { method: 'GET', route, status });
    expect(requests('/api/events/:eventId', '404')).toBe(1);
    expect(requests('/api/webhooks-manage/:id', '200')).toBe(1);
    expect(requests('/api/webhooks-manage/:id', '401')).toBe(1);
    expect(requests('unmatched', '404')).toBe(1);
    // The scrape before this one is itself a request, counted (and timed) under /metrics.
    expect(requests('/metrics', '200')).toBe(1);
    expect(grew(before, after, 'dispatch_http_request_duration_seconds_count', { method: 'GET', route: '/api/webhooks-manage/:id' })).toBe(2);
    expect(after.text).not.toContain(missing);
    expect(after.text).not.toContain(webhookId);
    expect(after.text).not.toContain(ws.id);
    for (const sample of after.matching('dispatch_http_requests_total')) expect(sample.labels.route).toMatch(/^(\/[a-z:A-Z/._-]*|unmatched)$/);
  });

  it('reads the queue backlog, the oldest due delivery and disabled endpoints at scrape time', async () => {
    await pastCache();
    const before = await scrape();
    const queued = before.sum('dispatch_queue_jobs', { queue: 'deliveries', state: 'waiting' });
    expect(queued).toBe(await h.deps.queues.deliveries.getWaitingCount());
    expect(queued).toBeGreaterThan(0);
    const emitted = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
    expect(emitted.status).toBe(202);
    await pastCache();
    const after = await scrape();
    expect(after.sum('dispatch_queue_jobs', { queue: 'deliveries', state: 'waiting' })).toBe(queued + 1);
    for (const queue of ['deliveries', 'fanout', 'maintenance']) expect(after.matching('dispatch_queue_jobs', { queue })).toHaveLength(5);
    expect(QUEUES.deliveries).toBe('{deliveries}');

    // Every delivery here is still pending; the oldest was created by the first test, seconds ago.
    const oldest = await h.deps.db.execute<{ age: number }>(
      sql`SELECT extract(epoch FROM now() - min(next_attempt_at))::float8 AS age FROM deliveries WHERE status = 'pending'`,
    );
    const age = after.sum('dispatch_oldest_due_delivery_age_seconds');
    expect(age).toBeGreaterThan(1);
    expect(Math.abs(age - Number(oldest.rows[0]!.age))).toBeLessThan(1.5);

    const disabledBefore = after.sum('dispatch_endpoints', { state: 'disabled' });
    await h.deps.db.update(endpoints).set({ disabledAt: new Date(), disabledReason: 'gone' }).where(eq(endpoints.id, webhookId));
    await pastCache();
    const disabled = await scrape();
    expect(disabled.sum('dispatch_endpoints', { state: 'disabled' })).toBe(disabledBefore + 1);
    expect(disabled.matching('dispatch_endpoints', { state: 'paused' })).toHaveLength(1);
    await h.deps.db.update(endpoints).set({ disabledAt: null, disabledReason: null }).where(eq(endpoints.id, webhookId));
  });

  it('counts the endpoints a worker paused (circuit breaker) until their pause ends', async () => {
    const pauses = h.deps.queues.endpointPauses;
    await pauses.publish('wh_paused_now', Date.now() + 60_000);
    await pauses.publish('obw_paused_too', Date.now() + 60_000);
    await pauses.publish('lwh_pause_ended', Date.now() - 1_000);
    await pastCache();
    expect((await scrape()).sum('dispatch_endpoints', { state: 'paused' })).toBe(2);
    await pauses.forget('wh_paused_now');
    await pauses.forget('obw_paused_too');
    await pastCache();
    expect((await scrape()).sum('dispatch_endpoints', { state: 'paused' })).toBe(0);
  });

  it('shares one read of Postgres and Redis between the scrapes of one second', async () => {
    await pastCache();
    const first = await scrape();
    const startedAt = Date.now();
    await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') }).expect(202);
    const second = await scrape();
    const waiting = (s: Scrape) => s.sum('dispatch_queue_jobs', { queue: 'deliveries', state: 'waiting' });
    // Within the second the cached read answers (the new job is not seen yet); after it, a new read.
    if (Date.now() - startedAt < 900) expect(waiting(second)).toBe(waiting(first));
    await pastCache();
    expect(waiting(await scrape())).toBe(waiting(first) + 1);
  });
});

describe('DISPATCH_METRICS_TOKEN', () => {
  let guarded: Harness;
  beforeAll(async () => {
    guarded = await startHarness({ worker: false, env: { DISPATCH_METRICS_TOKEN: METRICS_TOKEN } });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it('answers /metrics only to a bearer of the token, with the contract error otherwise', async () => {
    expectError(await guarded.api.get('/metrics'), 401, 'unauthorized');
    expectError(await guarded.api.get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789'), 401, 'unauthorized');
    expectError(await guarded.api.get('/metrics').set('Authorization', `Basic ${METRICS_TOKEN}`), 401, 'unauthorized');
    const ok = await guarded.api.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(new Scrape(ok.text).has('dispatch_http_requests_total')).toBe(true);
    // The health checks stay open.
    expect((await guarded.api.get('/healthz')).status).toBe(200);
  });
});
