import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

// A database of one test file's own, migrated like the run's database. The fault tests need it:
// every worker's reconciler re-queues *any* overdue delivery in its database under its own queue
// prefix, so a worker of another test file sharing the run's database would take over (and
// duplicate) the very deliveries a fault test is watching recover.

export interface PrivateDatabase {
  url: string;
  drop(): Promise<void>;
}

function withDatabase(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createPrivateDatabase(): Promise<PrivateDatabase> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${process.env.DISPATCH_TEST_DATABASE ?? 'dispatch_test'}_f${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(base, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder: new URL('../packages/db/drizzle', import.meta.url).pathname });
  } finally {
    await client.end();
  }
  return {
    url,
    async drop() {
      const dropper = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
