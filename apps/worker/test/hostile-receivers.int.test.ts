import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHttpClient } from '../src/delivery/http-client.js';
import { COUNTED_BODY_LIMIT, sendWebhook, STORED_BODY_LIMIT, type SendResult } from '../src/delivery/send.js';
import { example } from '../../../test-support/api-helpers.js';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import {
  garbage,
  gzipBomb,
  headerFlood,
  HostileServer,
  hugeBody,
  measurePeakMemory,
  reset,
  silent,
  trickle,
  type Behaviour,
} from '../../../test-support/hostile-servers.js';
import { Receiver } from '../../../test-support/receiver.js';

// Receivers that try to hurt the sender: 100 MB bodies, a body that trickles, silence, bytes that
// are not HTTP, a reset. Each attempt ends within the request timeout with the right `error`, reads
// a bounded amount, keeps the worker's memory flat, and leaves the worker free for the next delivery.

const MB = 1024 * 1024;
const HUNDRED_MB = 100 * MB;
const TIMEOUT_MS = 1500;
// Memory growth allowed while a hostile body is being refused; the body itself is 100 MB.
const MEMORY_BUDGET = 50 * MB;

const servers: HostileServer[] = [];
let healthy: Receiver;
const client = createHttpClient({ timeoutMs: TIMEOUT_MS, allowPrivateDestinations: true });

beforeAll(async () => {
  healthy = await new Receiver().start();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await healthy.close();
});

async function serve(behaviour: Behaviour): Promise<HostileServer> {
  const server = await new HostileServer(behaviour).start();
  servers.push(server);
  return server;
}

async function timedSend(url: string): Promise<{ result: SendResult; ms: number }> {
  const startedAt = performance.now();
  const result = await sendWebhook(client, { url, body: '{"id":"evt_hostile"}', headers: { 'content-type': 'application/json' }, allowPrivateDestinations: true });
  return { result, ms: performance.now() - startedAt };
}

describe('sendWebhook against hostile receivers', () => {
  it('stops reading a 100 MB body with a content-length after 32 KiB, closes the socket, and stays within memory', async () => {
    const server = await serve(hugeBody(HUNDRED_MB, 'content-length'));
    const { result: sent, peak } = await measurePeakMemory(() => timedSend(server.url));
    const { result, ms } = sent;
    expect(result).toMatchObject({ statusCode: 200, error: null, responseBodyTruncated: true, responseBodySize: HUNDRED_MB });
    expect(result.responseBody).toHaveLength(STORED_BODY_LIMIT);
    expect(ms).toBeLessThan(TIMEOUT_MS);
    // We hung up instead of draining it: the server could not push more than the socket buffers hold.
    await eventually(async () => server.stats.closedByClient === 1, 2000);
    expect(server.stats.bodyBytesSent).toBeLessThan(32 * MB);
    process.stderr.write(`[faults] hostile 100 MB body: peak RSS growth ${(peak.rss / MB).toFixed(1)} MiB, heap ${(peak.heapUsed / MB).toFixed(1)} MiB\n`);
    expect(peak.rss).toBeLessThan(MEMORY_BUDGET);
    expect(peak.arrayBuffers).toBeLessThan(16 * MB);
    expect(peak.heapUsed).toBeLessThan(MEMORY_BUDGET);
  });

  it('counts a chunked 100 MB body of unknown length only up to the 1 MiB read cap', async () => {
    const server = await serve(hugeBody(HUNDRED_MB, 'chunked'));
    const { result: sent, peak } = await measurePeakMemory(() => timedSend(server.url));
    const { result, ms } = sent;
    expect(result).toMatchObject({ statusCode: 200, error: null, responseBodyTruncated: true });
    expect(result.responseBody).toHaveLength(STORED_BODY_LIMIT);
    // The size is what was counted before we stopped: the cap, rounded up to the chunk it fell in.
    expect(result.responseBodySize).toBeGreaterThanOrEqual(COUNTED_BODY_LIMIT);
    expect(result.responseBodySize).toBeLessThan(COUNTED_BODY_LIMIT + 128 * 1024);
    expect(ms).toBeLessThan(TIMEOUT_MS);
    await eventually(async () => server.stats.closedByClient === 1, 2000);
    expect(peak.rss).toBeLessThan(MEMORY_BUDGET);
    expect(peak.arrayBuffers).toBeLessThan(16 * MB);
  });

  it('decodes a gzip bomb only up to the read cap', async () => {
    const server = await serve(gzipBomb(100));
    const { result: sent, peak } = await measurePeakMemory(() => timedSend(server.url));
    expect(sent.result).toMatchObject({ statusCode: 200, error: null, responseBodyTruncated: true });
    expect(sent.result.responseBody).toHaveLength(STORED_BODY_LIMIT);
    expect(sent.result.responseBodySize).toBeGreaterThanOrEqual(COUNTED_BODY_LIMIT);
    expect(sent.result.responseBodySize).toBeLessThan(2 * COUNTED_BODY_LIMIT);
    expect(peak.rss).toBeLessThan(MEMORY_BUDGET);
  });

  it('ends a body that trickles after the headers at the request timeout, the status being the outcome', async () => {
    const server = await serve(trickle(200));
    const { result, ms } = await timedSend(server.url);
    // `error` stays null on an HTTP answer; the cut-off body is stored as far as it came, marked truncated.
    expect(result).toMatchObject({ statusCode: 200, error: null, responseBodyTruncated: true });
    expect(result.responseBody).toMatch(/^\.{3,}$/);
    expect(result.responseBodySize).toBe(result.responseBody!.length);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
    await eventually(async () => server.stats.closedByClient === 1, 2000);
  });

  it('times out on a receiver that accepts the connection and never answers', async () => {
    const server = await serve(silent);
    const { result, ms } = await timedSend(server.url);
    expect(result).toMatchObject({ statusCode: null, error: 'timeout', responseBody: null, responseBodySize: null });
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
    await eventually(async () => server.stats.closedByClient === 1, 2000);
  });

  it.each([
    ['answers with bytes that are not HTTP', garbage],
    ['resets the connection', reset],
    ['sends more header bytes than any client accepts', headerFlood(100_000)],
  ])('records network_error at once for a receiver that %s', async (_name, behaviour) => {
    const server = await serve(behaviour);
    const { result, ms } = await timedSend(server.url);
    expect(result).toMatchObject({ statusCode: null, error: 'network_error', responseBody: null });
    expect(ms).toBeLessThan(TIMEOUT_MS);
    expect(server.stats.requests).toBe(1);
  });

  it('moves on: after all of them the same client delivers to a healthy receiver', async () => {
    const { result } = await timedSend(healthy.url('/after-hostile'));
    expect(result).toMatchObject({ statusCode: 200, error: null, responseBody: 'ok', responseBodyTruncated: false, responseBodySize: 2 });
  });
});

describe('through the worker (1 s timeout, one retry after 100 ms)', () => {
  let h: Harness;
  let ws: TestWorkspace;
  beforeAll(async () => {
    h = await startHarness({ env: { DISPATCH_REQUEST_TIMEOUT: '1s', DISPATCH_RETRY_SCHEDULE: '100ms' } });
    ws = await h.newWorkspace();
  });
  afterAll(async () => {
    await h.close();
  });

  const createHook = async (url: string) => {
    const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'hostile', url, triggers: ['lead.created'] });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const settled = (webhookId: string) =>
    eventually(async () => {
      const list = await h.api.get(`/api/webhooks-manage/${webhookId}/deliveries`).set(ws.auth);
      const delivery = list.body.data[0];
      if (!delivery || delivery.status === 'pending' || delivery.status === 'failing') return undefined;
      return (await h.api.get(`/api/webhooks-manage/${webhookId}/deliveries/${delivery.id}`).set(ws.auth)).body;
    });
  const emit = async () => expect((await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') })).status).toBe(202);

  it('records each hostile answer with the right error and bounded body, and keeps delivering to the healthy endpoint', async () => {
    const huge = await createHook((await serve(hugeBody(HUNDRED_MB, 'content-length'))).url);
    const mute = await createHook((await serve(silent)).url);
    const broken = await createHook((await serve(garbage)).url);
    const good = await createHook(healthy.url('/e2e-healthy'));

    const { result: deliveries, peak } = await measurePeakMemory(async () => {
      await emit();
      return Promise.all([huge, mute, broken, good].map(settled));
    });
    const [hugeDelivery, muteDelivery, brokenDelivery, goodDelivery] = deliveries;

    expect(hugeDelivery).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    expect(hugeDelivery.attempts[0]).toMatchObject({ statusCode: 200, error: null, responseBodyTruncated: true, responseBodySize: HUNDRED_MB });
    expect(hugeDelivery.attempts[0].responseBody).toHaveLength(STORED_BODY_LIMIT);

    expect(muteDelivery).toMatchObject({ status: 'failed', attemptCount: 2, lastAttempt: { statusCode: null, error: 'timeout' } });
    for (const attempt of muteDelivery.attempts) {
      expect(attempt).toMatchObject({ error: 'timeout', statusCode: null });
      expect(attempt.responseTimeMs).toBeGreaterThanOrEqual(950);
      expect(attempt.responseTimeMs).toBeLessThan(2000);
    }

    expect(brokenDelivery).toMatchObject({ status: 'failed', attemptCount: 2, lastAttempt: { statusCode: null, error: 'network_error' } });
    expect(goodDelivery).toMatchObject({ status: 'succeeded', attemptCount: 1, lastAttempt: { statusCode: 200, error: null } });
    expect(peak.rss).toBeLessThan(MEMORY_BUDGET);

    // The worker is not stuck behind them: the next event reaches the healthy endpoint too.
    await emit();
    await healthy.waitFor(() => healthy.on('/e2e-healthy').length === 2, 5000);
  });
});
