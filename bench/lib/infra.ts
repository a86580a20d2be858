import { createServer } from 'node:net';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Redis } from 'ioredis';
import pg from 'pg';
import { databaseUrl, type BenchConfig } from './config.js';

// The bench's own database and BullMQ prefix: created here, removed in cleanup whatever happened.

export async function createDatabase(config: BenchConfig): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl(config, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${config.databaseName}"`);
  } finally {
    await admin.end();
  }
  const client = new pg.Client({ connectionString: databaseUrl(config) });
  await client.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder: join(config.root, 'packages/db/drizzle') });
  } finally {
    await client.end();
  }
}

export async function dropDatabase(config: BenchConfig): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl(config, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${config.databaseName}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Deletes every key under the bench's prefix (BullMQ queues and the API's rate-limit counters). */
export async function deleteRedisKeys(config: BenchConfig): Promise<number> {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.queuePrefix}:*`, 'COUNT', 1000);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value, or throws after `timeoutMs`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
