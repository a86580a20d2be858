import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

// A real Redis Cluster of the test's own: Debian's redis-server as 3 masters + 3 replicas on free
// loopback ports, made a cluster by `redis-cli --cluster create`, in a temporary folder that goes
// with it. A test may SIGKILL a master and watch its replica take over.

/** Whether this machine can run one (CI has redis-server; a laptop may not). */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
}

/**
 * `count` distinct free loopback ports, all held open until every one is found (so none is handed out
 * twice). No relative import here: jest's global setup loads this file as CommonJS.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

interface ClusterNode {
  port: number;
  /** The cluster bus port, chosen too: the default (port + 10000) may be taken or past 65535. */
  busPort: number;
  child: ChildProcess | undefined;
  output: string;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ClusterSettings {
  masters?: number;
  /**
   * How long a master may be silent before it counts as failed and its replica is promoted. Short
   * here so a fault test's failover takes seconds, not Redis's default 15 s.
   */
  nodeTimeoutMs?: number;
}

async function ping(port: number): Promise<string | undefined> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.ping();
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** Runs one command on one node (not through the cluster client: a node's own view). */
export async function onNode<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    return await run(client);
  } finally {
    client.disconnect();
  }
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`redis cluster: ${what} not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export class RedisClusterUnderTest {
  private readonly dir = mkdtempSync(join(tmpdir(), 'dispatch-redis-cluster-'));
  private readonly nodes: ClusterNode[] = [];

  private constructor(private readonly settings: Required<ClusterSettings>) {}

  static async start(settings: ClusterSettings = {}): Promise<RedisClusterUnderTest> {
    const cluster = new RedisClusterUnderTest({ masters: 3, nodeTimeoutMs: 3_000, ...settings });
    try {
      await cluster.create();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** REDIS_URL for Dispatch: every node as a seed. */
  get url(): string {
    return `redis+cluster://${this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`;
  }

  get ports(): number[] {
    return this.nodes.map((node) => node.port);
  }

  private async create(): Promise<void> {
    const ports = await freePorts(this.settings.masters * 4);
    for (let i = 0; i < this.settings.masters * 2; i++) this.nodes.push({ port: ports[2 * i]!, busPort: ports[2 * i + 1]!, child: undefined, output: '' });
    for (const node of this.nodes) await this.launch(node);
    const addresses = this.nodes.map((node) => `127.0.0.1:${node.port}`);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}\n${created.stderr}`);
    await until('cluster_state:ok on every node', async () => (await this.states()).every((state) => state === 'ok'), 20_000);
    // Replicas must hold a copy before a test kills a master, or the failover would promote an empty node.
    await until('every replica in sync', () => this.replicasInSync(), 30_000);
  }

  private async launch(node: ClusterNode): Promise<void> {
    const args = [
      '--port', String(node.port), '--cluster-port', String(node.busPort), '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${node.port}.conf`),
      '--cluster-node-timeout', String(this.settings.nodeTimeoutMs),
      '--save', '', '--appendonly', 'no', '--dir', this.dir,
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const append = (chunk: Buffer) => (node.output = (node.output + chunk.toString()).slice(-4000));
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    node.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    await until(`redis-server on ${node.port} answering`, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server ${node.port} exited:\n${node.output}`);
      return (await ping(node.port)) === 'PONG';
    }, 10_000);
  }

  private async states(ports = this.livePorts()): Promise<string[]> {
    return Promise.all(ports.map((port) => onNode(port, async (c) => /cluster_state:(\w+)/.exec(await c.cluster('INFO'))?.[1] ?? '?')));
  }

  private livePorts(): number[] {
    return this.nodes.filter((node) => node.child && node.child.exitCode === null && node.child.signalCode === null).map((node) => node.port);
  }

  private async replicasInSync(): Promise<boolean> {
    const roles = await Promise.all(this.livePorts().map((port) => onNode(port, (c) => c.info('replication'))));
    return roles.filter((info) => info.includes('role:slave')).every((info) => info.includes('master_link_status:up') && !/master_sync_in_progress:1/.test(info));
  }

  /** The port of the master that serves `key`'s slot (as a live node sees it). */
  async masterOf(key: string): Promise<number> {
    const [port] = this.livePorts();
    return onNode(port!, async (c) => {
      const slot = Number(await c.cluster('KEYSLOT', key));
      const range = (await c.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to);
      // The first node of a range is its master.
      if (!range?.[2]) throw new Error(`no node serves slot ${slot}`);
      return range[2][1];
    });
  }

  /** SIGKILL one node, and wait until it is gone. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    const child = node?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Waits until a live node other than `deadPort` serves `key` and every live node says the cluster is ok. */
  async waitForFailover(key: string, deadPort: number, timeoutMs = 30_000): Promise<number> {
    let master = deadPort;
    await until(`a new master for ${key}`, async () => {
      master = await this.masterOf(key);
      return master !== deadPort && (await this.states()).every((state) => state === 'ok');
    }, timeoutMs);
    return master;
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) await this.kill(node.port);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
