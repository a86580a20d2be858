import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Drops the run's database and any private database left behind (`<run db>_f…`), and the BullMQ
 * keys of the run's harness prefixes (`<run db>_q…`) that a worker outliving its harness re-created.
 */
export default async function globalTeardown(): Promise<void> {
  const name = process.env.DISPATCH_TEST_DATABASE;
  if (!name || !process.env.DATABASE_URL) return;
  // On the Postgres queue backend the queues went with the databases dropped below.
  if (process.env.DISPATCH_TEST_QUEUE_BACKEND !== 'postgres') await sweepQueueKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `${name}_q*`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $1 || '\\_f%'`,
      [name],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

// Its own sweep rather than redis-keys.ts's deleteKeysMatching: jest loads global setup and teardown
// without the tests' source condition, so that module's @dispatch/queue import would need a build a
// fresh clone does not have (a fresh-clone run failed at teardown when it was tried).
async function sweepQueueKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis being away at the end of a run is not a test failure.
  } finally {
    redis.disconnect();
  }
}
