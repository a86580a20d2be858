import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createDb, runMigrations, type Database } from '@dispatch/db';
import { createQueueBackend, Queues } from '@dispatch/queue';
import pg from 'pg';
import { deleteKeysMatching } from '../test-support/redis-keys.js';
import { ENDPOINTS, generateChunk, historyShape, seedTenants } from './history/generate.js';
import { measureReads, type Sample } from './history/reads.js';
import { measureClaimAndRecord, measureIngest, measurePruneDay, measureReconcile, type IngestFigures } from './history/writes.js';

// `pnpm bench:history`: Dispatch's history at scale (issue 19). In a database of its own, a history
// generated in SQL (BENCH_HISTORY_DELIVERIES deliveries, one attempt each, over 30 days and 10
// workspaces); next to it, ingest (in turns with an empty database), the claim and the record, every
// read the API makes (p50/p99), the reconciler over the overdue deliveries after a Redis loss, and
// pruning the oldest day. Prints JSON and writes bench/results/history-<n>.json.

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const N = env('BENCH_HISTORY_DELIVERIES', 200_000);
const SAMPLES = env('BENCH_HISTORY_SAMPLES', 200);
const OVERDUE = env('BENCH_HISTORY_OVERDUE', 100_000);
const CHUNK = 100_000;
const INGEST_ROUNDS = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `dispatch_bench_history_${randomBytes(3).toString('hex')}`;
const databaseUrl = (database: string) => Object.assign(new URL(base), { pathname: `/${database}` }).toString();
const url = databaseUrl(name);
// The empty database the history's ingest is compared with, measured in turns with it.
const emptyName = `${name}_empty`;
const prefix = name;
const log = (message: string) => process.stderr.write(`[history ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: Object.assign(new URL(base), { pathname: '/postgres' }).toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Ingest on the empty database and next to the history in turns, so that a drift of the machine's speed hits both. */
async function compareIngest(empty: Database, full: Database) {
  const rounds = { empty: [] as IngestFigures[], full: [] as IngestFigures[] };
  for (const db of [empty, full]) await measureIngest(db, 500, 8); // warm-up
  for (let round = 0; round < INGEST_ROUNDS; round += 1) {
    rounds.empty.push(await measureIngest(empty, 4_000, 8));
    rounds.full.push(await measureIngest(full, 4_000, 8));
  }
  const median = (figures: IngestFigures[]) => [...figures].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond)[Math.floor(figures.length / 2)]!;
  const [e, f] = [median(rounds.empty), median(rounds.full)];
  return {
    empty: { statement: e.statement, eventsPerSecond: e.eventsPerSecond, rounds: rounds.empty.map((r) => r.eventsPerSecond) },
    full: { statement: f.statement, eventsPerSecond: f.eventsPerSecond, rounds: rounds.full.map((r) => r.eventsPerSecond) },
    ratio: Math.round((f.eventsPerSecond / e.eventsPerSecond) * 100) / 100,
    newDeliveries: rounds.full.flatMap((r) => r.deliveryIds),
  };
}

/** Every read, at deliveries drawn at random from the history. */
async function measureAllReads(sampler: pg.Client, db: Database, shape: ReturnType<typeof historyShape>) {
  const drawn = await sampler.query<Sample>(`
    SELECT id, workspace_id AS "workspaceId", endpoint_id AS "endpointId", event_id AS "eventId"
    FROM deliveries TABLESAMPLE BERNOULLI (${Math.min(100, (200_000 / N) * 100)}) LIMIT 5000`);
  return measureReads(db, shape, SAMPLES, drawn.rows);
}

// BENCH_HISTORY_REUSE=<database>: only the reads, again, on a history an earlier run kept (BENCH_HISTORY_KEEP=1)
// the same day, with the same BENCH_HISTORY_DELIVERIES; migrations it lacks are applied first.
const reuse = process.env.BENCH_HISTORY_REUSE;
if (reuse) {
  const kept = createDb(databaseUrl(reuse), { max: 10 });
  const sampler = new pg.Client({ connectionString: databaseUrl(reuse) });
  await runMigrations(kept.db);
  await sampler.connect();
  const reads = await measureAllReads(sampler, kept.db, historyShape(N, 30, OVERDUE)).finally(() => Promise.all([sampler.end(), kept.close()]));
  process.stdout.write(`${JSON.stringify({ deliveries: N, samples: SAMPLES, database: reuse, loadAverage: loadavg(), reads }, null, 2)}\n`);
  process.exit(0);
}

const results: Record<string, unknown> = { deliveries: N, samples: SAMPLES, database: name, loadAverageAtStart: loadavg() };
await admin(`CREATE DATABASE "${name}"`);
await admin(`CREATE DATABASE "${emptyName}"`);
const emptyHandle = createDb(databaseUrl(emptyName), { max: 10 });
// The API's pool size; the worker's keyed-lookups setting does not matter for these statements.
const handle = createDb(url, { max: 10 });
const queues = new Queues(
  createQueueBackend({ kind: 'redis', prefix, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', databaseUrl: url, poolSize: 1, applicationName: 'bench-history' }),
);
const client = new pg.Client({ connectionString: url });
try {
  await runMigrations(handle.db);
  await runMigrations(emptyHandle.db);
  await client.connect();
  await seedTenants(client);
  const emptyClient = new pg.Client({ connectionString: databaseUrl(emptyName) });
  await emptyClient.connect();
  await seedTenants(emptyClient).finally(() => emptyClient.end());
  const shape = historyShape(N, 30, OVERDUE);

  let started = performance.now();
  for (let from = 0; from < N; from += CHUNK) {
    await generateChunk(client, shape, from, Math.min(N, from + CHUNK));
    log(`generated ${Math.min(N, from + CHUNK)} of ${N}`);
  }
  results.generateSeconds = Math.round((performance.now() - started) / 1000);
  started = performance.now();
  await client.query('VACUUM (ANALYZE) events, deliveries, attempts');
  // Writing gigabytes in minutes leaves a checkpoint due; taken now, it does not land in the measurements.
  await client.query('CHECKPOINT');
  results.vacuumAnalyzeSeconds = Math.round((performance.now() - started) / 1000);
  const size = await client.query<{ db: string; bytes: string }>(`SELECT pg_size_pretty(pg_database_size(current_database())) AS db, pg_database_size(current_database()) AS bytes`);
  results.databaseSize = size.rows[0]!.db;

  log('ingest on an empty database and next to the history, in turns');
  const { newDeliveries, ...ingest } = await compareIngest(emptyHandle.db, handle.db);
  results.ingestEmpty = ingest.empty;
  results.ingestFull = ingest.full;
  results.ingestRatio = ingest.ratio;

  log('claim and record');
  results.claimAndRecord = await measureClaimAndRecord(handle.db, newDeliveries.slice(0, 2_000));

  log('reads');
  results.reads = await measureAllReads(client, handle.db, shape);
  results.endpoints = ENDPOINTS;

  log('reconciler after a Redis loss');
  results.reconcile = await measureReconcile(handle.db, queues);

  log('prune the oldest day');
  const before = new Date(Math.floor(shape.start / DAY_MS) * DAY_MS + 2 * DAY_MS);
  results.pruneDay = { before: before.toISOString(), ...(await measurePruneDay(handle.db, before)) };
  results.loadAverageAtEnd = loadavg();
} catch (error) {
  results.error = (error as Error).stack ?? String(error);
} finally {
  await client.end().catch(() => undefined);
  await queues.close().catch(() => undefined);
  await deleteKeysMatching(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `${prefix}:*`).catch(() => undefined);
  await handle.close();
  await emptyHandle.close();
  await admin(`DROP DATABASE IF EXISTS "${emptyName}" WITH (FORCE)`);
  if (process.env.BENCH_HISTORY_KEEP !== '1') await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
const out = JSON.stringify(results, null, 2);
process.stdout.write(`${out}\n`);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`results/history-${N}.json`, import.meta.url), out);
process.exit(results.error ? 1 : 0);
