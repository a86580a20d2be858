import { randomBytes } from 'node:crypto';
import { parseConfig } from '@dispatch/core';
import type { DestinationStream } from 'pino';
import supertest from 'supertest';
import { apiConfigSchema, buildApiDeps, createApiKey, createApp, createLogger, createWorkspace, type ApiTuning } from '@dispatch/api/testing';
import type { Scope } from '@dispatch/core';
import { startWorker, workerConfigSchema, type Resolver, type WorkerRuntime } from '@dispatch/worker/testing';
import { testEncryptionEnv } from './encryption-key.js';
import { createPrivateDatabase } from './private-database.js';
import { dropQueueSchema, queueBackendEnv } from './queue-backend.js';
import { deleteKeysMatching } from './redis-keys.js';

// A whole Dispatch in one test process: the real API (over HTTP via supertest), the real worker,
// and a database and a BullMQ prefix of this harness's own.

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Overrides for the API process only (e.g. an unreachable Redis). */
  apiEnv?: Record<string, string>;
  worker?: boolean;
  /** DNS resolver for the worker's HTTP client (default: the system's). */
  resolver?: Resolver;
  /** Where the API's and the worker's log lines go (default: stdout), with the apps' redaction. */
  logDestination?: DestinationStream;
  /** The API's settings that are not configuration (e.g. the queue hand-off's bounds). */
  apiTuning?: ApiTuning;
}

export interface Harness {
  api: ReturnType<typeof supertest>;
  deps: ReturnType<typeof buildApiDeps>['deps'];
  worker: WorkerRuntime | undefined;
  prefix: string;
  env: Record<string, string | undefined>;
  redisUrl: string;
  /** What a child process (spawnApp) needs to share this harness's database, queues and encryption keys. */
  childEnv(): {
    DATABASE_URL: string;
    REDIS_URL: string;
    DISPATCH_QUEUE_BACKEND: string;
    DISPATCH_QUEUE_PREFIX: string;
    DISPATCH_QUEUE_SHARDS: string;
    DISPATCH_ENCRYPTION_KEY: string;
    DISPATCH_ENCRYPTION_KEYS: string;
  };
  newWorkspace(features?: ('integrations')[]): Promise<TestWorkspace>;
  startWorker(): Promise<WorkerRuntime>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface TestWorkspace {
  id: string;
  key: string;
  keyWith(scopes: Scope[]): Promise<string>;
  auth: { Authorization: string };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // A test may name the prefix (to share it with child processes); the harness still cleans it up.
  // A database of its own unless the test brings one (see private-database.ts for why).
  const database = options.env?.DATABASE_URL ? undefined : await createPrivateDatabase();
  // Named after the run, so global-teardown can sweep what a process that outlived its harness left.
  const prefix = options.env?.DISPATCH_QUEUE_PREFIX ?? `${process.env.DISPATCH_TEST_DATABASE ?? 'dispatch_test'}_q${randomBytes(4).toString('hex')}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'test',
    DISPATCH_QUEUE_PREFIX: prefix,
    DISPATCH_ADMIN_TOKEN: ADMIN_TOKEN,
    DISPATCH_ALLOW_PRIVATE_DESTINATIONS: 'true',
    DISPATCH_RETRY_SCHEDULE: '200ms,200ms,200ms',
    DISPATCH_REQUEST_TIMEOUT: '3s',
    DISPATCH_RECONCILE_INTERVAL: '1s',
    DISPATCH_RECONCILE_GRACE: '1s',
    // Short schedules in tests: a realistic breaker pause would dwarf them (fault tests set their own).
    DISPATCH_BREAKER_PAUSE: '100ms',
    // Workers of many harnesses share this machine: each health server takes a free port.
    DISPATCH_WORKER_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...testEncryptionEnv(),
    ...queueBackendEnv(),
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  };
  const logger = createLogger(env.LOG_LEVEL ?? 'silent', options.logDestination);
  const { deps, close: closeApi } = buildApiDeps(parseConfig(apiConfigSchema, { ...env, ...options.apiEnv }), logger, options.apiTuning);
  const api = supertest(createApp(deps));
  let worker: WorkerRuntime | undefined;
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  const harness: Harness = {
    api,
    deps,
    prefix,
    env,
    redisUrl,
    childEnv: () => ({
      DATABASE_URL: env.DATABASE_URL!,
      REDIS_URL: redisUrl,
      DISPATCH_QUEUE_BACKEND: env.DISPATCH_QUEUE_BACKEND ?? 'redis',
      DISPATCH_QUEUE_PREFIX: prefix,
      DISPATCH_QUEUE_SHARDS: env.DISPATCH_QUEUE_SHARDS ?? '1',
      DISPATCH_ENCRYPTION_KEY: env.DISPATCH_ENCRYPTION_KEY ?? '',
      DISPATCH_ENCRYPTION_KEYS: env.DISPATCH_ENCRYPTION_KEYS ?? '',
    }),
    get worker() {
      return worker;
    },
    async startWorker() {
      worker = await startWorker(parseConfig(workerConfigSchema, env), logger, { lookup: options.resolver });
      return worker;
    },
    async stopWorker() {
      await worker?.close();
      worker = undefined;
    },
    async newWorkspace(features = ['integrations']) {
      const workspace = await createWorkspace(deps.db, { name: `ws ${randomBytes(2).toString('hex')}`, features });
      const keyWith = async (scopes: Scope[]) => (await createApiKey(deps.db, { workspaceId: workspace.id, name: 'test', scopes })).key;
      const key = await keyWith(['links:read', 'links:write', 'webhooks:read', 'webhooks:manage', 'events:write']);
      return { id: workspace.id, key, keyWith, auth: { Authorization: `Bearer ${key}` } };
    },
    async close() {
      await worker?.close();
      await closeApi();
      if (env.DISPATCH_QUEUE_BACKEND === 'postgres') {
        // A private database goes whole; a test's own keeps everything but this harness's queues.
        if (!database) await dropQueueSchema(env);
      } else await deleteKeysMatching(redisUrl, `${prefix}:*`);
      await database?.drop();
    },
  };
  if (options.worker !== false) await harness.startWorker();
  return harness;
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('eventually: condition not met in time');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
