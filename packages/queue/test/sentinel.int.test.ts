import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue, Worker } from 'bullmq';
import { freePort, PrivateRedis } from '../../../test-support/private-redis.js';
import { redisServerAvailable } from '../../../test-support/redis-cluster.js';
import { createRedisClient, redisConnection, releaseRedisConnection } from '../src/connection.js';

// REDIS_URL's Sentinel form against a real Sentinel (redis-server --sentinel) watching a real
// master: the client asks the sentinel where the master is, and BullMQ runs a job through it.

const available = redisServerAvailable();
if (!available) process.stderr.write('[sentinel] SKIPPED: redis-server not found (apt-get install redis-server)\n');
const describeSentinel = available ? describe : describe.skip;

let master: PrivateRedis;
let sentinel: ChildProcess | undefined;
let sentinelPort: number;
const dir = mkdtempSync(join(tmpdir(), 'dispatch-sentinel-'));

beforeAll(async () => {
  if (!available) return;
  master = await PrivateRedis.start();
  sentinelPort = await freePort();
  // Sentinel rewrites its config file, so it gets one of its own.
  const config = join(dir, 'sentinel.conf');
  writeFileSync(config, `port ${sentinelPort}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 ${master.port} 1\n`);
  sentinel = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = createRedisClient(`redis://127.0.0.1:${sentinelPort}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    const answer = await probe.connect().then(() => probe.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')).catch(() => undefined);
    probe.disconnect();
    if (Array.isArray(answer) && Number(answer[1]) === master.port) break;
    if (Date.now() > deadline) throw new Error('sentinel did not report the master in time');
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  sentinel?.kill('SIGKILL');
  await master?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describeSentinel('redis+sentinel:// against a real Sentinel', () => {
  it('reaches the master the sentinel names, for plain commands and for a BullMQ job', async () => {
    const url = `redis+sentinel://127.0.0.1:${sentinelPort}/mymaster`;
    const client = createRedisClient(url, { maxRetriesPerRequest: 1 });
    try {
      await client.set('sentinel-check', 'through the sentinel');
      const direct = createRedisClient(master.url);
      expect(await direct.get('sentinel-check')).toBe('through the sentinel');
      direct.disconnect();
    } finally {
      client.disconnect();
    }

    const connection = redisConnection(url);
    const prefix = `sentinel_${process.pid}`;
    const queue = new Queue('{deliveries}', { connection, prefix });
    const errors: string[] = [];
    queue.on('error', (err) => errors.push(err.message));
    let processed: unknown;
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => (finished = resolve));
    const worker = new Worker('{deliveries}', async (job) => {
      processed = job.data;
      finished();
    }, { connection, prefix });
    worker.on('error', (err) => errors.push(err.message));
    try {
      await queue.add('deliver', { deliveryId: 'dlv_sentinel' });
      await done;
      expect(processed).toEqual({ deliveryId: 'dlv_sentinel' });
      expect(errors).toEqual([]);
    } finally {
      await worker.close();
      await queue.close();
      await releaseRedisConnection(connection);
    }
  });
});
