import pg from 'pg';

/** Drops the run's database and any private database a fault test left behind (`<run db>_f…`). */
export default async function globalTeardown(): Promise<void> {
  const name = process.env.DISPATCH_TEST_DATABASE;
  if (!name || !process.env.DATABASE_URL) return;
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
