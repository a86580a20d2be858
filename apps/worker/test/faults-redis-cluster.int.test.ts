import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deliveryQueueName, deliveryShardOf } from '@dispatch/queue';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { spawnFaultWorker } from '../../../test-support/fixtures.js';
import { startHarness, type Harness } from '../../../test-support/harness.js';
import { deliveredOnce, deliveryOutcome, Ledger } from '../../../test-support/ledger.js';
import { stopAllChildren, waitForWorkers } from '../../../test-support/processes.js';
import { createPrivateDatabase, type PrivateDatabase } from '../../../test-support/private-database.js';
import { Receiver } from '../../../test-support/receiver.js';
import { RedisClusterUnderTest, redisServerAvailable } from '../../../test-support/redis-cluster.js';

// A Redis Cluster master killed (SIGKILL) mid-load, on a cluster of the test's own (3 masters +
// 3 replicas): its replica takes over, and every accepted event still reaches every endpoint, none
// pending, each attempt counted once; a message sent twice carries the same webhook-id. Delivery
// queues are sharded three ways, so the killed master held some shards and not others. The worker
// is a child process: its shutdown after the failover is not what this test judges (see the report
// of issue 19: a BullMQ worker's close may wait for good there), and it must not hold up the run.

const EVENTS = 150;
const BATCH = 50;
const RECEIVER_LATENCY_MS = 30;

const available = redisServerAvailable();
if (!available) process.stderr.write('[faults] Redis Cluster master kill SKIPPED: redis-server/redis-cli not found (apt-get install redis-server)\n');
const describeCluster = available ? describe : describe.skip;

let database: PrivateDatabase;
let cluster: RedisClusterUnderTest;
let receiver: Receiver;
let ledger: Ledger;
let h: Harness | undefined;

beforeAll(async () => {
  if (!available) return;
  database = await createPrivateDatabase();
  cluster = await RedisClusterUnderTest.start();
  receiver = await new Receiver().start();
  ledger = new Ledger(database.url);
}, 60_000);

afterAll(async () => {
  try {
    await stopAllChildren();
    await h?.close();
  } finally {
    await cluster?.stop();
    await receiver?.close();
    await ledger?.close();
    await database?.drop();
  }
}, 60_000);

describeCluster('Redis Cluster master killed', () => {
  it('kill -9 of the master holding a delivery shard mid-load: the replica takes over, nothing is lost', async () => {
    h = await startHarness({ worker: false, env: { DATABASE_URL: database.url, REDIS_URL: cluster.url, DISPATCH_QUEUE_BACKEND: 'redis', DISPATCH_QUEUE_SHARDS: '3' } });
    const worker = spawnFaultWorker(h, { DISPATCH_WORKER_CONCURRENCY: '12', DISPATCH_RECONCILE_GRACE: '1s' });
    await waitForWorkers(h.env, 1, worker);
    const ws = await h.newWorkspace();
    // Endpoints until each of the three shards has one.
    const paths: string[] = [];
    const shards = new Set<number>();
    while (shards.size < 3) {
      const path = `/cluster-${paths.length}`;
      receiver.script(path, [{ status: 200, delayMs: RECEIVER_LATENCY_MS }]);
      shards.add(deliveryShardOf((await createWebhook(h, ws, { url: receiver.url(path) })).id, 3));
      paths.push(path);
    }
    const eventIds: string[] = [];
    const emit = async (count: number) => {
      for (let sent = 0; sent < count; sent += BATCH) {
        const events = Array.from({ length: Math.min(BATCH, count - sent) }, () => ({ type: 'lead.created', data: example('lead.created') }));
        const res = await h!.api.post('/api/events/batch').set(ws.auth).send({ events });
        expect(res.status).toBe(202);
        eventIds.push(...res.body.data.map((e: { id: string }) => e.id));
      }
    };
    const seen = () => receiver.requests.filter((r) => paths.includes(r.path)).length;

    await emit(EVENTS);
    await receiver.waitFor(() => seen() >= 60, 30_000);
    const victim = await cluster.masterOf(deliveryQueueName(0));
    const killedAt = Date.now();
    const receivedAtKill = seen();
    await cluster.kill(victim);
    // Accepted while the master is gone: 202 from Postgres alone; the reconciler queues what Redis refused.
    await emit(BATCH);
    const promoted = await cluster.waitForFailover(deliveryQueueName(0), victim);
    const failoverMs = Date.now() - killedAt;
    expect(promoted).not.toBe(victim);
    expect(seen()).toBeLessThan(eventIds.length * paths.length);

    expect(await ledger.settle(ws.id, 90_000)).toBe(0);
    const deliveredMs = Date.now() - killedAt;
    const outcome = await deliveryOutcome(ledger, ws.id, receiver, eventIds, paths);
    expect(outcome).toMatchObject(deliveredOnce(eventIds.length * paths.length));
    process.stderr.write(
      `[faults] redis cluster master kill -9 (${receivedAtKill} requests received by then): replica promoted ${failoverMs} ms after the kill; ${outcome.deliveries} deliveries, 0 lost, ` +
        `${outcome.duplicates} duplicate request(s) (same webhook-id), all delivered ${deliveredMs} ms after the kill\n`,
    );
  }, 180_000);
});
