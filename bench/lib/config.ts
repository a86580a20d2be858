import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

// Everything the bench can be told, read once from the environment. Defaults keep `pnpm bench` to a
// few minutes; BENCH_QUICK=1 is a smoke run.

const quick = process.env.BENCH_QUICK === '1';

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function list(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${s}" is not a positive integer`);
    return n;
  });
}

const suffix = randomBytes(4).toString('hex');

export const benchConfig = {
  quick,
  /** The checkout whose apps/ and packages/ are measured (another worktree for an A/B run). */
  root: process.env.BENCH_ROOT ?? fileURLToPath(new URL('../..', import.meta.url)),
  resultsDir: fileURLToPath(new URL('../results', import.meta.url)),
  databaseBaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /**
   * BENCH_QUEUE_BACKEND=postgres runs Dispatch on BullMQ's Postgres backend (the children get a
   * REDIS_URL where nothing listens); `pnpm bench:queues` runs the throughput scenario on both.
   */
  queueBackend: process.env.BENCH_QUEUE_BACKEND === 'postgres' ? ('postgres' as const) : ('redis' as const),
  databaseName: `dispatch_bench_${suffix}`,
  queuePrefix: `dispatch_bench_${suffix}`,
  adminToken: `bench-admin-${randomBytes(12).toString('hex')}`,
  encryptionKey: `bench-encryption-${randomBytes(16).toString('hex')}`,
  /** Which scenarios run (comma list of baseline,latency,ingest,throughput,fanout,neighbours); all by default. */
  only: new Set((process.env.BENCH_ONLY ?? 'baseline,latency,ingest,throughput,fanout,neighbours').split(',').map((s) => s.trim())),
  events: int('BENCH_EVENTS', quick ? 4_000 : 20_000),
  /** Worker process counts for the throughput scenario, e.g. "1,2". */
  workers: list('BENCH_WORKERS', [1, 2]),
  /** API process counts for the ingest scenario's closed loops, e.g. "1,2" (requests spread over them in turn). */
  apis: list('BENCH_APIS', [1, 2]),
  baselineMs: int('BENCH_BASELINE_MS', quick ? 2_000 : 5_000),
  warmupMs: int('BENCH_WARMUP_MS', quick ? 500 : 1_000),
  inFlight: int('BENCH_IN_FLIGHT', 50),
  latencyRate: int('BENCH_LATENCY_RATE', 500),
  latencyMs: int('BENCH_LATENCY_MS', quick ? 3_000 : 10_000),
  /** Sent at the same rate before the measured window (and not measured): see runLatency. */
  latencyWarmupMs: int('BENCH_LATENCY_WARMUP_MS', quick ? 1_000 : 3_000),
  neighboursRate: int('BENCH_NEIGHBOURS_RATE', 200),
  neighboursMs: int('BENCH_NEIGHBOURS_MS', quick ? 3_000 : 10_000),
  /** Events/s of the busy workspace in the neighbours scenario (each to its 100 hanging endpoints). */
  neighboursBusyRate: int('BENCH_NEIGHBOURS_BUSY_RATE', 2),
  ingestMs: int('BENCH_INGEST_MS', quick ? 2_000 : 5_000),
  ingestConcurrency: int('BENCH_INGEST_CONCURRENCY', 64),
  /** The fixed rate at which single-event ingest latency is measured (the target's 2,000 requests/s). */
  ingestRate: int('BENCH_INGEST_RATE', 2_000),
  fanouts: list('BENCH_FANOUTS', quick ? [1_000, 2_000] : [1_000, 10_000]),
  /**
   * Run the API and workers from source through tsx instead of the compiled build (`pnpm -r build`,
   * done by the bench) that operators run. Source costs more CPU and memory (tsx, source maps).
   */
  fromSource: process.env.BENCH_SOURCE === '1',
  /** Write a CPU profile of the API and worker children (node --cpu-prof) and summarise it. */
  profile: process.env.BENCH_PROFILE === '1',
  /** Count SQL statements and Redis commands inside the children (a preload: a Map update per query). */
  count: process.env.BENCH_COUNT !== '0',
  /** "got" (what Dispatch ships) or "node-http" (a preload swaps the worker's transport, for comparison). */
  transport: process.env.BENCH_TRANSPORT === 'node-http' ? ('node-http' as const) : ('got' as const),
  /** Extra environment for the worker children (e.g. DISPATCH_WORKER_CONCURRENCY=100). */
  workerConcurrency: process.env.DISPATCH_WORKER_CONCURRENCY,
  /** The worker settings that decide how bad endpoints are contained; the children inherit them from this environment. */
  workerSettings: Object.fromEntries(
    ['DISPATCH_WORKER_CONCURRENCY', 'DISPATCH_ENDPOINT_CONCURRENCY', 'DISPATCH_BREAKER_PAUSE', 'DISPATCH_REQUEST_TIMEOUT'].map((name) => [name, process.env[name] ?? null]),
  ) as Record<string, string | null>,
};

export type BenchConfig = typeof benchConfig;

export const databaseUrl = (config: BenchConfig, name = config.databaseName) => {
  const url = new URL(config.databaseBaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
};
