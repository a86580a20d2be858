import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { attemptStatsByEndpoint, createDb, migrationsFolder } from '@dispatch/db';
import { migrationsUpTo } from '../../../test-support/migrations-up-to.js';
import { createPrivateDatabase, type PrivateDatabase } from '../../../test-support/private-database.js';

// An install from before attempts carried the endpoint their health counts them towards (migration
// 0011): upgraded, its recent attempts count in the endpoint's stats, a test delivery's do not, and
// attempts older than every health read are left as they were.

const DAY_MS = 86_400_000;
let database: PrivateDatabase;
let client: pg.Client;

beforeAll(async () => {
  database = await createPrivateDatabase({ empty: true });
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

it('fills in the endpoint of the attempts health reads, and health counts them', async () => {
  const before = migrationsUpTo('0010_deliveries_endpoint_statistics');
  await migrate(drizzle(client), { migrationsFolder: before }).finally(() => rmSync(before, { recursive: true }));
  const ago = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
  await client.query(`
    INSERT INTO workspaces (id, name) VALUES ('ws_u', 'upgrade');
    INSERT INTO endpoints (id, workspace_id, kind, url, url_normalized, event_types, secret_sealed, secret_hint)
    VALUES ('wh_u', 'ws_u', 'workspace_webhook', 'https://example.com', 'https://example.com', ARRAY['lead.created'], 'sealed', 'abcd');
    INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, max_attempts, attempt_count, test)
    VALUES ('dlv_recent', 'ws_u', 'evt_a', 'wh_u', 'workspace_webhook', 'lead.created', 8, 2, false),
           ('dlv_old', 'ws_u', 'evt_b', 'wh_u', 'workspace_webhook', 'lead.created', 8, 1, false),
           ('dlv_test', 'ws_u', 'evt_c', 'wh_u', 'workspace_webhook', 'lead.created', 8, 1, true);`);
  const [failedAt, succeededAt] = [ago(1.5), ago(0.5)];
  await client.query(
    `INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, status_code, response_time_ms, attempted_at) VALUES
       ('att_recent1', 'dlv_recent', 1, 'initial', '{}', 500, 40, $1), ('att_recent2', 'dlv_recent', 2, 'retry', '{}', 200, 20, $2),
       ('att_old', 'dlv_old', 1, 'initial', '{}', 200, 10, $3), ('att_test', 'dlv_test', 1, 'test', '{}', 503, 10, $4)`,
    [failedAt, succeededAt, ago(20), ago(0.2)],
  );

  await migrate(drizzle(client), { migrationsFolder });
  const { rows } = await client.query<{ id: string; stats_endpoint_id: string | null }>('SELECT id, stats_endpoint_id FROM attempts ORDER BY id');
  expect(rows).toEqual([
    { id: 'att_old', stats_endpoint_id: null },
    { id: 'att_recent1', stats_endpoint_id: 'wh_u' },
    { id: 'att_recent2', stats_endpoint_id: 'wh_u' },
    { id: 'att_test', stats_endpoint_id: null },
  ]);
  const db = createDb(database.url, { max: 1 });
  try {
    const week = await attemptStatsByEndpoint(db.db, ['wh_u'], { windowMs: 7 * DAY_MS, lookbackMs: 8 * DAY_MS });
    expect(week.get('wh_u')).toMatchObject({ attempts: 2, successes: 1, p50: 30 });
    // A day's window: the failure before it is still the last failure (within the lookback), and the
    // test's later failure is not.
    const day = await attemptStatsByEndpoint(db.db, ['wh_u'], { windowMs: DAY_MS, lookbackMs: 2 * DAY_MS });
    expect(day.get('wh_u')).toEqual({
      attempts: 1, successes: 1, p50: 20, p95: 20, p99: 20, lastSuccessAt: new Date(succeededAt), lastFailureAt: new Date(failedAt),
    });
    expect((await attemptStatsByEndpoint(db.db, ['wh_u'], { windowMs: DAY_MS / 4, lookbackMs: DAY_MS / 4 })).has('wh_u')).toBe(false);
  } finally {
    await db.close();
  }
});
