import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Database = NodePgDatabase<typeof schema>;
/** A transaction handle; query functions accept either, so callers choose the transaction boundary. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Db = Database | Tx;

export interface DbHandle {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface DbOptions {
  max?: number;
  applicationName?: string;
  /**
   * For a pool whose every statement finds its rows through an index (the worker's): sequential
   * scans are off for its sessions (Postgres still uses one where no index applies). Its hot
   * statements are named, so Postgres caches one plan for each per connection; planned while a
   * table is small (a new install, an emptied table), that plan is a sequential scan, and it stays
   * cached while the table grows until autovacuum next analyzes it: every claim then reads far more
   * rows than it claims (the bench's figures are in bench/RESULTS.md, "The claim's cached plan").
   */
  keyedLookupsOnly?: boolean;
}

export function createDb(databaseUrl: string, options: DbOptions = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'dispatch',
    // Fail fast when Postgres is unreachable instead of hanging requests.
    connectionTimeoutMillis: 5_000,
    // Run on each new connection before it is handed out, so it is in force for the first statement.
    // A query rather than the `options` startup parameter, which some poolers refuse. The pool
    // awaits the promise the hook returns (its type says void) and drops the connection if it fails.
    ...(options.keyedLookupsOnly ? { onConnect: (client: pg.ClientBase) => client.query('SET enable_seqscan = off') } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // A checked-out client whose server goes away emits 'error' on itself, not on the pool; without a
  // listener that is an uncaught exception during a Postgres outage. The failing query still rejects.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
