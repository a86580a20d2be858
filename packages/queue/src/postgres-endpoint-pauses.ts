import type { Pool } from 'pg';
import { liveUntil, type EndpointPauses } from './endpoint-pauses.js';

/**
 * The table, in the queue's own schema (the pool's search_path), created with BullMQ's tables. It
 * lives there rather than in the system of record because it is scheduling state like the jobs: one
 * per queue prefix, gone when the queue schema is dropped, never migrated with the records.
 * UNLOGGED: a hint may be lost in a crash (as in a Redis flush), and skipping the WAL keeps a
 * breaker's publish cheap.
 */
export const ENDPOINT_PAUSE_TABLE_DDL =
  'CREATE UNLOGGED TABLE IF NOT EXISTS dispatch_endpoint_pause (key text PRIMARY KEY, until_ms bigint NOT NULL)';

/** Pauses in a small table of the queue's Postgres schema, reached through the queue's pool. */
export class PostgresEndpointPauses implements EndpointPauses {
  constructor(
    private readonly pool: Pool,
    /** Resolves once the table exists (with the queue's migrations). */
    private readonly ready: () => Promise<void>,
  ) {}

  private async query<T extends object>(text: string, values: unknown[]): Promise<T[]> {
    await this.ready();
    return (await this.pool.query<T>(text, values)).rows;
  }

  async publish(endpointId: string, until: number): Promise<void> {
    await this.query(
      'INSERT INTO dispatch_endpoint_pause (key, until_ms) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET until_ms = excluded.until_ms',
      [endpointId, until],
    );
  }

  async forget(endpointId: string): Promise<void> {
    await this.query('DELETE FROM dispatch_endpoint_pause WHERE key = $1', [endpointId]);
  }

  async read(endpointIds: readonly string[], now = Date.now()): Promise<number[]> {
    if (endpointIds.length === 0) return [];
    const rows = await this.query<{ key: string; until_ms: string }>('SELECT key, until_ms FROM dispatch_endpoint_pause WHERE key = ANY($1)', [
      endpointIds,
    ]);
    const byKey = new Map(rows.map((row) => [row.key, Number(row.until_ms)]));
    return endpointIds.map((id) => liveUntil(byKey.get(id) ?? 0, now));
  }

  async live(now = Date.now()): Promise<Map<string, number>> {
    const rows = await this.query<{ key: string; until_ms: string }>('SELECT key, until_ms FROM dispatch_endpoint_pause WHERE until_ms > $1', [now]);
    return new Map(rows.map((row) => [row.key, Number(row.until_ms)]));
  }

  async countLive(now = Date.now()): Promise<number> {
    const rows = await this.query<{ n: number }>('SELECT count(*)::int AS n FROM dispatch_endpoint_pause WHERE until_ms > $1', [now]);
    return rows[0]?.n ?? 0;
  }

  async forgetEnded(now = Date.now()): Promise<number> {
    const rows = await this.query<{ key: string }>('DELETE FROM dispatch_endpoint_pause WHERE until_ms <= $1 RETURNING key', [now]);
    return rows.length;
  }
}
