import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { createWebhook, example, expectError } from '../../../test-support/api-helpers.js';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Ledger, miscounted, receipts } from '../../../test-support/ledger.js';
import { createPrivateDatabase, type PrivateDatabase } from '../../../test-support/private-database.js';
import { Receiver } from '../../../test-support/receiver.js';
import { TcpProxy, throughProxy } from '../../../test-support/tcp-proxy.js';

// Postgres outage: the API and the worker reach Postgres only through a TCP proxy, which is cut
// (every connection reset, new ones refused) and then restored. While it is cut the API answers 503
// `service_unavailable` in the contract's error shape to writes (never a 500, never a 202 for an event
// that is not stored), and the worker makes no attempt it cannot record, so no attempt is burnt.
// Once Postgres is back, every event accepted before, around and after the outage is delivered.

const OUTAGE_MS = 4_000;
const EVENTS_BEFORE = 200;
const STEADY = '/pg-steady';
const FLAKY = '/pg-flaky';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const within = (promise: Promise<unknown> | undefined, ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    void Promise.resolve(promise).finally(() => (clearTimeout(timer), resolve()));
  });

let database: PrivateDatabase;
let proxy: TcpProxy;
let h: Harness;
let ws: TestWorkspace;
let receiver: Receiver;
let ledger: Ledger;
/** Requests keep streaming in while this is true (afterAll ends it too, should the test fail midway). */
let streaming = false;

beforeAll(async () => {
  database = await createPrivateDatabase();
  ledger = new Ledger(database.url);
  const target = new URL(database.url);
  proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
  receiver = await new Receiver().start();
  h = await startHarness({
    env: {
      DATABASE_URL: throughProxy(database.url, proxy),
      DISPATCH_RETRY_SCHEDULE: '2s,2s,2s',
      DISPATCH_REQUEST_TIMEOUT: '2s',
      DISPATCH_WORKER_CONCURRENCY: '5',
      DISPATCH_RECONCILE_INTERVAL: '1s',
      DISPATCH_RECONCILE_GRACE: '1s',
    },
  });
  ws = await h.newWorkspace();
});

afterAll(async () => {
  streaming = false;
  try {
    proxy?.restore();
    // Bounded: with a pg client lost mid-transaction (see below) the pool may never drain.
    await within(h?.close(), 15_000);
  } finally {
    await proxy?.close();
    await receiver?.close();
    await ledger?.close();
    await database?.drop();
  }
}, 60_000);

const leadCreated = () => ({ type: 'lead.created', data: example('lead.created') });

/** Every answer is a 2xx or the contract's 503; returns the 503s. */
function expectAcceptedOrUnavailable(responses: Response[], accepted: number): Response[] {
  const unexpected = responses.filter((r) => r.status !== accepted && r.status !== 503).map((r) => ({ status: r.status, body: r.body }));
  expect(unexpected).toEqual([]);
  const unavailable = responses.filter((r) => r.status === 503);
  for (const res of unavailable) {
    expectError(res, 503, 'service_unavailable');
    expect(res.headers['retry-after']).toBeDefined();
  }
  return unavailable;
}

// A pg client checked out of the pool (every drizzle transaction) whose connection is reset emits
// 'error' on itself; packages/db/src/client.ts listens for it, or the API and worker would die here.
describe('Postgres outage', () => {
  it('API answers 503 to writes, the worker burns no attempt, and everything accepted is delivered after', async () => {
    receiver.script(STEADY, [{ status: 200, delayMs: 100 }]);
    receiver.script(FLAKY, [{ status: 500 }, { status: 200 }]);
    const steady = await createWebhook(h, ws, { url: receiver.url(STEADY), triggers: ['lead.created'] });
    await createWebhook(h, ws, { url: receiver.url(FLAKY), triggers: ['sale.created'] });

    const flaky = await h.api.post('/api/events').set(ws.auth).send({ type: 'sale.created', data: example('sale.created') });
    expect(flaky.status).toBe(202);
    const batch = await h.api.post('/api/events/batch').set(ws.auth).send({ events: Array.from({ length: EVENTS_BEFORE }, leadCreated) });
    expect(batch.status).toBe(202);
    // The flaky endpoint's first attempt (a 500) is recorded; its retry falls due during the outage.
    await eventually(async () => (await ledger.deliveries(ws.id)).some((d) => d.eventId === flaky.body.id && d.attemptCount === 1));
    await receiver.waitFor(() => receiver.on(STEADY).length >= 20);

    // Events keep coming in while Postgres goes away and comes back.
    const streamed: Response[] = [];
    streaming = true;
    const stream = async () => {
      while (streaming) {
        streamed.push(await h.api.post('/api/events').set(ws.auth).send(leadCreated()));
        await sleep(25);
      }
    };
    const streams = [stream(), stream()];
    await sleep(300);

    proxy.cut();
    const cutAt = Date.now();
    await sleep(300);
    const atCut = new Map((await ledger.deliveries(ws.id)).map((d) => [d.id, d.attemptCount]));
    const pendingAtCut = (await ledger.deliveries(ws.id)).filter((d) => d.status === 'pending').length;

    // Writes (and a read) during the outage: the contract's 503, nothing else.
    const during = await Promise.all([
      h.api.post('/api/events').set(ws.auth).send(leadCreated()),
      h.api.post('/api/events').set(ws.auth).set('Idempotency-Key', 'outage-1').send(leadCreated()),
      h.api.post('/api/events/batch').set(ws.auth).send({ events: [leadCreated(), leadCreated()] }),
      h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'x', url: receiver.url('/x'), triggers: ['lead.created'] }),
      h.api.patch(`/api/webhooks-manage/${steady.id}`).set(ws.auth).send({ name: 'renamed' }),
      h.api.post('/api/links').set(ws.auth).send({ url: 'https://example.com/l' }),
      h.api.post(`/api/webhooks-manage/${steady.id}/test`).set(ws.auth).send({}),
      h.api.get(`/api/events/${flaky.body.id}`).set(ws.auth),
    ]);
    expect(during.map((r) => r.status)).toEqual(during.map(() => 503));
    expectAcceptedOrUnavailable(during, 202);

    await sleep(OUTAGE_MS - (Date.now() - cutAt));
    // No attempt was recorded (or burnt) while Postgres was away.
    const atRestore = await ledger.deliveries(ws.id);
    expect(atRestore.filter((d) => atCut.has(d.id) && d.attemptCount !== atCut.get(d.id))).toEqual([]);
    proxy.restore();
    const restoredAt = Date.now();
    await sleep(1_500);
    streaming = false;
    await Promise.all(streams);

    const streamed503 = expectAcceptedOrUnavailable(streamed, 202);
    const streamedIds = streamed.filter((r) => r.status === 202).map((r) => r.body.id as string);
    expect(streamed503.length).toBeGreaterThan(0);
    expect(streamedIds.length).toBeGreaterThan(0);

    // Every 202 is in Postgres, and everything in Postgres is delivered.
    const acceptedIds = [...batch.body.data.map((e: { id: string }) => e.id), ...streamedIds];
    expect(await ledger.settle(ws.id, 45_000)).toBe(0);
    const resumedMs = Date.now() - restoredAt;
    expect(await ledger.eventIds(ws.id)).toEqual(expect.arrayContaining([...acceptedIds, flaky.body.id]));
    const rows = await ledger.deliveries(ws.id);
    expect(rows.filter((r) => r.status !== 'succeeded')).toEqual([]);
    expect(miscounted(rows)).toEqual([]);
    // The flaky delivery made exactly its two real attempts (500, then 200); every other one, one.
    expect(rows.find((r) => r.eventId === flaky.body.id)?.attemptCount).toBe(2);
    // Its retry fell due during the outage and waited for Postgres instead of being burnt.
    expect(receiver.on(FLAKY).map((r) => r.receivedAt >= restoredAt)).toEqual([false, true]);
    expect(rows.filter((r) => r.eventId !== flaky.body.id && r.attemptCount !== 1)).toEqual([]);
    const report = receipts(receiver, acceptedIds, [STEADY]);
    expect(report.missing).toEqual([]);
    expect(report.mismatchedIds).toBe(0);
    process.stderr.write(
      `[faults] postgres outage ${OUTAGE_MS} ms: ${pendingAtCut} deliveries pending at the cut, ${streamed.length} streamed requests ` +
        `(${streamedIds.length} x 202, ${streamed503.length} x 503), ${proxy.refused} connections refused, ` +
        `${report.duplicates} duplicate request(s) (same webhook-id), all delivered ${resumedMs} ms after restore\n`,
    );
  }, 90_000);
});
