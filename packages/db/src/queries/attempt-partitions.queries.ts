import { sql } from 'drizzle-orm';
import { idBoundsAt } from '@dispatch/core';
import type { Db } from '../client.js';

// Attempts are partitioned by ranges of id, one UTC day each (schema/deliveries.ts, migration 0010).
// The worker's maintenance keeps a week of partitions ahead of today and drops the days that are
// wholly past retention; a default partition takes any attempt whose day is missing, so recording
// never fails for want of a partition.

const DAY_MS = 24 * 60 * 60 * 1000;

export interface AttemptPartition {
  name: string;
  /** Exclusive upper bound of its ids; null for the default partition. */
  upperId: string | null;
}

const dayFloor = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const floorId = (ms: number) => idBoundsAt('attempt', ms).lowest;
const partitionName = (dayMs: number) => `attempts_p${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;

export async function listAttemptPartitions(db: Db): Promise<AttemptPartition[]> {
  const result = await db.execute<{ name: string; bound: string }>(sql`
    SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'attempts'::regclass
    ORDER BY c.relname`);
  return result.rows.map((row) => ({ name: row.name, upperId: /TO \('([^']+)'\)/.exec(row.bound)?.[1] ?? null }));
}

/**
 * Creates the daily partitions from the end of the last one through `daysAhead` days after `now`.
 * Returns the names created. Days already covered are left alone, so it can run any number of times.
 */
export async function createAttemptPartitionsAhead(db: Db, input: { now: Date; daysAhead: number }): Promise<string[]> {
  const uppers = (await listAttemptPartitions(db)).map((p) => p.upperId).filter((id): id is string => id !== null);
  const covered = uppers.reduce((max, id) => (id > max ? id : max), '');
  const created: string[] = [];
  const last = dayFloor(input.now.getTime()) + input.daysAhead * DAY_MS;
  for (let day = dayFloor(input.now.getTime()); day <= last; day += DAY_MS) {
    if (floorId(day) < covered) continue;
    const name = partitionName(day);
    await db.execute(
      sql.raw(`CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF attempts FOR VALUES FROM ('${floorId(day)}') TO ('${floorId(day + DAY_MS)}')`),
    );
    created.push(name);
  }
  return created;
}

/**
 * Drops the partitions whose every id was made before `before` (attempt ids are made after the
 * attempt, so each of their attempts was too). Returns the names dropped. The partition that holds
 * the cutoff stays; its older rows go with the row-by-row prune.
 */
export async function dropAttemptPartitionsBefore(db: Db, before: Date): Promise<string[]> {
  const cutoff = floorId(before.getTime());
  const expired = (await listAttemptPartitions(db)).filter((p) => p.upperId !== null && p.upperId <= cutoff);
  for (const { name } of expired) await db.execute(sql.raw(`DROP TABLE IF EXISTS "${name}"`));
  return expired.map((p) => p.name);
}
