import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfig } from '@dispatch/core';
import { pino } from 'pino';
import { workerConfigSchema } from '../src/config.js';
import { startWorker } from '../src/runtime.js';
import { testEncryptionEnv } from '../../../test-support/encryption-key.js';
import { eventually, startHarness, type Harness } from '../../../test-support/harness.js';
import { createPrivateDatabase, type PrivateDatabase } from '../../../test-support/private-database.js';
import { freePort, PrivateRedis } from '../../../test-support/private-redis.js';
import { spawnApp, stopAllChildren } from '../../../test-support/processes.js';
import { TcpProxy, throughProxy } from '../../../test-support/tcp-proxy.js';

// The worker's health server: liveness, and readiness that follows Postgres and Redis going away
// and coming back. Redis is a private redis-server (killed and started again, never the shared one);
// Postgres is reached through a TCP proxy that can be cut.

let database: PrivateDatabase;
let redis: PrivateRedis;
let proxy: TcpProxy;
let h: Harness;

const url = (path: string) => `http://127.0.0.1:${h.worker!.healthPort}${path}`;
async function get(path: string): Promise<{ status: number; body: unknown; ms: number }> {
  const startedAt = Date.now();
  const res = await fetch(url(path));
  return { status: res.status, body: await res.json(), ms: Date.now() - startedAt };
}
const readiness = (postgres: 'ok' | 'down', redisState: 'ok' | 'down') => ({
  status: postgres === 'ok' && redisState === 'ok' ? 200 : 503,
  body: { status: postgres === 'ok' && redisState === 'ok' ? 'ok' : 'unavailable', checks: { postgres, redis: redisState, workers: 'ok' } },
});
const readyz = async () => {
  const { status, body } = await get('/readyz');
  return { status, body };
};

beforeAll(async () => {
  database = await createPrivateDatabase();
  redis = await PrivateRedis.start();
  const target = new URL(database.url);
  proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
  h = await startHarness({ env: { DATABASE_URL: throughProxy(database.url, proxy), REDIS_URL: redis.url } });
});

afterAll(async () => {
  try {
    proxy?.restore();
    await stopAllChildren();
    await h?.close();
  } finally {
    await proxy?.close();
    await redis?.stop();
    await database?.drop();
  }
}, 60_000);

describe('worker health server', () => {
  it('answers /healthz and /readyz, and 404 in the contract shape elsewhere', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await readyz()).toEqual(readiness('ok', 'ok'));
    expect(await get('/nothing')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const post = await fetch(url('/readyz'), { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('turns /readyz 503 naming Redis while Redis is unreachable, and back to 200 when it returns', async () => {
    await redis.kill();
    expect(await eventually(async () => ((await readyz()).status === 503 ? readyz() : undefined), 10_000)).toEqual(readiness('ok', 'down'));
    // Still alive, and it answers at once rather than after a hung Redis command.
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).ms).toBeLessThan(3_000);
    await redis.launch();
    expect(await eventually(async () => ((await readyz()).status === 200 ? readyz() : undefined), 20_000)).toEqual(readiness('ok', 'ok'));
  });

  it('turns /readyz 503 naming Postgres while Postgres is unreachable, and back', async () => {
    proxy.cut();
    expect(await eventually(async () => ((await readyz()).status === 503 ? readyz() : undefined), 10_000)).toEqual(readiness('down', 'ok'));
    expect((await get('/readyz')).ms).toBeLessThan(3_000);
    proxy.restore();
    expect(await eventually(async () => ((await readyz()).status === 200 ? readyz() : undefined), 20_000)).toEqual(readiness('ok', 'ok'));
  });

  it('refuses to start on a port already taken, and frees its port when closed', async () => {
    const port = h.worker!.healthPort;
    const config = parseConfig(workerConfigSchema, { ...h.env, DISPATCH_WORKER_PORT: String(port) });
    await expect(startWorker(config, pino({ level: 'silent' }))).rejects.toThrow(/EADDRINUSE/);
    await h.stopWorker();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await h.startWorker();
    expect(await readyz()).toEqual(readiness('ok', 'ok'));
  });

  it('listens on 3001 unless DISPATCH_WORKER_PORT says otherwise', () => {
    const key = testEncryptionEnv();
    expect(parseConfig(workerConfigSchema, key).DISPATCH_WORKER_PORT).toBe(3001);
    expect(parseConfig(workerConfigSchema, { ...key, DISPATCH_WORKER_PORT: '0' }).DISPATCH_WORKER_PORT).toBe(0);
    expect(() => parseConfig(workerConfigSchema, { ...key, DISPATCH_WORKER_PORT: 'http' })).toThrow(/DISPATCH_WORKER_PORT/);
  });
});

describe('worker process (main.ts)', () => {
  it('serves its health on DISPATCH_WORKER_PORT, passes the compose healthcheck, and closes it on SIGTERM', async () => {
    const port = await freePort();
    const worker = spawnApp('worker', { ...h.childEnv(), DATABASE_URL: database.url, DISPATCH_WORKER_PORT: String(port) });
    const ready = `http://127.0.0.1:${port}/readyz`;
    await eventually(async () => {
      if (!worker.isRunning()) throw new Error(`worker exited:\n${worker.output()}`);
      return (await fetch(ready).catch(() => undefined))?.status === 200;
    }, 30_000, 200);
    // The command docker-compose's worker healthcheck runs.
    const healthcheck = `fetch('${ready}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
    await expect(promisify(execFile)(process.execPath, ['-e', healthcheck])).resolves.toBeDefined();
    worker.signal('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(ready)).rejects.toThrow();
  }, 60_000);
});
