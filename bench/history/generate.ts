import type pg from 'pg';

// A history written straight in SQL, as the product would have written it: N events of one delivery
// each, one attempt each, spread evenly over the last `days` days and over 10 workspaces of 5
// webhooks each. Ids carry their time (core's id layout), so every list sees
// the history as it would be. One delivery in `overdueEvery` is pending and long overdue (its last
// attempt a 503): after a Redis loss, the reconciler's work. One in 100 failed.

export const WORKSPACES = 10;
export const ENDPOINTS = 50;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface HistoryShape {
  deliveries: number;
  days: number;
  overdue: number;
  start: number;
  end: number;
}

export const workspaceId = (n: number) => `ws_bench${n % WORKSPACES}`;
export const endpointId = (n: number) => `wh_bench${String(n % ENDPOINTS).padStart(2, '0')}`;

export function historyShape(deliveries: number, days: number, overdue: number, now = Date.now()): HistoryShape {
  const end = Math.floor(now / DAY_MS) * DAY_MS - 60 * 60 * 1000;
  return { deliveries, days, overdue: Math.min(overdue, deliveries), start: end - days * DAY_MS, end };
}

const B32 = `CREATE OR REPLACE FUNCTION pg_temp.b32(v bigint, len int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((v >> (5 * (len - 1 - i))) & 31)::int + 1, 1), '' ORDER BY i)
  FROM generate_series(0, len - 1) AS i $$`;

export async function seedTenants(client: pg.Client): Promise<void> {
  await client.query(`INSERT INTO workspaces (id, name) SELECT 'ws_bench' || w, 'bench ' || w FROM generate_series(0, ${WORKSPACES - 1}) w`);
  await client.query(`
    INSERT INTO endpoints (id, workspace_id, kind, url, url_normalized, event_types, secret_sealed, secret_hint)
    SELECT 'wh_bench' || lpad(e::text, 2, '0'), 'ws_bench' || (e % ${WORKSPACES}), 'workspace_webhook', 'http://127.0.0.1:9/h', 'http://127.0.0.1:9/h',
           ARRAY['lead.created'], 'not-a-real-sealed-secret', 'abcd'
    FROM generate_series(0, ${ENDPOINTS - 1}) e`);
}

/** Writes rows [from, to) of the history; each chunk is one transaction. */
export async function generateChunk(client: pg.Client, shape: HistoryShape, from: number, to: number): Promise<void> {
  const step = (shape.end - shape.start) / shape.deliveries;
  const overdueEvery = Math.max(1, Math.floor(shape.deliveries / Math.max(1, shape.overdue)));
  await client.query('BEGIN');
  await client.query(B32);
  await client.query(`
    CREATE TEMP TABLE gen ON COMMIT DROP AS
    SELECT n, ts, pg_temp.b32((extract(epoch FROM ts) * 1000)::bigint, 10) || lpad(pg_temp.b32(n, 12), 16, '0') AS stem,
           pg_temp.b32((extract(epoch FROM ts) * 1000)::bigint + 150, 10) || lpad(pg_temp.b32(n, 12), 16, '0') AS attempt_stem,
           -- By a hash of n, so that every workspace and every webhook has its share of each status.
           CASE WHEN abs(hashint8(n)) % ${overdueEvery} = 0 THEN 'pending' WHEN abs(hashint8(n)) % 100 = 7 THEN 'failed' ELSE 'succeeded' END AS status
    FROM generate_series(${from}::bigint, ${to - 1}::bigint) n,
         LATERAL (SELECT to_timestamp((${shape.start} + n * ${step}) / 1000.0) AS ts) t`);
  await client.query(`
    INSERT INTO events (id, workspace_id, type, payload, created_at)
    SELECT 'evt_' || stem, 'ws_bench' || (n % ${WORKSPACES}), 'lead.created',
           format('{"id":"evt_%s","type":"lead.created","timestamp":"%s","data":{"lead":{"id":"lead_%s","email":"person%s@example.com","name":"Someone Somebody","company":"Example Ltd","source":"web-form","score":%s}}}',
                  stem, ts, n, n, n % 100),
           ts
    FROM gen`);
  await client.query(`
    INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, status, attempt_count, max_attempts,
                            next_attempt_at, job_id, job_trigger, last_attempt_id, created_at, updated_at)
    SELECT 'dlv_' || stem, 'ws_bench' || (n % ${WORKSPACES}), 'evt_' || stem, 'wh_bench' || lpad((n % ${ENDPOINTS})::text, 2, '0'),
           'workspace_webhook', 'lead.created', status, 1, 8,
           CASE WHEN status = 'pending' THEN ts + interval '1 minute' END, 'dlv_' || stem || '-2', 'retry', 'att_' || attempt_stem, ts, ts
    FROM gen`);
  await client.query(`
    INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, status_code, response_headers, response_body,
                          response_body_size, response_time_ms, timings, attempted_at, stats_endpoint_id)
    SELECT 'att_' || attempt_stem, 'dlv_' || stem, 1, 'initial',
           jsonb_build_object('content-type', 'application/json', 'user-agent', 'Dispatch-Webhooks/1.0', 'webhook-id', 'evt_' || stem,
                              'webhook-timestamp', extract(epoch FROM ts)::bigint::text, 'webhook-signature', 'v1,' || md5(stem) || md5(stem || 'x')),
           CASE status WHEN 'succeeded' THEN 200 WHEN 'pending' THEN 503 ELSE 500 END,
           '{"content-type":"text/plain"}'::jsonb, CASE status WHEN 'succeeded' THEN 'ok' ELSE 'unavailable' END, 2, 20 + n % 80,
           jsonb_build_object('dns', null, 'connect', 1, 'tls', null, 'firstByte', 18 + n % 80, 'total', 20 + n % 80),
           ts + interval '100 milliseconds', 'wh_bench' || lpad((n % ${ENDPOINTS})::text, 2, '0')
    FROM gen`);
  await client.query('COMMIT');
}
