import { generateSecret, getEventDefinition, newId, SecretBox, serializeEnvelope } from '@dispatch/core';
import { createDb } from '@dispatch/db';
import { benchConfig as config, databaseUrl } from './lib/config.js';
import { createDatabase, dropDatabase } from './lib/infra.js';
import { cpuMsOf, machineBusyCores } from './lib/procstats.js';
import { perSecond, round } from './lib/stats.js';
import { ingestVariants } from './lib/ingest-variants.js';
import { variants } from './lib/sql-variants.js';

// What recording one successful attempt costs in Postgres, by the shape of the SQL: today's claim +
// five-statement transaction through drizzle, against one-statement, prepared and batched forms.
// Same pool size (20) and concurrency (50) as a worker, no HTTP, so only the database path differs.
// Usage: pnpm exec tsx --conditions=dispatch-source bench/sql-cost.ts   (BENCH_SQL_DELIVERIES=4000 per variant)

const perVariant = Number(process.env.BENCH_SQL_DELIVERIES ?? 4_000);
const CONCURRENCY = 50;
const log = (message: string) => process.stderr.write(`[sql-cost] ${message}\n`);

await createDatabase(config);
const handle = createDb(databaseUrl(config), { max: 20, applicationName: 'dispatch-bench-sql' });
try {
  const { pool } = handle;
  const list = await variants(pool, handle.db as never);
  const workspaceId = newId('workspace');
  const endpointId = newId('workspaceWebhook');
  await pool.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'sql-cost')`, [workspaceId]);
  await pool.query(
    `INSERT INTO endpoints (id, workspace_id, kind, url, url_normalized, event_types, secret_sealed, secret_hint)
     VALUES ($1, $2, 'workspace_webhook', 'http://127.0.0.1:9/x', 'http://127.0.0.1:9/x', ARRAY['payout.created'], $3, 'abcd')`,
    [endpointId, workspaceId, new SecretBox(config.encryptionKey).seal(generateSecret())],
  );
  const data = getEventDefinition('payout.created').example;
  const seed = async (count: number) => {
    const events = Array.from({ length: count }, () => newId('event'));
    const deliveries = events.map(() => newId('delivery'));
    const payloads = events.map((id) => serializeEnvelope({ id, type: 'payout.created', timestamp: new Date().toISOString(), data }));
    await pool.query(
      `INSERT INTO events (id, workspace_id, type, payload) SELECT u.id, $1, 'payout.created', u.payload FROM unnest($2::text[], $3::text[]) AS u(id, payload)`,
      [workspaceId, events, payloads],
    );
    await pool.query(
      `INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, max_attempts, next_attempt_at, job_id)
       SELECT u.id, $1, u.event_id, $2, 'workspace_webhook', 'payout.created', 8, now(), u.id || '-1' FROM unnest($3::text[], $4::text[]) AS u(id, event_id)`,
      [workspaceId, endpointId, deliveries, events],
    );
    return deliveries;
  };
  const backends = async () =>
    (await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 OR backend_type <> 'client backend'`, [config.databaseName])).rows.map((r) => r.pid);
  const wal = async () => Number((await pool.query<{ b: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS b`)).rows[0]!.b);

  interface Measured {
    name: string;
    run(index: number): Promise<void>;
    eventsPerRun?: number;
    batchers?: { flushes: number; items: number }[];
  }
  const measure = async (variant: Measured, count: number, concurrency: number): Promise<string[]> => {
    const per = variant.eventsPerRun ?? 1;
    const warmRuns = per > 1 ? 4 : 200;
    for (let i = 0; i < warmRuns; i += concurrency) await Promise.all(Array.from({ length: concurrency }, (_, k) => variant.run(i + k)));
    const pids = await backends();
    const pgBefore = new Map(pids.map((pid) => [pid, cpuMsOf(pid)]));
    const walBefore = await wal();
    const cpuBefore = process.cpuUsage();
    const batchBefore = (variant.batchers ?? []).map((b) => ({ ...b }));
    const startedAt = performance.now();
    let next = warmRuns;
    const end = warmRuns + count;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < end) await variant.run(next++);
      }),
    );
    const elapsed = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    const pgMs = (await backends()).reduce((sum, pid) => sum + Math.max(0, cpuMsOf(pid) - (pgBefore.get(pid) ?? 0)), 0);
    const walBytes = (await wal()) - walBefore;
    const perTrip = (variant.batchers ?? [])
      .map((b, i) => round((b.items - batchBefore[i]!.items) / Math.max(1, b.flushes - batchBefore[i]!.flushes)))
      .join(' / ');
    log(`${variant.name}: done`);
    const units = count * per;
    return [variant.name, String(perSecond(units, elapsed)), String(round((cpu.user + cpu.system) / units)), String(round((pgMs * 1000) / units)), String(Math.round(walBytes / units)), perTrip || String(per)];
  };

  const workerRows: string[][] = [];
  for (const variant of list) {
    const ids = await seed(perVariant + 200);
    workerRows.push(await measure({ ...variant, run: (i) => variant.deliver(ids[i]!, `${ids[i]!}-1`) }, perVariant, CONCURRENCY));
  }
  const ingestRows: string[][] = [];
  for (const variant of await ingestVariants(pool, handle.db as never, workspaceId, endpointId)) {
    const batch = (variant.eventsPerRun ?? 1) > 1;
    ingestRows.push(await measure({ ...variant, run: () => variant.accept() }, batch ? 40 : perVariant, batch ? 4 : 64));
  }
  const busy = await machineBusyCores(1_000);
  const table = (header: string[], rows: string[][]) => {
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ');
    return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
  };
  const unit = (what: string, plural: string) => ['variant', `${plural}/s`, `client µs/${what}`, `Postgres µs/${what}`, `WAL bytes/${what}`, `${plural} per round trip`];
  process.stdout.write(`worker: record one successful attempt (${n(perVariant)} per variant, ${CONCURRENCY} concurrent, pool of 20)\n${table(unit('delivery', 'deliveries'), workerRows)}\n\n`);
  process.stdout.write(`API: accept one event with one delivery (${n(perVariant)} per variant, 64 concurrent, pool of 20)\n${table(unit('event', 'events'), ingestRows)}\n`);
  process.stdout.write(`(machine busy after: ${busy} cores)\n`);
} finally {
  await handle.close();
  await dropDatabase(config);
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}
