import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@dispatch/core';
import { pino } from 'pino';
import { workerConfigSchema } from '../src/config.js';
import { startWorker, type WorkerRuntime } from '../src/runtime.js';
import { eventually, startHarness, type Harness } from '../../../test-support/harness.js';
import { createPrivateDatabase, type PrivateDatabase } from '../../../test-support/private-database.js';
import { TcpProxy, throughProxy } from '../../../test-support/tcp-proxy.js';

// The worker's liveness file (DISPATCH_WORKER_HEARTBEAT_FILE), which docker-compose's health check
// reads by its age: refreshed while the worker runs and reaches Postgres and Redis, stale as soon as
// either is cut or the worker stops, fresh again once they are back.

const BEAT_MS = 100;
let database: PrivateDatabase;
let postgres: TcpProxy;
let redis: TcpProxy;
let h: Harness;
let worker: WorkerRuntime | undefined;
const dir = mkdtempSync(join(tmpdir(), 'dispatch-heartbeat-'));
const file = join(dir, 'alive');

beforeAll(async () => {
  database = await createPrivateDatabase();
  const pg = new URL(database.url);
  postgres = await new TcpProxy(pg.hostname, Number(pg.port || 5432)).start();
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  redis = await new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379)).start();
  // The harness migrates the database (through the proxy); its own worker stays off.
  h = await startHarness({ worker: false, env: { DATABASE_URL: throughProxy(database.url, postgres) } });
  const env = { ...h.env, REDIS_URL: throughProxy(redisUrl.toString(), redis), DISPATCH_WORKER_HEARTBEAT_FILE: file };
  worker = await startWorker(parseConfig(workerConfigSchema, env), pino({ level: 'silent' }), { heartbeatMs: BEAT_MS });
});
afterAll(async () => {
  postgres?.restore();
  redis?.restore();
  await worker?.close();
  await h?.close();
  await postgres?.close();
  await redis?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const age = () => Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
const fresh = () => eventually(async () => age() < BEAT_MS * 3, 10_000, 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The file is not rewritten for a while (many beats), measured against its time when this began. */
async function expectStale() {
  await sleep(BEAT_MS * 3);
  const since = statSync(file).mtimeMs;
  await sleep(BEAT_MS * 10);
  expect(statSync(file).mtimeMs).toBe(since);
}

it('is rewritten every beat while the worker reaches Postgres and Redis', async () => {
  await fresh();
  const first = statSync(file).mtimeMs;
  await sleep(BEAT_MS * 3);
  expect(statSync(file).mtimeMs).toBeGreaterThan(first);
});

it('goes stale while Postgres is cut, and is fresh again once it is back', async () => {
  await fresh();
  postgres.cut();
  try {
    await expectStale();
  } finally {
    postgres.restore();
  }
  await fresh();
});

it('goes stale while Redis is cut, and is fresh again once it is back', async () => {
  await fresh();
  redis.cut();
  try {
    await expectStale();
  } finally {
    redis.restore();
  }
  await fresh();
}, 30_000);

it('goes stale once the worker stops', async () => {
  await fresh();
  await worker!.close();
  worker = undefined;
  const since = statSync(file).mtimeMs;
  await sleep(BEAT_MS * 5);
  expect(statSync(file).mtimeMs).toBe(since);
});
