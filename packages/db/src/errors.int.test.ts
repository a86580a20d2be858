import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { createDb, type DbHandle } from './client.js';
import { refusedByPostgres } from './errors.js';

// Against the server's `postgres` database: the run's own database is the harnesses' template, and
// nothing may connect to a template while it is being copied.
function serverUrl(): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = '/postgres';
  return url.toString();
}

let handle: DbHandle;
beforeAll(() => {
  handle = createDb(serverUrl(), { max: 1 });
});
afterAll(() => handle.close());

it('tells a statement Postgres refused (raw pg or wrapped by drizzle) from a connection that failed', async () => {
  const raw = await handle.pool.query('SELECT 1 / 0').catch((error: unknown) => error);
  expect(refusedByPostgres(raw)).toBe(true);
  const wrapped = await handle.db.execute(sql`SELECT 1 / 0`).catch((error: unknown) => error);
  expect(refusedByPostgres(wrapped)).toBe(true);

  const unreachable = createDb('postgres://postgres@127.0.0.1:1/postgres', { max: 1 });
  const lost = await unreachable.db.execute(sql`SELECT 1`).catch((error: unknown) => error);
  await unreachable.close();
  expect(lost).toBeInstanceOf(Error);
  expect(refusedByPostgres(lost)).toBe(false);
});
