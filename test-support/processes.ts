import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { QUEUES, redisConnection, releaseRedisConnection } from '@dispatch/queue';
import { testEncryptionEnv } from './encryption-key.js';

// The worker and the API as real child processes, run from source exactly as an operator would run
// them (`node --import tsx`), so a test can kill -9 or SIGTERM them. Every child is tracked and
// killed by `stopAllChildren` (call it in afterAll) and, as a last resort, when the test process exits.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = { worker: 'apps/worker/src/main.ts', api: 'apps/api/src/main.ts', migrate: 'apps/api/src/migrate.ts' } as const;
const OUTPUT_LIMIT = 20_000;

export interface ChildApp {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the process has exited, with its exit code (null when killed by a signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The tail of its stdout and stderr, for failure messages. */
  output(): string;
  signal(signal: NodeJS.Signals): void;
  isRunning(): boolean;
}

const live = new Set<ChildApp>();
process.once('exit', () => {
  for (const app of live) app.child.kill('SIGKILL');
});

/**
 * Environment every child gets: the test run's database and encryption key, loopback receivers allowed, warnings and
 * errors logged (kept in memory and shown only when a child misbehaves).
 */
export function baseChildEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    DISPATCH_ALLOW_PRIVATE_DESTINATIONS: 'true',
    LOG_LEVEL: 'warn',
    ...testEncryptionEnv(),
    // Several workers (and other test runs) at once: each health server takes a free port.
    DISPATCH_WORKER_PORT: '0',
  };
}

export function spawnApp(kind: keyof typeof ENTRIES, env: Record<string, string>): ChildApp {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=dispatch-source', ENTRIES[kind]], {
    cwd: ROOT,
    env: { ...baseChildEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_LIMIT));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const app: ChildApp = {
    name: `${kind}#${child.pid}`,
    child,
    pid: child.pid!,
    exited,
    output: () => output,
    signal: (signal) => void child.kill(signal),
    isRunning: () => child.exitCode === null && child.signalCode === null,
  };
  live.add(app);
  void exited.then(() => live.delete(app));
  return app;
}

/** SIGKILLs every child still running and waits for them to be gone. */
export async function stopAllChildren(): Promise<void> {
  const running = [...live];
  for (const app of running) app.child.kill('SIGKILL');
  await Promise.all(running.map((app) => app.exited));
}

/** Waits until `count` deliver workers are connected to the queue under `prefix`. */
export async function waitForWorkers(redisUrl: string, prefix: string, count: number, app?: ChildApp, timeoutMs = 20_000): Promise<void> {
  const connection = redisConnection(redisUrl);
  const queue = new Queue(QUEUES.deliveries, { connection, prefix });
  try {
    const deadline = Date.now() + timeoutMs;
    while ((await queue.getWorkersCount()) < count) {
      if (app && !app.isRunning()) throw new Error(`${app.name} exited before it was ready:\n${app.output()}`);
      if (Date.now() > deadline) throw new Error(`no ${count} worker(s) on ${prefix} in time${app ? `:\n${app.output()}` : ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await queue.close();
    await releaseRedisConnection(connection);
  }
}

/** Waits until an HTTP server answers on `url` (e.g. the API's /healthz). */
export async function waitForHttp(url: string, app?: ChildApp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (app && !app.isRunning()) throw new Error(`${app.name} exited before it was ready:\n${app.output()}`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer in time${app ? `:\n${app.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
