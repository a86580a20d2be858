import pg from 'pg';
// Extensionless, as global-setup's imports: jest loads these files without the `.js` mapping of the tests.
import { deleteKeysMatching } from './redis-keys';

/**
 * Drops the run's database and any private database left behind (`<run db>_f…`), and the BullMQ
 * keys of the run's harness prefixes (`<run db>_q…`) that a worker outliving its harness re-created.
 */
export default async function globalTeardown(): Promise<void> {
  const name = process.env.DISPATCH_TEST_DATABASE;
  if (!name || !process.env.DATABASE_URL) return;
  // On the Postgres queue backend the queues went with the databases dropped below.
  if (process.env.DISPATCH_TEST_QUEUE_BACKEND !== 'postgres') {
    // Redis being away at the end of a run is not a test failure.
    await deleteKeysMatching(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `${name}_q*`).catch(() => undefined);
  }
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
