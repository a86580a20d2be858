import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

// A database of one harness's own (or one fault test's), copied from the run's migrated database,
// which serves only as the template (CREATE DATABASE ... TEMPLATE: a file copy, no migrations). Sharing one database
// between test files does not work: every worker's reconciler re-queues *any* overdue delivery in its
// database under its own queue prefix, so another file's worker (with its own settings, say private
// destinations refused) would take over the very deliveries a test is watching.

export interface PrivateDatabase {
  url: string;
  drop(): Promise<void>;
}

function withDatabase(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `empty`: a database with no schema at all (an upgrade test migrates it as an older release did). */
export async function createPrivateDatabase(options: { empty?: boolean } = {}): Promise<PrivateDatabase> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${process.env.DISPATCH_TEST_DATABASE ?? 'dispatch_test'}_f${randomBytes(3).toString('hex')}`;
  const template = options.empty ? undefined : process.env.DISPATCH_TEST_DATABASE;
  const admin = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
  await admin.connect();
  try {
    await admin.query(template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(base, name);
  if (!template && !options.empty) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(drizzle(client), { migrationsFolder: new URL('../packages/db/drizzle', import.meta.url).pathname });
    } finally {
      await client.end();
    }
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
