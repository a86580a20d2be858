import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { startHarness, type Harness } from '../../../test-support/harness.js';
import { deliveredOnce, deliveryOutcome, Ledger } from '../../../test-support/ledger.js';
import { createPrivateDatabase, type PrivateDatabase } from '../../../test-support/private-database.js';
import { PrivateRedis } from '../../../test-support/private-redis.js';
import { Receiver } from '../../../test-support/receiver.js';

// Redis loss: Postgres is the record and Redis only the schedule. With deliveries in flight the
// scheduler's Redis (a private redis-server, never the shared one) is flushed, or killed -9 and
// started again empty; every accepted event still reaches every subscribed endpoint, nothing stays
// pending, and a message sent twice carries the same webhook-id both times.

const EVENTS = 200;
const BATCH = 100;
const RECEIVER_LATENCY_MS = 30;

let database: PrivateDatabase;
let redis: PrivateRedis;
let receiver: Receiver;
let ledger: Ledger;
const harnesses: Harness[] = [];

beforeAll(async () => {
  database = await createPrivateDatabase();
  redis = await PrivateRedis.start();
  receiver = await new Receiver().start();
  ledger = new Ledger(database.url);
});

/** Closes the harnesses still open (each case closes its own, so no worker outlives its case). */
async function closeHarnesses() {
  for (const h of harnesses.splice(0)) await h.close().catch(() => {});
}

afterAll(async () => {
  try {
    await closeHarnesses();
  } finally {
    await redis?.stop();
    await receiver?.close();
    await ledger?.close();
    await database?.drop();
  }
});

async function setUp(name: string) {
  const h = await startHarness({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      DISPATCH_WORKER_CONCURRENCY: '8',
      DISPATCH_RETRY_SCHEDULE: '300ms,300ms,300ms',
      DISPATCH_RECONCILE_INTERVAL: '1s',
      DISPATCH_RECONCILE_GRACE: '1s',
    },
  });
  harnesses.push(h);
  const ws = await h.newWorkspace();
  const paths = [`/${name}-a`, `/${name}-b`];
  for (const path of paths) {
    receiver.script(path, [{ status: 200, delayMs: RECEIVER_LATENCY_MS }]);
    await createWebhook(h, ws, { url: receiver.url(path) });
  }
  const eventIds: string[] = [];
  const emit = async (count: number) => {
    for (let sent = 0; sent < count; sent += BATCH) {
      const events = Array.from({ length: Math.min(BATCH, count - sent) }, () => ({ type: 'lead.created', data: example('lead.created') }));
      const res = await h.api.post('/api/events/batch').set(ws.auth).send({ events });
      expect(res.status).toBe(202);
      eventIds.push(...res.body.data.map((e: { id: string }) => e.id));
    }
  };
  const seen = () => receiver.requests.filter((r) => paths.includes(r.path)).length;
  return { h, ws, paths, eventIds, emit, seen };
}

/** Everything accepted is delivered to both endpoints, nothing is pending, every attempt counted once. */
async function expectAllDelivered(run: Awaited<ReturnType<typeof setUp>>, label: string, faultAt: number) {
  const { ws, paths, eventIds } = run;
  expect(await ledger.settle(ws.id, 45_000)).toBe(0);
  const recoveredMs = Date.now() - faultAt;
  const outcome = await deliveryOutcome(ledger, ws.id, receiver, eventIds, paths);
  expect(outcome).toMatchObject(deliveredOnce(eventIds.length * paths.length));
  expect((await ledger.eventIds(ws.id)).sort()).toEqual([...eventIds].sort());
  process.stderr.write(
    `[faults] ${label}: ${outcome.deliveries} deliveries, ${outcome.duplicates} duplicate request(s) (same webhook-id), all delivered ${recoveredMs} ms after the fault\n`,
  );
}

// The reconcile scheduler itself lives in Redis, so a flush or an empty restart deletes it; every
// worker re-asserts it each DISPATCH_RECONCILE_INTERVAL (apps/worker/src/runtime.ts), and the
// reconciler then re-adds the job of every delivery that Postgres says is still due.
describe('Redis loss', () => {
  afterEach(closeHarnesses);

  it('FLUSHALL with deliveries in flight: every event still reaches every endpoint', async () => {
    const run = await setUp('flush');
    await run.emit(EVENTS);
    await receiver.waitFor(() => run.seen() >= 60, 20_000);
    const faultAt = Date.now();
    await redis.flushAll();
    // Accepted after the flush too, while the schedule is empty.
    await run.emit(20);
    expect(run.seen()).toBeLessThan(EVENTS * 2);
    await expectAllDelivered(run, 'redis FLUSHALL', faultAt);
  }, 90_000);

  it('kill -9 of redis-server and a restart empty: the worker reconnects and everything is delivered', async () => {
    const run = await setUp('restart');
    await run.emit(EVENTS);
    await receiver.waitFor(() => run.seen() >= 60, 20_000);
    const faultAt = Date.now();
    await redis.kill();
    // Events accepted while Redis is gone: the API answers 202 (Postgres holds them) without queueing.
    await run.emit(20);
    await new Promise((r) => setTimeout(r, 1_000));
    await redis.launch();
    expect(run.seen()).toBeLessThan(EVENTS * 2);
    await expectAllDelivered(run, 'redis kill -9 + empty restart', faultAt);
  }, 90_000);
});
