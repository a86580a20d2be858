import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { example } from '../../../test-support/api-helpers.js';
import { grew, Scrape, scrapeUrl } from '../../../test-support/metrics-text.js';

// The worker's /metrics (on its own port) and the API's, scraped before and after real deliveries
// to a real receiver: one per endpoint kind and fate. The counters and histograms must move by
// exactly what happened, no more.

const TIMEOUT_MS = 1_000;
let h: Harness;
let receiver: Receiver;

const workerMetrics = () => scrapeUrl(`http://127.0.0.1:${h.worker!.healthPort}/metrics`);
const apiMetrics = async () => new Scrape((await h.api.get('/metrics').expect(200)).text);
const lead = () => ({ type: 'lead.created', data: example('lead.created') });

async function emit(ws: TestWorkspace, event = lead()) {
  const res = await h.api.post('/api/events').set(ws.auth).send(event);
  expect(res.status).toBe(202);
  expect(res.body.deliveries).toBe(1);
  return res.body as { id: string };
}

beforeAll(async () => {
  h = await startHarness({ env: { DISPATCH_REQUEST_TIMEOUT: `${TIMEOUT_MS}ms`, DISPATCH_RETRY_SCHEDULE: '200ms,200ms,200ms' } });
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

describe('worker /metrics after real deliveries', () => {
  it('counts a success, a 500 then success, a timeout then success and a 410, by kind and outcome, exactly', async () => {
    // One workspace per delivery, so each event reaches exactly its one endpoint.
    const [okWs, flakyWs, slowWs, goneWs] = await Promise.all([h.newWorkspace(), h.newWorkspace(), h.newWorkspace(), h.newWorkspace()]);
    await h.api.post('/api/webhooks-manage').set(okWs.auth).send({ name: 'ok', url: receiver.url('/ok'), triggers: ['lead.created'] }).expect(201);
    const link = await h.api.post('/api/links').set(flakyWs.auth).send({ url: 'https://acme.com/metrics' }).expect(201);
    await h.api.post(`/api/links/${link.body.id}/webhooks`).set(flakyWs.auth).send({ url: receiver.url('/flaky'), triggers: ['lead.created'] }).expect(201);
    await h.api.post('/api/integrations/outbound').set(slowWs.auth).send({ url: receiver.url('/slow'), events: ['lead.created'] }).expect(201);
    await h.api.post('/api/webhooks-manage').set(goneWs.auth).send({ name: 'gone', url: receiver.url('/gone'), triggers: ['lead.created'] }).expect(201);
    receiver.script('/flaky', [{ status: 500 }, { status: 200 }]);
    receiver.script('/slow', [{ status: 200, delayMs: TIMEOUT_MS * 3 }, { status: 200 }]);
    receiver.script('/gone', [{ status: 410 }]);

    const [workerBefore, apiBefore] = await Promise.all([workerMetrics(), apiMetrics()]);
    const startedAt = Date.now();
    await emit(okWs);
    await emit(flakyWs, { ...lead(), data: { ...example('lead.created'), linkId: link.body.id } });
    await emit(slowWs);
    await emit(goneWs);

    const finished = (s: Scrape) => grew(workerBefore, s, 'dispatch_deliveries_finished_total');
    await eventually(async () => finished(await workerMetrics()) >= 4, 20_000, 100);
    const elapsed = (Date.now() - startedAt) / 1000;
    // Anything counted twice, or late, would show by now.
    await new Promise((r) => setTimeout(r, 500));
    const after = await workerMetrics();

    const attempts = (kind: string, outcome: string) => grew(workerBefore, after, 'dispatch_attempts_total', { kind, outcome });
    expect(attempts('workspace_webhook', 'success')).toBe(1);
    expect(attempts('workspace_webhook', 'gone')).toBe(1);
    expect(attempts('link_webhook', 'http_error')).toBe(1);
    expect(attempts('link_webhook', 'success')).toBe(1);
    expect(attempts('outbound_webhook', 'timeout')).toBe(1);
    expect(attempts('outbound_webhook', 'success')).toBe(1);
    expect(grew(workerBefore, after, 'dispatch_attempts_total')).toBe(6);

    const ended = (kind: string, status: string) => grew(workerBefore, after, 'dispatch_deliveries_finished_total', { kind, status });
    expect(ended('workspace_webhook', 'succeeded')).toBe(1);
    expect(ended('workspace_webhook', 'failed')).toBe(1);
    expect(ended('link_webhook', 'succeeded')).toBe(1);
    expect(ended('outbound_webhook', 'succeeded')).toBe(1);
    expect(finished(after)).toBe(4);

    // Six attempts timed; the one that timed out alone took the whole timeout.
    expect(grew(workerBefore, after, 'dispatch_attempt_duration_seconds_count')).toBe(6);
    const attemptSeconds = grew(workerBefore, after, 'dispatch_attempt_duration_seconds_sum');
    expect(attemptSeconds).toBeGreaterThanOrEqual((TIMEOUT_MS - 50) / 1000);
    expect(attemptSeconds).toBeLessThan(elapsed);
    expect(grew(workerBefore, after, 'dispatch_attempt_duration_seconds_bucket', { le: '0.5' })).toBe(5);

    // Three deliveries succeeded: three latencies, the one behind a timeout and a retry the longest.
    expect(grew(workerBefore, after, 'dispatch_delivery_latency_seconds_count')).toBe(3);
    const latencySeconds = grew(workerBefore, after, 'dispatch_delivery_latency_seconds_sum');
    expect(latencySeconds).toBeGreaterThanOrEqual((TIMEOUT_MS + 200) / 1000);
    expect(latencySeconds).toBeLessThanOrEqual(3 * elapsed + 0.1);
    expect(grew(workerBefore, after, 'dispatch_delivery_latency_seconds_bucket', { le: '1' })).toBe(2);

    // The API counted the four events it accepted.
    expect(grew(apiBefore, await apiMetrics(), 'dispatch_events_accepted_total', { type: 'lead.created' })).toBe(4);
  });

  it('counts a test delivery as an attempt but not in the delivery latency (only scheduled attempts are)', async () => {
    const ws = await h.newWorkspace();
    const hook = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'probe', url: receiver.url('/probe'), triggers: ['lead.created'] }).expect(201);
    const before = await workerMetrics();
    const tested = await h.api.post(`/api/webhooks-manage/${hook.body.id}/test`).set(ws.auth).send({});
    expect(tested.status).toBe(200);
    const after = await eventually(async () => {
      const s = await workerMetrics();
      return grew(before, s, 'dispatch_deliveries_finished_total') >= 1 ? s : undefined;
    });
    expect(grew(before, after, 'dispatch_attempts_total', { kind: 'workspace_webhook', outcome: 'success' })).toBe(1);
    expect(grew(before, after, 'dispatch_deliveries_finished_total', { kind: 'workspace_webhook', status: 'succeeded' })).toBe(1);
    expect(grew(before, after, 'dispatch_delivery_latency_seconds_count')).toBe(0);
  });

  it('serves the scrape-time gauges and Node default metrics too, with no id in any label', async () => {
    const s = await workerMetrics();
    for (const family of ['dispatch_queue_jobs', 'dispatch_endpoints', 'dispatch_oldest_due_delivery_age_seconds', 'process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes']) {
      expect(s.families()).toContain(family);
    }
    expect(s.matching('dispatch_queue_jobs', { queue: 'deliveries' })).toHaveLength(5);
    // Every delivery above is finished: nothing is due. Scrapes within a second share one snapshot,
    // which may have been read while the test delivery above was still pending, so a later one decides.
    const settled = await eventually(async () => {
      const fresh = await workerMetrics();
      return fresh.sum('dispatch_oldest_due_delivery_age_seconds') === 0 ? fresh : undefined;
    }, 3_000, 250);
    expect(settled.sum('dispatch_oldest_due_delivery_age_seconds')).toBe(0);
    expect(s.text).not.toMatch(/(wh|lwh|obw|dlv|evt|ws)_[0-9A-Z]{26}/);
  });
});

describe('worker /metrics with DISPATCH_METRICS_TOKEN', () => {
  const token = 'worker-metrics-token-0123456789';
  let guarded: Harness;
  beforeAll(async () => {
    guarded = await startHarness({ env: { DISPATCH_METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it('answers 401 without the bearer token, and the metrics with it', async () => {
    const url = `http://127.0.0.1:${guarded.worker!.healthPort}/metrics`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: [] } });
    expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token-0123456789' } })).status).toBe(401);
    const scrape = await scrapeUrl(url, { authorization: `Bearer ${token}` });
    expect(scrape.has('dispatch_attempt_duration_seconds_count')).toBe(true);
    // Health checks stay open to the orchestrator.
    expect((await fetch(`http://127.0.0.1:${guarded.worker!.healthPort}/healthz`)).status).toBe(200);
  });
});
