import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Response } from 'supertest';
import type { ApiTuning } from '@dispatch/api/testing';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Ledger, miscounted, receipts } from '../../../test-support/ledger.js';
import { createPrivateDatabase, type PrivateDatabase } from '../../../test-support/private-database.js';
import { PrivateRedis } from '../../../test-support/private-redis.js';
import { Receiver } from '../../../test-support/receiver.js';

// A Redis stall: the scheduler's Redis (a private redis-server, never the shared one) stops answering
// every client for 5 s (CLIENT PAUSE ... ALL) while single events stream in. Its connections stay up,
// so every command sent meanwhile just waits. Answers depend on Postgres alone: each request still
// gets its 202 quickly (the jobs are handed to Redis in the background), the manual actions too, and
// everything accepted is delivered afterwards. And the API does not pile up work for the stalled
// Redis: at most a bounded number of jobs in flight, one rate-limit sync at a time.

const PAUSE_MS = 5_000;
const STREAMS = 4;

let database: PrivateDatabase;
let redis: PrivateRedis;
let receiver: Receiver;
let ledger: Ledger;
let h: Harness;
let ws: TestWorkspace;

beforeAll(async () => {
  database = await createPrivateDatabase();
  redis = await PrivateRedis.start();
  receiver = await new Receiver().start();
  ledger = new Ledger(database.url);
});

afterEach(async () => {
  await h?.close();
});

afterAll(async () => {
  await redis?.stop();
  await receiver?.close();
  await ledger?.close();
  await database?.drop();
});

async function setUp(path: string, apiTuning?: ApiTuning) {
  h = await startHarness({ env: { DATABASE_URL: database.url, REDIS_URL: redis.url, DISPATCH_WORKER_CONCURRENCY: '8' }, apiTuning });
  ws = await h.newWorkspace();
  receiver.script(path, [{ status: 200 }]);
  return createWebhook(h, ws, { url: receiver.url(path) });
}

/** Pauses every client of the private Redis; resolves once Redis took the command. */
async function pauseRedis(ms: number): Promise<number> {
  const client = new Redis(redis.url);
  try {
    await client.call('CLIENT', 'PAUSE', String(ms), 'ALL');
    return Date.now();
  } finally {
    client.disconnect();
  }
}

async function commandCalls(command: string): Promise<number> {
  const client = new Redis(redis.url);
  try {
    const stats = (await client.info('commandstats')).match(new RegExp(`cmdstat_${command}:calls=(\\d+)`));
    return Number(stats?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
}

interface Timed {
  sentAt: number;
  ms: number;
  res: Response;
}

/** Single events from `STREAMS` clients, one after the other each, until `until` says stop. */
async function stream(until: () => boolean): Promise<Timed[]> {
  const timed: Timed[] = [];
  await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      while (!until()) {
        const sentAt = Date.now();
        const res = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
        timed.push({ sentAt, ms: Date.now() - sentAt, res });
        await new Promise((r) => setTimeout(r, 10));
      }
    }),
  );
  return timed;
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis stalled for 5 s (CLIENT PAUSE ALL)', () => {
  it('answers 202 within 250 ms at p99, manual actions too, and delivers everything afterwards', async () => {
    const PATH = '/pause';
    const webhook = await setUp(PATH);
    // A delivery to redeliver during the pause, and one to replay.
    const toRedeliver = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
    const toReplay = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
    await receiver.waitFor(() => receiver.on(PATH).length === 2);
    const delivered = (await ledger.deliveries(ws.id)).find((d) => d.eventId === toRedeliver.body.id)!;
    const replayWindow = { since: toReplay.body.createdAt as string, until: toReplay.body.createdAt as string, status: 'all' };

    let stop = false;
    const streamed = stream(() => stop);
    await sleep(1_000);
    const incrbyBefore = await commandCalls('incrby');
    const pausedAt = await pauseRedis(PAUSE_MS);
    await sleep(500);
    const actions = await Promise.all(
      [
        () => h.api.post(`/api/webhooks-manage/${webhook.id}/redeliver/${delivered.id}`).set(ws.auth),
        () => h.api.post(`/api/webhooks-manage/${webhook.id}/replay`).set(ws.auth).send(replayWindow),
      ].map(async (send) => {
        const startedAt = Date.now();
        const res = await send();
        return { status: res.status, ms: Date.now() - startedAt, body: res.body as Record<string, unknown> };
      }),
    );
    await sleep(pausedAt + PAUSE_MS - Date.now());
    // What the rate limiter sent while Redis was paused is answered now, all at once.
    await sleep(300);
    const incrbyDuring = (await commandCalls('incrby')) - incrbyBefore;
    await sleep(700);
    stop = true;
    const timed = await streamed;

    expect(timed.filter((t) => t.res.status !== 202).map((t) => ({ status: t.res.status, body: t.res.body }))).toEqual([]);
    const during = timed.filter((t) => t.sentAt >= pausedAt && t.sentAt < pausedAt + PAUSE_MS).map((t) => t.ms);
    expect(p99(during)).toBeLessThan(250);
    expect(during.length).toBeGreaterThan(60);
    expect(actions.map((a) => a.status)).toEqual([202, 202]);
    for (const action of actions) expect(action.ms).toBeLessThan(250);
    // One rate-limit sync at a time, not one every 20 ms piling up behind the pause (~250).
    expect(incrbyDuring).toBeLessThan(40);

    // Everything accepted is delivered afterwards, each attempt counted once; the redelivery and the
    // replay each made one more attempt of their delivery.
    const accepted = [toRedeliver.body.id as string, toReplay.body.id as string, ...timed.map((t) => t.res.body.id as string)];
    expect(await ledger.settle(ws.id, 30_000)).toBe(0);
    const rows = await ledger.deliveries(ws.id);
    expect(rows).toHaveLength(accepted.length);
    expect(rows.filter((r) => r.status !== 'succeeded')).toEqual([]);
    expect(miscounted(rows)).toEqual([]);
    const twice = rows.filter((r) => r.attemptCount === 2).map((r) => r.eventId);
    expect(twice.sort()).toEqual([toRedeliver.body.id, toReplay.body.id].sort());
    const report = receipts(receiver, accepted, [PATH]);
    expect(report.missing).toEqual([]);
    process.stderr.write(
      `[faults] redis CLIENT PAUSE ${PAUSE_MS} ms: ${during.length} events sent during it, 202 p99 ${p99(during)} ms (max ${Math.max(...during)}), ` +
        `redeliver ${actions[0]!.ms} ms, replay ${actions[1]!.ms} ms, ${incrbyDuring} rate-limit syncs answered after it, ${accepted.length} delivered\n`,
    );
  }, 60_000);

  it('sends a stalled Redis no more than a bounded number of jobs; the reconciler queues the rest', async () => {
    const PATH = '/pause-bounded';
    const LIMIT = 10;
    await setUp(PATH, { queueHandoff: { answerWaitMs: 100, maxOutstandingJobs: LIMIT } });

    let mostOutstanding = 0;
    const sampler = setInterval(() => (mostOutstanding = Math.max(mostOutstanding, h.deps.queueHandoff.outstandingJobs)), 5);
    const pausedAt = await pauseRedis(2_000);
    const timed = await stream(() => Date.now() > pausedAt + 1_500);
    clearInterval(sampler);

    expect(timed.map((t) => t.res.status).filter((s) => s !== 202)).toEqual([]);
    expect(timed.length).toBeGreaterThan(LIMIT * 2);
    expect(mostOutstanding).toBe(LIMIT);
    // Those never sent to Redis are queued by the reconciler (the harness's grace is 1 s).
    expect(await ledger.settle(ws.id, 30_000)).toBe(0);
    const report = receipts(receiver, timed.map((t) => t.res.body.id as string), [PATH]);
    expect(report.missing).toEqual([]);
  }, 60_000);
});
