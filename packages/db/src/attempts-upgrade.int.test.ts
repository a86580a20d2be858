import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { migrationsFolder } from './migrate.js';

// Upgrading a database whose attempts table holds the same attempt number twice for a delivery (two
// runs both recorded it, before the record statement checked the claim): the migration that makes
// (delivery_id, attempt_no) unique keeps one row per number (the one the delivery's state was written
// with, else the earliest) instead of failing. The database is migrated up to just before that
// migration, given duplicates, then migrated to the end.

const UNIQUE_INDEX = 'attempts_delivery_attempt_uidx';

const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
// Named like a harness's private database, so the run's teardown drops it should this file not.
const name = `${process.env.DISPATCH_TEST_DATABASE ?? 'dispatch_test'}_f_upgrade${randomBytes(3).toString('hex')}`;
const withDatabase = (database: string) => Object.assign(new URL(base), { pathname: `/${database}` }).toString();
const earlier = mkdtempSync(join(tmpdir(), 'dispatch-migrations-'));
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
  // The migrations that came before the one adding the unique index, as a folder of their own.
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const firstWithIndex = journal.entries.findIndex(({ tag }) => readFileSync(join(migrationsFolder, `${tag}.sql`), 'utf8').includes(UNIQUE_INDEX));
  expect(firstWithIndex).toBeGreaterThan(0);
  cpSync(migrationsFolder, earlier, { recursive: true });
  writeFileSync(join(earlier, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, firstWithIndex) }));
  await admin(`CREATE DATABASE "${name}"`);
  client = new pg.Client({ connectionString: withDatabase(name) });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  rmSync(earlier, { recursive: true, force: true });
});

it('keeps one attempt per (delivery, number) and then refuses a second', async () => {
  await migrate(drizzle(client), { migrationsFolder: earlier });
  await client.query(`
    INSERT INTO workspaces (id, name) VALUES ('ws_u', 'upgrade');
    INSERT INTO endpoints (id, workspace_id, kind, url, url_normalized, event_types, secret_sealed, secret_hint)
    VALUES ('wh_u', 'ws_u', 'workspace_webhook', 'https://example.com', 'https://example.com', ARRAY['lead.created'], 'sealed', 'abcd');
    INSERT INTO events (id, workspace_id, type, payload)
    VALUES ('evt_a', 'ws_u', 'lead.created', '{}'), ('evt_b', 'ws_u', 'lead.created', '{}'), ('evt_c', 'ws_u', 'lead.created', '{}');
    INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, max_attempts, attempt_count, last_attempt_id)
    VALUES ('dlv_a', 'ws_u', 'evt_a', 'wh_u', 'workspace_webhook', 'lead.created', 8, 2, 'att_a2'),
           ('dlv_b', 'ws_u', 'evt_b', 'wh_u', 'workspace_webhook', 'lead.created', 8, 1, 'att_b1_late'),
           ('dlv_c', 'ws_u', 'evt_c', 'wh_u', 'workspace_webhook', 'lead.created', 8, 1, 'att_c1');
    INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, response_time_ms, attempted_at) VALUES
      -- dlv_a: attempt 1 twice; the delivery's state came from attempt 2, so the earlier of the two stays.
      ('att_a1_late', 'dlv_a', 1, 'initial', '{}', 1, '2026-01-01T00:00:02Z'),
      ('att_a1', 'dlv_a', 1, 'initial', '{}', 1, '2026-01-01T00:00:01Z'),
      ('att_a2', 'dlv_a', 2, 'retry', '{}', 1, '2026-01-01T00:05:00Z'),
      -- dlv_b: attempt 1 three times; the delivery's state was written by the latest, which stays.
      ('att_b1', 'dlv_b', 1, 'initial', '{}', 1, '2026-01-01T00:00:01Z'),
      ('att_b1_also', 'dlv_b', 1, 'initial', '{}', 1, '2026-01-01T00:00:01Z'),
      ('att_b1_late', 'dlv_b', 1, 'initial', '{}', 1, '2026-01-01T00:00:03Z'),
      -- dlv_c: nothing twice, nothing removed.
      ('att_c1', 'dlv_c', 1, 'initial', '{}', 1, '2026-01-01T00:00:01Z');
  `);

  await migrate(drizzle(client), { migrationsFolder });
  const { rows } = await client.query<{ id: string }>('SELECT id FROM attempts ORDER BY id');
  expect(rows.map((r) => r.id)).toEqual(['att_a1', 'att_a2', 'att_b1_late', 'att_c1']);
  await expect(
    client.query(`INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, response_time_ms, attempted_at)
                  VALUES ('att_c1_again', 'dlv_c', 1, 'retry', '{}', 1, now())`),
  ).rejects.toMatchObject({ code: '23505', constraint: UNIQUE_INDEX });
});
