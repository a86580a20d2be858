import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.DISPATCH_TEST_DATABASE;
  if (!name || !process.env.DATABASE_URL) return;
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
