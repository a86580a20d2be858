import { createQueueBackend, queueSchemaName, type QueueBackend } from '@dispatch/queue';
import { Redis } from 'ioredis';
import pg from 'pg';

// Which queue backend the tests run on: Redis by default, BullMQ's Postgres backend when
// DISPATCH_TEST_QUEUE_BACKEND=postgres (infra/scripts/test.sh runs a chosen set of suites that way).
// On Postgres, REDIS_URL points at a port where nothing listens: anything that still reached for
// Redis would fail the suites.

export const testQueueBackend = (): 'redis' | 'postgres' => (process.env.DISPATCH_TEST_QUEUE_BACKEND === 'postgres' ? 'postgres' : 'redis');

/** A loopback address where no Redis listens (port 1 is reserved and never bound here). */
export const CLOSED_REDIS_URL = 'redis://127.0.0.1:1';

/** The environment a harness adds for the queue backend under test. */
export function queueBackendEnv(): Record<string, string> {
  return testQueueBackend() === 'postgres' ? { DISPATCH_QUEUE_BACKEND: 'postgres', REDIS_URL: CLOSED_REDIS_URL } : {};
}

type Env = Record<string, string | undefined>;

/** A queue backend as a process started with `env` would build it (for tests that look at the queues). */
export function queueBackendOf(env: Env): QueueBackend {
  return createQueueBackend({
    kind: env.DISPATCH_QUEUE_BACKEND === 'postgres' ? 'postgres' : 'redis',
    prefix: env.DISPATCH_QUEUE_PREFIX ?? 'dispatch',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/dispatch',
    poolSize: 2,
    applicationName: 'dispatch-test',
  });
}

/** Drops the Postgres queue schema of `env`'s prefix (its jobs and pauses). */
export async function dropQueueSchema(env: Env): Promise<void> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${queueSchemaName(env.DISPATCH_QUEUE_PREFIX ?? 'dispatch')}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Removes every job of `env`'s queues (Redis flushed, or the jobs table emptied): how many went. */
export async function forgetAllJobs(env: Env): Promise<number> {
  if (env.DISPATCH_QUEUE_BACKEND === 'postgres') return queueSchemaQuery(env, (schema) => `DELETE FROM ${schema}.job`);
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const keys = await redis.keys(`${env.DISPATCH_QUEUE_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

/** What a job scheduler leaves behind for its runs (kept jobs, or their Redis keys). */
export async function schedulerRunsKept(env: Env, queue: string, schedulerId: string): Promise<number> {
  if (env.DISPATCH_QUEUE_BACKEND === 'postgres') {
    return queueSchemaQuery(env, (schema) => `SELECT 1 FROM ${schema}.job WHERE queue = $1 AND name = $2`, [queue, schedulerId]);
  }
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    return (await redis.keys(`${env.DISPATCH_QUEUE_PREFIX}:${queue}:repeat:${schedulerId}:*`)).length;
  } finally {
    redis.disconnect();
  }
}

/** Runs the statement `sql` makes of the queue schema's quoted name; the rows it touched. */
async function queueSchemaQuery(env: Env, sql: (schema: string) => string, values: unknown[] = []): Promise<number> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql(`"${queueSchemaName(env.DISPATCH_QUEUE_PREFIX ?? 'dispatch')}"`), values)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}
