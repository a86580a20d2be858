import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import pg from 'pg';
import { createQueueBackend, QUEUES, type AnyQueue, type QueueBackend } from '@dispatch/queue';
import { databaseUrl, type BenchConfig } from './config.js';
import { freePort, waitUntil } from './infra.js';
import { benchFile, describeOutput, spawnNode, stopChild, type Child, ReceiverClient } from './processes.js';
import { httpRequest, keepAliveAgent } from './http.js';
import { compiledPreload } from './preloads.js';

// One Dispatch under test: the API and worker children started from source with the bench's own
// database, prefix and tokens, plus the loopback receiver and the driver's own observers.

export interface CountsSnapshot {
  sqlTotal: number;
  sql: Record<string, number>;
  redisTotal: number;
  redisPipelined: number;
  redis: Record<string, number>;
}

export class System {
  api!: Child;
  apiUrl = '';
  /** Every API process (the first is `api`) and its URL. */
  apis: Child[] = [];
  apiUrls: string[] = [];
  readonly workers: Child[] = [];
  receiver!: ReceiverClient;
  /** The driver's own connections: counts in Postgres and BullMQ, fan-out job completions. */
  readonly pg: pg.Client;
  readonly queueBackend: QueueBackend;
  readonly deliveriesQueue: AnyQueue;
  /** Fan-out job completions; Redis backend only (the fan-out scenario needs it). */
  readonly fanoutEvents: QueueEvents | undefined;
  readonly agent = keepAliveAgent(256);
  readonly countsDir: string;
  readonly profileDir: string;

  constructor(readonly config: BenchConfig) {
    this.pg = new pg.Client({ connectionString: databaseUrl(config), application_name: 'dispatch-bench' });
    this.queueBackend = createQueueBackend({
      kind: config.queueBackend,
      prefix: config.queuePrefix,
      redisUrl: config.redisUrl,
      databaseUrl: databaseUrl(config),
      poolSize: 2,
      applicationName: 'dispatch-bench',
    });
    this.deliveriesQueue = this.queueBackend.queue(QUEUES.deliveries);
    const connection = { url: config.redisUrl, maxRetriesPerRequest: null };
    this.fanoutEvents =
      config.queueBackend === 'redis' ? new QueueEvents(QUEUES.fanout, { connection, prefix: config.queuePrefix, autorun: true }) : undefined;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.countsDir = join(config.resultsDir, 'counts', stamp);
    this.profileDir = join(config.resultsDir, 'profiles', stamp);
    mkdirSync(this.countsDir, { recursive: true });
    if (config.profile) mkdirSync(this.profileDir, { recursive: true });
  }

  private childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl(this.config),
      // On the Postgres backend nothing may use Redis: a closed port makes any attempt fail.
      REDIS_URL: this.config.queueBackend === 'postgres' ? 'redis://127.0.0.1:1' : this.config.redisUrl,
      DISPATCH_QUEUE_BACKEND: this.config.queueBackend,
      DISPATCH_QUEUE_PREFIX: this.config.queuePrefix,
      DISPATCH_ADMIN_TOKEN: this.config.adminToken,
      DISPATCH_ALLOW_PRIVATE_DESTINATIONS: 'true',
      DISPATCH_RATE_LIMIT: '1000000',
      // The bench's own random key, and no ring from the shell (both at once are refused).
      DISPATCH_ENCRYPTION_KEY: this.config.encryptionKey,
      DISPATCH_ENCRYPTION_KEYS: '',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      // Several workers run at once: each one's health server on a port of its own.
      DISPATCH_WORKER_PORT: '0',
      ...extra,
    };
    delete env.NODE_OPTIONS;
    return env;
  }

  /** `app` is api or worker: its compiled build, or its source with BENCH_SOURCE=1. */
  private nodeArgs(name: string, app: string, extraImports: string[] = []): string[] {
    // From source, tsx runs the app and the preloads; the compiled build runs without it, with the
    // preloads transpiled to plain JavaScript (see preloads.ts).
    const source = this.config.fromSource;
    const args = source ? ['--import', 'tsx', '--conditions=dispatch-source'] : [];
    const preload = (relative: string) => (source ? benchFile(relative) : compiledPreload(relative));
    const entry = source ? `apps/${app}/src/main.ts` : `apps/${app}/dist/main.js`;
    if (this.config.count) args.push('--import', preload('children/count-preload.ts'));
    for (const file of extraImports) args.push('--import', preload(file));
    if (this.config.profile) args.push('--cpu-prof', `--cpu-prof-dir=${join(this.profileDir, name)}`);
    args.push(join(this.config.root, entry));
    return args;
  }

  async start(): Promise<void> {
    await this.pg.connect();
    this.receiver = await ReceiverClient.start(this.config.root);
    this.api = await this.spawnApi('api');
    this.apiUrl = this.apiUrls[0]!;
    await this.addWorker();
    await this.fanoutEvents?.waitUntilReady();
  }

  /** Starts an API process and waits until it answers /readyz. */
  private async spawnApi(name: string): Promise<Child> {
    const port = await freePort();
    const child = spawnNode(name, this.nodeArgs(name, 'api'), {
      cwd: this.config.root,
      env: this.childEnv({ PORT: String(port), BENCH_COUNTS_FILE: join(this.countsDir, `${name}.json`) }),
    });
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(
      `${name} to answer /readyz`,
      async () => {
        if (child.proc.exitCode !== null) throw new Error(`${name} exited\n${describeOutput(child)}`);
        return (await httpRequest(this.agent, `${url}/readyz`, { method: 'GET' }).catch(() => undefined))?.status === 200;
      },
      60_000,
      100,
    );
    this.apis.push(child);
    this.apiUrls.push(url);
    return child;
  }

  /** Starts one more API process (the ingest scenario spreads its requests over all of them). */
  async addApi(): Promise<void> {
    await this.spawnApi(`api-${this.apis.length + 1}`);
  }

  /** Stops the newest API process, if more than the first run. */
  async removeApi(): Promise<void> {
    if (this.apis.length < 2) return;
    this.apiUrls.pop();
    await stopChild(this.apis.pop()!);
  }

  /** Starts one more worker process and waits until BullMQ sees it listening. */
  async addWorker(): Promise<Child> {
    const name = `worker-${this.workers.length + 1}`;
    const extra: Record<string, string> = { BENCH_COUNTS_FILE: join(this.countsDir, `${name}.json`) };
    if (this.config.workerConcurrency) extra.DISPATCH_WORKER_CONCURRENCY = this.config.workerConcurrency;
    const imports = this.config.transport === 'node-http' ? ['probes/node-http-transport.ts'] : [];
    const child = spawnNode(name, this.nodeArgs(name, 'worker', imports), { cwd: this.config.root, env: this.childEnv(extra) });
    this.workers.push(child);
    const expected = this.workers.length;
    await waitUntil(
      `${name} to listen on the deliveries queue`,
      async () => {
        if (child.proc.exitCode !== null) throw new Error(`${name} exited\n${describeOutput(child)}`);
        return (await this.deliveriesQueue.getWorkersCount()) >= expected;
      },
      60_000,
      100,
    );
    return child;
  }

  /** Stops the newest worker process (gracefully) and waits until BullMQ no longer counts it. */
  async removeWorker(): Promise<void> {
    const child = this.workers.pop();
    if (!child) return;
    await stopChild(child);
    const expected = this.workers.length;
    await waitUntil(`${child.name} to leave the deliveries queue`, async () => (await this.deliveriesQueue.getWorkersCount()) <= expected, 60_000, 100);
  }

  /** The counts the preload wrote for the API and each worker (empty when counting is off). */
  counts(): Record<string, CountsSnapshot> {
    const result: Record<string, CountsSnapshot> = {};
    for (const name of [...this.apis.map((a) => a.name), ...this.workers.map((_, i) => `worker-${i + 1}`)]) {
      try {
        result[name] = JSON.parse(readFileSync(join(this.countsDir, `${name}.json`), 'utf8')) as CountsSnapshot;
      } catch {
        // not written yet, or counting off
      }
    }
    return result;
  }

  /** Stops the children (gracefully, so profiles get written) and closes the driver's connections. */
  async stop(): Promise<void> {
    await Promise.all([...this.apis, ...this.workers].filter(Boolean).map((child) => stopChild(child)));
    if (this.receiver) await stopChild(this.receiver.child, 5_000);
    await Promise.allSettled([this.fanoutEvents?.close(), this.deliveriesQueue.close().then(() => this.queueBackend.close()), this.pg.end()]);
    this.agent.destroy();
  }
}
