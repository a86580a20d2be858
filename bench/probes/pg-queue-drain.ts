import { cpuUsage } from 'node:process';
import pg from 'pg';
import { createQueueBackend, Queues } from '@dispatch/queue';

// How fast BullMQ's Postgres backend, built by Dispatch's factory, drains no-op delivery jobs, per
// worker concurrency and queue pool size: the knobs of the Postgres queue mode, without HTTP.
// `tsx --conditions=dispatch-source bench/probes/pg-queue-drain.ts` (PROBE_JOBS, PROBE_CONCURRENCY=10,50,
// PROBE_POOL=5,10,20). Needs the local Postgres; uses a database of its own, dropped at the end.

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const jobs = Number(process.env.PROBE_JOBS ?? 5_000);
const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map(Number);
const database = `dispatch_probe_${process.pid}`;
const url = new URL(base);
url.pathname = `/${database}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function drain(concurrency: number, poolSize: number): Promise<{ perSecond: number; probeCpuMs: number }> {
  const backend = createQueueBackend({ kind: 'postgres', prefix: `p${concurrency}_${poolSize}`, redisUrl: '', databaseUrl: url.toString(), poolSize, applicationName: 'probe' });
  const queues = new Queues(backend);
  const items = Array.from({ length: jobs }, (_, i) => ({ deliveryId: `dlv_${i}`, endpointId: 'ep', workspaceId: 'ws', jobId: `j${i}`, attemptsLeft: 1 }));
  for (let i = 0; i < items.length; i += 1_000) await queues.enqueueDeliveries(items.slice(i, i + 1_000));
  let done = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  const cpu = cpuUsage();
  const worker = backend.worker(
    '{deliveries}',
    async () => {
      if (++done === jobs) finish();
    },
    { concurrency },
  );
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const used = cpuUsage(cpu);
  await worker.close();
  await queues.close();
  await backend.close();
  return { perSecond: Math.round(jobs / seconds), probeCpuMs: Math.round((used.user + used.system) / 1000) };
}

await admin(`CREATE DATABASE "${database}"`);
try {
  for (const concurrency of list('PROBE_CONCURRENCY', '10,50')) {
    for (const pool of list('PROBE_POOL', '5,10,20')) {
      const figure = await drain(concurrency, pool);
      process.stdout.write(`concurrency ${concurrency}, pool ${pool}: ${figure.perSecond} jobs/s (probe CPU ${figure.probeCpuMs} ms)\n`);
    }
  }
} finally {
  await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
}
