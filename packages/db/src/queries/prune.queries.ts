import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { attempts, deliveries, endpoints, events } from '../schema/index.js';

// Retention. Each call deletes one bounded batch in its own short statement, so pruning never holds
// long locks or a long transaction; the caller loops.

// Each batch is taken oldest first, in the order of the index on its time column: without the
// order, once the rows past the cutoff outnumbered a batch many times over the planner expected a
// sequential scan to find a batch's worth quickly, and read the table from its start, past the room
// earlier batches left empty, on every batch (bench/RESULTS.md, "History at scale").

/** Attempts older than the cutoff (found through the attempted_at index). Returns how many went. */
export async function pruneAttemptsBatch(db: Db, input: { before: Date; batchSize: number }): Promise<number> {
  const result = await db.execute(sql`
    DELETE FROM ${attempts} WHERE id IN (
      SELECT id FROM ${attempts} WHERE attempted_at < ${input.before.toISOString()} ORDER BY attempted_at LIMIT ${input.batchSize}
    )`);
  return result.rowCount ?? 0;
}

/**
 * Events older than the cutoff whose deliveries are all finished; their deliveries go with them in the
 * same statement (deliveries have no foreign key to events, see the schema, so this is the cascade),
 * and those deliveries' attempts with those (the trigger of migration 0012).
 */
export async function pruneEventsBatch(db: Db, input: { before: Date; batchSize: number }): Promise<number> {
  const result = await db.execute<{ n: number }>(sql`
    WITH gone AS (
      DELETE FROM ${events} WHERE id IN (
        SELECT e.id FROM ${events} e
        WHERE e.created_at < ${input.before.toISOString()}
          AND NOT EXISTS (SELECT 1 FROM ${deliveries} d WHERE d.event_id = e.id AND d.status = 'pending')
        ORDER BY e.created_at
        LIMIT ${input.batchSize}
      )
      RETURNING id
    ), their_deliveries AS (
      DELETE FROM ${deliveries} WHERE event_id IN (SELECT id FROM gone)
    )
    SELECT count(*)::int AS n FROM gone`);
  return result.rows[0]?.n ?? 0;
}

/**
 * Previous webhook secrets whose rotation grace period is over: nothing signs with them any more,
 * so they leave the row (through the partial index on the expiry). Returns how many went.
 */
export async function clearExpiredPreviousSecrets(db: Db): Promise<number> {
  const result = await db.execute(sql`
    UPDATE ${endpoints} SET previous_secret_sealed = NULL, previous_secret_expires_at = NULL
    WHERE previous_secret_expires_at IS NOT NULL AND previous_secret_expires_at <= now()`);
  return result.rowCount ?? 0;
}
