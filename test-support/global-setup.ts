import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
// Without an extension: jest loads this file as CommonJS, where './console-build.js' is not found.
import { ensureConsoleBuilt } from './console-build';

// One database per test run, created and migrated here and dropped in global-teardown, so runs never
// collide with each other or with a developer's running system. Nothing connects to it during the
// run: it is the template each harness copies its own database from (private-database.ts), and each
// harness has its own BullMQ prefix too.
export default async function globalSetup(): Promise<void> {
  // Both jest projects may ask for it (cluster-global-setup.ts): one database per run.
  if (process.env.DISPATCH_TEST_DATABASE) return;
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `dispatch_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(base, name);
  // jest loads this file outside its ESM pipeline, so it migrates with drizzle directly rather than
  // through @dispatch/db (same generated migrations folder).
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await migrate(drizzle(client), { migrationsFolder: new URL('../packages/db/drizzle', import.meta.url).pathname });
  await client.end();
  process.env.DATABASE_URL = url;
  process.env.DISPATCH_TEST_DATABASE = name;
  // The browser tests serve the built console: rebuilt here only when its sources changed.
  ensureConsoleBuilt();
}

function withDatabase(base: URL, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
