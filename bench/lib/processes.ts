import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Child processes of the bench: the API, the worker(s) and the receiver. Every child is tracked so
// cleanup can stop them all, on success, on failure and on Ctrl-C.

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The last lines it printed, shown if something goes wrong. */
  output: string[];
  exited: Promise<number | null>;
}

const children = new Set<Child>();

export const benchFile = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url));

export function spawnNode(name: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; ipc?: boolean }): Child {
  const proc = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) output.push(line);
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = { name, proc, pid: proc.pid, output, exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** SIGTERM (the apps shut down gracefully and write their CPU profile), then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 20_000): Promise<number | null> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return child.proc.exitCode;
  child.proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      child.proc.kill('SIGKILL');
      resolve(null);
    }, graceMs);
  });
  const code = await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  return code;
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
}

/** Kills every child at once without waiting (for a second Ctrl-C or a crash of the driver). */
export function killAllChildrenNow(): void {
  for (const child of children) child.proc.kill('SIGKILL');
}

export function describeOutput(child: Child): string {
  return `--- last output of ${child.name} (pid ${child.pid}) ---\n${child.output.slice(-30).join('\n')}`;
}

export interface ReceiverStats {
  count: number;
  first: number | null;
  last: number | null;
  byPath: Record<string, number>;
  /** The most requests each `.../hang` path held unanswered at once. */
  maxHeldByPath: Record<string, number>;
  /** Requests held unanswered right now. */
  held: number;
  badSignatures: number;
  cpu: NodeJS.CpuUsage;
}

/** The driver's side of the receiver child's IPC channel (see ../children/receiver.ts). */
export class ReceiverClient {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(
    readonly child: Child,
    readonly port: number,
  ) {
    child.proc.on('message', (message: { id: number; result: unknown }) => {
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
    });
  }

  static async start(cwd: string): Promise<ReceiverClient> {
    const child = spawnNode('receiver', ['--import', 'tsx', benchFile('children/receiver.ts')], { cwd, env: process.env, ipc: true });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`receiver did not start\n${describeOutput(child)}`)), 20_000);
      child.proc.once('message', (message: { result: { port: number } }) => {
        clearTimeout(timer);
        resolve(message.result.port);
      });
    });
    return new ReceiverClient(child, port);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  private call<T>(command: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`receiver did not answer ${String(command.type)}`)), 30_000);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result as T);
      });
      this.child.proc.send({ ...command, id });
    });
  }

  stats = () => this.call<ReceiverStats>({ type: 'stats' });
  reset = () => this.call<true>({ type: 'reset' });
  /** Answers every held `.../hang` request (200) and stops holding new ones until the next reset; returns how many were held. */
  release = () => this.call<number>({ type: 'release' });
  /** First arrival time (wall clock ms) of each webhook-id (at `path`, or anywhere), null if it never arrived. */
  arrivalsOf = (ids: string[], path?: string) => this.call<(number | null)[]>({ type: 'arrivalsOf', ids, path });
  /** Arrival time of the k-th request (0-based) since the last reset. */
  arrivalAt = (indexes: number[]) => this.call<(number | null)[]>({ type: 'arrivalAt', indexes });
}
