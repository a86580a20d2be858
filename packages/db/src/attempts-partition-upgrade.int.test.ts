import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { newId } from '@dispatch/core';
import { createDb } from './client.js';
import { createAttemptPartitionsAhead, dropAttemptPartitionsBefore, listAttemptPartitions } from './queries/attempt-partitions.queries.js';
import { migrationsFolder } from './migrate.js';

// Upgrading a database with attempts to the partitioned table: nothing is copied or lost (the old
// table becomes the partition of every id before the day after the upgrade), new attempts land in
// their day's partition, the maintenance creates days ahead without touching those that exist, and
// retention drops the old table whole once all of it is past the cutoff.

const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
// Named like a harness's private database, so the run's teardown drops it should this file not.
const name = `${process.env.DISPATCH_TEST_DATABASE ?? 'dispatch_test'}_f_partition${randomBytes(3).toString('hex')}`;
const withDatabase = (database: string) => Object.assign(new URL(base), { pathname: `/${database}` }).toString();
const earlier = mkdtempSync(join(tmpdir(), 'dispatch-migrations-'));
const DAY = 24 * 60 * 60 * 1000;
let client: pg.Client;

async function admin(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: withDatabase('postgres') });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const partitioning = journal.entries.findIndex(({ tag }) => readFileSync(join(migrationsFolder, `${tag}.sql`), 'utf8').includes('attempts_before_partitioning'));
  expect(partitioning).toBeGreaterThan(0);
  cpSync(migrationsFolder, earlier, { recursive: true });
  writeFileSync(join(earlier, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, partitioning) }));
  await admin(`CREATE DATABASE "${name}"`);
  client = new pg.Client({ connectionString: withDatabase(name) });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  rmSync(earlier, { recursive: true, force: true });
});

const insertAttempt = (id: string, deliveryId: string, attemptNo: number, at: Date) =>
  client.query(`INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, status_code, response_time_ms, attempted_at)
                VALUES ($1, $2, $3, 'initial', '{}', 200, 1, $4)`, [id, deliveryId, attemptNo, at]);
const partitionOf = async (id: string) => (await client.query<{ p: string }>('SELECT tableoid::regclass::text AS p FROM attempts WHERE id = $1', [id])).rows[0]?.p;

it('turns the attempts table into daily partitions, keeping its rows, and later drops it whole', async () => {
  await migrate(drizzle(client), { migrationsFolder: earlier });
  await client.query(`
    INSERT INTO workspaces (id, name) VALUES ('ws_p', 'partitions');
    INSERT INTO endpoints (id, workspace_id, kind, url, url_normalized, event_types, secret_sealed, secret_hint)
    VALUES ('wh_p', 'ws_p', 'workspace_webhook', 'https://example.com', 'https://example.com', ARRAY['lead.created'], 'sealed', 'abcd');
    INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, max_attempts)
    VALUES ('dlv_p', 'ws_p', 'evt_p', 'wh_p', 'workspace_webhook', 'lead.created', 8);`);
  const now = Date.now();
  const before = [newId('attempt', now - 20 * DAY), newId('attempt', now - DAY), newId('attempt', now)];
  for (const [i, id] of before.entries()) await insertAttempt(id, 'dlv_p', i + 1, new Date(now - (2 - i) * DAY));

  await migrate(drizzle(client), { migrationsFolder });
  const partitioned = await client.query(`SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'attempts'::regclass`);
  expect(partitioned.rowCount).toBe(1);
  const kept = await client.query<{ id: string }>(`SELECT id FROM attempts WHERE delivery_id = 'dlv_p' ORDER BY attempt_no`);
  expect(kept.rows.map((r) => r.id)).toEqual(before);
  for (const id of before) expect(await partitionOf(id)).toBe('attempts_before_partitioning');

  // A week of days after the upgrade's day exists; an attempt made in three days lands in its own.
  const later = newId('attempt', now + 3 * DAY);
  await insertAttempt(later, 'dlv_p', 4, new Date(now + 3 * DAY));
  expect(await partitionOf(later)).toBe(`attempts_p${new Date(now + 3 * DAY).toISOString().slice(0, 10).replaceAll('-', '')}`);
  // Ids are still a primary key across partitions.
  await expect(insertAttempt(later, 'dlv_p', 5, new Date())).rejects.toMatchObject({ code: '23505' });

  const handle = createDb(withDatabase(name), { max: 1 });
  const db = handle.db;
  const existing = (await listAttemptPartitions(db)).map((p) => p.name);
  expect(await createAttemptPartitionsAhead(db, { now: new Date(now), daysAhead: 7 })).toEqual([]);
  const ahead = await createAttemptPartitionsAhead(db, { now: new Date(now), daysAhead: 10 });
  expect(ahead.length).toBeGreaterThanOrEqual(2);
  expect((await listAttemptPartitions(db)).map((p) => p.name).sort()).toEqual([...existing, ...ahead].sort());

  // Retention at a cutoff past the old table's last possible id drops it, and only it.
  const dropped = await dropAttemptPartitionsBefore(db, new Date(now + 2 * DAY));
  expect(dropped).toContain('attempts_before_partitioning');
  expect(dropped.every((n) => n === 'attempts_before_partitioning' || n < `attempts_p${new Date(now + 2 * DAY).toISOString().slice(0, 10).replaceAll('-', '')}`)).toBe(true);
  const left = await client.query<{ id: string }>(`SELECT id FROM attempts WHERE delivery_id = 'dlv_p'`);
  expect(left.rows.map((r) => r.id)).toEqual([later]);
  expect((await client.query(`SELECT 1 FROM deliveries WHERE id = 'dlv_p'`)).rowCount).toBe(1);
  await handle.close();
});
