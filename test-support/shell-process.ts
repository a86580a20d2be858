import { spawn, type ChildProcess } from 'node:child_process';

// A shell command run as a person would in a terminal: its own process group (so the test can stop
// it and everything it started), its output collected for assertions and failure messages.

export interface ShellProcess {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
  /** Resolves when the output matches, rejects when the process exits first or the time is up. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Signals the whole process group, if it still runs. */
  kill(signal?: NodeJS.Signals): void;
}

export function runShell(command: string, options: { cwd: string; env: Record<string, string> }): ShellProcess {
  const child = spawn('bash', ['-c', command], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      running = false;
      for (const listener of listeners) listener();
      resolve(code);
    }),
  );
  return {
    child,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(output)) done();
          else if (!running) done(new Error(`\`${command}\` exited before printing ${pattern}:\n${output.slice(-4000)}`));
        };
        const timer = setTimeout(() => done(new Error(`\`${command}\` did not print ${pattern} within ${timeoutMs} ms:\n${output.slice(-4000)}`)), timeoutMs);
        listeners.add(check);
        check();
      });
    },
    kill(signal = 'SIGTERM') {
      if (running && child.pid) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Runs a command to its end; rejects with its output when it exits non-zero. */
export async function runToEnd(command: string, options: { cwd: string; env: Record<string, string> }): Promise<string> {
  const run = runShell(command, options);
  const code = await run.exited;
  if (code !== 0) throw new Error(`\`${command}\` exited with ${code}:\n${run.output().slice(-4000)}`);
  return run.output();
}
