import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchConfig as config } from './lib/config.js';
import { closeCounters } from './lib/counters.js';
import { createTenant, createWebhook, postEventsInBatches, type Tenant } from './lib/dispatch-api.js';
import { createDatabase, deleteRedisKeys, dropDatabase, waitUntil } from './lib/infra.js';
import { machineBusyCores } from './lib/procstats.js';
import { describeOutput, killAllChildrenNow, stopAllChildren } from './lib/processes.js';
import { formatTable, tableRows, type Results } from './lib/report.js';
import { System } from './lib/system.js';
import { formatSummary, profileFiles, summarizeProfile } from './probes/summarize-profile.js';
import { measureGot, runBaselines } from './scenarios/baseline.js';
import { runFanout, seedEndpoints } from './scenarios/fanout.js';
import { runIngest } from './scenarios/ingest.js';
import { runLatency } from './scenarios/latency.js';
import { runNeighbours } from './scenarios/neighbours.js';
import { runThroughput } from './scenarios/throughput.js';

// `pnpm bench`: starts its own Dispatch (API + worker from source, own database and BullMQ prefix,
// a loopback receiver), runs the scenarios of issue 5, prints a table and writes results/latest.json.
// Whatever happens, the children are stopped, the database dropped and the Redis keys deleted.

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const wanted = (name: string) => config.only.has(name);

const results: Results = {
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
  },
  config: {
    quick: config.quick,
    events: config.events,
    workers: config.workers,
    inFlight: config.inFlight,
    latencyRate: config.latencyRate,
    ingestRate: config.ingestRate,
    fanouts: config.fanouts,
    neighboursRate: config.neighboursRate,
    neighboursMs: config.neighboursMs,
    neighboursBusyRate: config.neighboursBusyRate,
    workerSettings: config.workerSettings,
    transport: config.transport,
    countingPreload: config.count,
    profile: config.profile,
    database: config.databaseName,
    queuePrefix: config.queuePrefix,
    queueBackend: config.queueBackend,
    startedAt: new Date().toISOString(),
  },
  errors: [],
};

let system: System | undefined;
let databaseCreated = false;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    log('cleaning up: children, database, Redis keys');
    await (system ? system.stop() : stopAllChildren()).catch((e: Error) => results.errors.push(`stop: ${e.message}`));
    await stopAllChildren().catch(() => undefined);
    if (databaseCreated) await dropDatabase(config).catch((e: Error) => results.errors.push(`drop database: ${e.message}`));
    if (config.queueBackend === 'redis') await deleteRedisKeys(config).catch((e: Error) => results.errors.push(`redis cleanup: ${e.message}`));
    await closeCounters();
  })();
  return cleaning;
}

// Last resort: whatever ends this process, no child outlives it.
process.on('exit', killAllChildrenNow);
process.on('uncaughtException', (error) => {
  log(`uncaught: ${error.stack ?? error.message}`);
  void cleanup().finally(() => process.exit(1));
});

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) {
      killAllChildrenNow();
      process.exit(130);
    }
    interrupted = true;
    log(`${signal}: stopping (again to kill at once)`);
    void cleanup().finally(() => process.exit(130));
  });
}

/**
 * Empties the tables that grow with traffic, so a scenario measures the same whichever ran before it
 * (a full run's figures match `BENCH_ONLY=<scenario>`). Endpoints, keys and tenants stay. Without
 * this the scenarios at the end ran on the events of all those before them, a database grown past
 * Postgres's shared_buffers, where it spends far more CPU per event (bench/RESULTS.md).
 */
async function startFromEmptyTables(s: System): Promise<void> {
  await s.pg.query('TRUNCATE attempts, deliveries, events');
  // The previous scenario's dirty pages are written now, not during the next one (needs a superuser
  // or pg_checkpoint; without it the next scenario may just pay for them).
  await s.pg.query('CHECKPOINT').catch(() => undefined);
}

async function scenario<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  log(`${name}...`);
  const started = performance.now();
  try {
    const value = await run();
    log(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return value;
  } catch (error) {
    const message = `${name}: ${(error as Error).message}`;
    results.errors.push(message);
    log(`FAILED ${message}`);
    for (const child of system ? [system.api, ...system.workers] : []) if (child) log(describeOutput(child));
    return undefined;
  }
}

/** BENCH_WAIT_QUIET=<seconds>: on a shared machine, wait (up to that long) until others leave the CPU alone. */
async function waitForQuietMachine(): Promise<void> {
  const limitMs = Number(process.env.BENCH_WAIT_QUIET ?? 0) * 1000;
  const deadline = Date.now() + limitMs;
  let busy = await machineBusyCores();
  while (busy > 0.25 && Date.now() < deadline) {
    log(`machine busy (${busy} cores used by others); waiting`);
    busy = await machineBusyCores(5_000);
  }
  results.machine.busyCoresBeforeStart = busy;
  if (busy > 0.25) log(`warning: ${busy} cores were busy before the bench started; figures will be low and noisy`);
}

async function main(): Promise<void> {
  await waitForQuietMachine();
  log(`database ${config.databaseName}, prefix ${config.queuePrefix}, queue backend ${config.queueBackend}${config.quick ? ' (quick mode)' : ''}`);
  if (!config.fromSource) {
    log('building (pnpm -r build)...');
    execFileSync('pnpm', ['-r', 'build'], { cwd: config.root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  await createDatabase(config);
  databaseCreated = true;
  system = new System(config);
  await system.start();
  const s = system;
  const version = await s.pg.query<{ v: string }>('SHOW server_version');
  results.machine.postgres = version.rows[0]?.v;

  // Tenants: one per scenario, so each scenario's webhooks and counts are its own.
  const main = await createTenant(s, 'bench main');
  const mainEndpoint = await createWebhook(s, main, s.receiver.url('/main'));
  const pure = await createTenant(s, 'bench ingest');

  await scenario('warm-up (2,000 events end to end)', async () => {
    await s.receiver.reset();
    const ids = await postEventsInBatches(s, main, config.quick ? 1_000 : 2_000);
    await waitUntil('warm-up deliveries', async () => (await s.receiver.stats()).count >= ids.length, 120_000, 100);
  });
  void mainEndpoint;

  if (wanted('baseline')) results.baseline = await scenario('baselines (got, node:http)', () => runBaselines(s));
  if (wanted('latency')) await startFromEmptyTables(s);
  if (wanted('latency')) results.latency = await scenario(`latency at ${config.latencyRate} events/s`, () => runLatency(s, main));
  if (wanted('ingest')) await startFromEmptyTables(s);
  if (wanted('ingest')) results.ingest = await scenario('ingest', () => runIngest(s, pure, main));

  const workerCounts = [...new Set(config.workers)].sort((a, b) => a - b);
  let fanoutDone = !wanted('fanout');
  const runFanouts = async () => {
    fanoutDone = true;
    results.fanout = [];
    for (const endpoints of config.fanouts) {
      const tenant: Tenant = await createTenant(s, `bench fanout ${endpoints}`);
      const path = `/fanout/${endpoints}`;
      await seedEndpoints(s, tenant, endpoints, s.receiver.url(path));
      await startFromEmptyTables(s);
      const figure = await scenario(`fan-out to ${endpoints.toLocaleString('en-US')} endpoints`, () => runFanout(s, tenant, endpoints, path));
      if (figure) results.fanout.push(figure);
    }
  };

  if (wanted('throughput')) {
    results.throughput = [];
    // The got loop runs right before and right after each end-to-end run, and the ratio is taken to
    // the mean of the two: a shared VM's speed drifts within minutes (bench/RESULTS.md), and a
    // baseline from minutes earlier skewed the ratio.
    const gotLoop = () => scenario('got baseline', () => measureGot(s));
    for (const count of workerCounts) {
      while (s.workers.length < count) await s.addWorker();
      const tenant = await createTenant(s, `bench throughput ${count}`);
      const endpointId = await createWebhook(s, tenant, s.receiver.url(`/throughput/${count}`));
      await startFromEmptyTables(s);
      const gotBefore = await gotLoop();
      const figure = await scenario(`throughput, ${count} worker(s), ${config.events.toLocaleString('en-US')} events`, () => runThroughput(s, tenant, endpointId));
      const gotAfter = await gotLoop();
      const around = [gotBefore?.requestsPerSecond, gotAfter?.requestsPerSecond].filter((v): v is number => v !== undefined && v > 0);
      const got = around.length > 0 ? around.reduce((a, b) => a + b, 0) / around.length : null;
      if (figure) {
        results.throughput.push({
          ...figure,
          gotAround: { before: gotBefore?.requestsPerSecond ?? null, after: gotAfter?.requestsPerSecond ?? null },
          ratioToGot: got ? Math.round((figure.steadyDeliveriesPerSecond / got) * 100) / 100 : null,
        });
      }
      // Fan-out runs with the default single worker, like the targets assume.
      if (!fanoutDone && s.workers.length === 1) await runFanouts();
    }
  }
  if (!fanoutDone) await runFanouts();

  // Last: it leaves retries and held-back jobs of its (disabled) bad endpoints in the queue.
  if (wanted('neighbours')) {
    // With the default single worker, like fan-out and the targets: the guard that holds a bad
    // endpoint back is per process, and a second worker process on the same cores is a different
    // figure (bench/RESULTS.md).
    while (s.workers.length > 1) await s.removeWorker();
    const alone = await createTenant(s, 'bench neighbours alone');
    const crowded = await createTenant(s, 'bench neighbours crowded');
    const workspaces = { other: await createTenant(s, 'bench neighbours other workspace'), busy: await createTenant(s, 'bench neighbours busy workspace') };
    await startFromEmptyTables(s);
    results.neighbours = await scenario(`neighbours at ${config.neighboursRate} events/s`, () => runNeighbours(s, alone, crowded, workspaces));
  }
}

const startedAt = performance.now();
try {
  await main();
} catch (error) {
  results.errors.push(`fatal: ${(error as Error).stack ?? String(error)}`);
  log(`FATAL ${(error as Error).message}`);
} finally {
  await cleanup();
}

if (config.profile && system) {
  const files = profileFiles(system.profileDir);
  results.profile = files.map((file) => summarizeProfile(file, 30));
  for (const file of files) process.stdout.write(`${formatSummary(summarizeProfile(file, 25), 25)}\n\n`);
}

results.config.elapsedSeconds = Math.round((performance.now() - startedAt) / 1000);
mkdirSync(config.resultsDir, { recursive: true });
const outFile = join(config.resultsDir, process.env.BENCH_OUT ?? 'latest.json');
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\n${formatTable(tableRows(results))}\n\n`);
process.stdout.write(`machine: ${JSON.stringify(results.machine)}\nwritten: ${outFile} (${results.config.elapsedSeconds} s)\n`);
if (results.errors.length) {
  console.error(`errors:\n  ${results.errors.join('\n  ')}`);
  process.exitCode = 1;
}
