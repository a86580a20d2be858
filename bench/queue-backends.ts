import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchConfig as config } from './lib/config.js';
import type { Results } from './lib/report.js';

// `pnpm bench:queues`: the throughput scenario (BENCH_EVENTS events, one worker) on the Redis queue
// backend, then on BullMQ's Postgres backend, each a whole `pnpm bench` run of its own (own database,
// prefix and children), and the Postgres figure as a ratio of the Redis one.

const TARGET_POSTGRES_PER_SECOND = 800;
const backends = ['redis', 'postgres'] as const;
const log = (message: string) => process.stderr.write(`[bench:queues] ${message}\n`);

const figures: Record<string, { steady: number | null; firstToLast: number | null; loadAtStart: number[]; errors: string[] }> = {};
for (const backend of backends) {
  const out = `queues-${backend}.json`;
  log(`throughput on the ${backend} queue backend...`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=dispatch-source', join(import.meta.dirname, 'run.ts')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, BENCH_ONLY: 'throughput', BENCH_WORKERS: process.env.BENCH_WORKERS ?? '1', BENCH_QUEUE_BACKEND: backend, BENCH_OUT: out },
  });
  const results = JSON.parse(readFileSync(join(config.resultsDir, out), 'utf8')) as Results;
  const first = results.throughput?.[0];
  figures[backend] = {
    steady: first?.steadyDeliveriesPerSecond ?? null,
    firstToLast: first?.firstToLastDeliveriesPerSecond ?? null,
    loadAtStart: results.machine.loadAverageAtStart as number[],
    errors: [...results.errors, ...(run.status === 0 ? [] : [`exit ${run.status}`])],
  };
}

const redis = figures.redis?.steady;
const postgres = figures.postgres?.steady;
const ratio = redis && postgres ? Math.round((postgres / redis) * 100) / 100 : null;
const summary = { events: config.events, figures, postgresToRedis: ratio, target: TARGET_POSTGRES_PER_SECOND, loadAverageAtEnd: loadavg() };
writeFileSync(join(config.resultsDir, 'queue-backends.json'), `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(
  [
    '',
    '| queue backend | steady deliveries/s | first to last /s |',
    '| --- | --- | --- |',
    ...backends.map((b) => `| ${b} | ${figures[b]?.steady ?? 'failed'} | ${figures[b]?.firstToLast ?? 'failed'} |`),
    '',
    `postgres / redis: ${ratio ?? 'n/a'}; target on postgres: >= ${TARGET_POSTGRES_PER_SECOND}/s (${postgres && postgres >= TARGET_POSTGRES_PER_SECOND ? 'met' : 'not met'})`,
    '',
  ].join('\n'),
);
if (Object.values(figures).some((f) => f.errors.length > 0)) {
  console.error(`errors: ${JSON.stringify(Object.fromEntries(Object.entries(figures).map(([b, f]) => [b, f.errors])))}`);
  process.exitCode = 1;
}
