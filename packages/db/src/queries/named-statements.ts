import type pg from 'pg';
import type { Db } from '../client.js';

// The hot paths (ingest, claim, record) send their statements by name: Postgres parses and plans a
// named statement once per connection instead of on every call (planning alone cost about as much
// as executing the single-event ingest insert), and the SQL text is not rebuilt by drizzle each time.

export interface Queryable {
  query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

/**
 * The pg client under a drizzle handle: the pool for the database, the transaction's connection for
 * a transaction (drizzle keeps it on its session), so these statements join the caller's transaction.
 */
export function clientOf(db: Db): Queryable {
  const handle = db as unknown as { $client?: Queryable; session?: { client?: Queryable } };
  const client = handle.$client ?? handle.session?.client;
  if (!client || typeof client.query !== 'function') throw new Error('no pg client under this drizzle handle');
  return client;
}
