import { afterEach, beforeAll, afterAll, describe, expect, it } from '@jest/globals';
import { deliveryShardOf } from '@dispatch/queue';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { deliveredOnce, deliveryOutcome, Ledger } from '../../../test-support/ledger.js';
import { Scrape } from '../../../test-support/metrics-text.js';
import { Receiver } from '../../../test-support/receiver.js';

// DISPATCH_QUEUE_SHARDS changed between restarts, on the run's Redis Cluster: deliveries queued
// under one number of shards are all delivered by workers started with another. Growing, the first
// queue keeps being read; shrinking, jobs left in queues no worker reads are overdue, and the
// reconciler queues them under the current shard.

const EVENTS = 20;
let receiver: Receiver;
const harnesses: Harness[] = [];

beforeAll(async () => {
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await receiver.close();
});
afterEach(async () => {
  // The first one made the database: it closes last.
  for (const h of harnesses.splice(0).reverse()) await h.close();
});

/** An API (no worker) with `shards` delivery queues; the second one shares the first's database and queues. */
async function api(shards: number): Promise<Harness> {
  const [first] = harnesses;
  const env: Record<string, string> = { DISPATCH_QUEUE_SHARDS: String(shards) };
  if (first) Object.assign(env, { DATABASE_URL: first.env.DATABASE_URL!, DISPATCH_QUEUE_PREFIX: first.prefix });
  const h = await startHarness({ worker: false, env });
  harnesses.push(h);
  return h;
}

/** Webhooks until every one of three shards holds at least one endpoint. */
async function endpointsOnEveryShard(h: Harness, ws: TestWorkspace, name: string): Promise<string[]> {
  const paths: string[] = [];
  const shards = new Set<number>();
  while (shards.size < 3) {
    const path = `/${name}-${paths.length}`;
    const webhook = await createWebhook(h, ws, { url: receiver.url(path) });
    shards.add(deliveryShardOf(webhook.id, 3));
    paths.push(path);
  }
  return paths;
}

async function emit(h: Harness, ws: TestWorkspace): Promise<string[]> {
  const events = Array.from({ length: EVENTS }, () => ({ type: 'lead.created', data: example('lead.created') }));
  const res = await h.api.post('/api/events/batch').set(ws.auth).send({ events });
  expect(res.status).toBe(202);
  return res.body.data.map((e: { id: string }) => e.id);
}

const waiting = (h: Harness) => Promise.all(h.deps.queues.deliveryShards.map((queue) => queue.getWaitingCount()));

async function expectAllDelivered(h: Harness, ws: TestWorkspace, eventIds: string[], paths: string[], label: string) {
  const ledger = new Ledger(h.env.DATABASE_URL!);
  try {
    expect(await ledger.settle(ws.id, 30_000)).toBe(0);
    const outcome = await deliveryOutcome(ledger, ws.id, receiver, eventIds, paths);
    expect(outcome).toMatchObject(deliveredOnce(eventIds.length * paths.length));
    process.stderr.write(`[shards] ${label}: ${outcome.deliveries} deliveries, ${outcome.duplicates} duplicate request(s) (same webhook-id)\n`);
  } finally {
    await ledger.close();
  }
}

describe('changing DISPATCH_QUEUE_SHARDS loses nothing', () => {
  it('queued with 1 shard, then an API and a worker with 3: everything is delivered', async () => {
    const one = await api(1);
    const three = await api(3);
    const ws = await one.newWorkspace();
    const paths = await endpointsOnEveryShard(one, ws, 'grow');
    const eventIds = await emit(one, ws);
    expect(await waiting(three)).toEqual([EVENTS * paths.length, 0, 0]);
    eventIds.push(...(await emit(three, ws)));
    const [, second, third] = await waiting(three);
    expect(second).toBeGreaterThan(0);
    expect(third).toBeGreaterThan(0);
    await three.startWorker();
    await expectAllDelivered(three, ws, eventIds, paths, '1 shard -> 3');
  }, 60_000);

  it('queued with 3 shards, then a worker with 1: the reconciler moves what it does not read, everything is delivered', async () => {
    const three = await api(3);
    const one = await api(1);
    const ws = await three.newWorkspace();
    const paths = await endpointsOnEveryShard(three, ws, 'shrink');
    const eventIds = await emit(three, ws);
    const [first, second, third] = await waiting(three);
    expect(second).toBeGreaterThan(0);
    expect(third).toBeGreaterThan(0);
    // The queue gauge labels each shard (without its hash-tag braces).
    const metrics = new Scrape((await three.api.get('/metrics').expect(200)).text);
    const gauge = (queue: string) => metrics.sum('dispatch_queue_jobs', { queue, state: 'waiting' });
    expect([gauge('deliveries'), gauge('deliveries-1'), gauge('deliveries-2')]).toEqual([first, second, third]);
    await one.startWorker();
    await expectAllDelivered(one, ws, eventIds, paths, '3 shards -> 1');
    // The stranded jobs are still there: the deliveries went through the reconciler, not through them.
    expect((await waiting(three)).slice(1)).toEqual([second, third]);
  }, 60_000);
});
