import { writeFile } from 'node:fs/promises';
import { loggableError } from '@dispatch/core';
import type { Logger } from 'pino';

// Until the worker has an HTTP port of its own (`/readyz`), a container health check reads its
// liveness from a file: rewritten on every beat while the process's event loop turns, its Postgres
// pool answers a query, its Redis connection answers PING and its BullMQ workers are running. A
// stale file means one of these has stopped; the check only looks at the file's age.

export const HEARTBEAT_EVERY_MS = 5_000;

export interface HeartbeatProbes {
  postgres(): Promise<unknown>;
  redis(): Promise<unknown>;
  workersRunning(): boolean;
}

export interface Heartbeat {
  stop(): Promise<void>;
}

export function startHeartbeat(file: string, probes: HeartbeatProbes, logger: Logger, everyMs = HEARTBEAT_EVERY_MS): Heartbeat {
  let healthy: boolean | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const beat = async () => {
    try {
      if (!probes.workersRunning()) throw new Error('a BullMQ worker is not running');
      // A probe that hangs (Redis queues commands while it reconnects) counts as a failure.
      await withTimeout(Promise.all([probes.postgres(), probes.redis()]), everyMs);
      if (stopped) return;
      await writeFile(file, `${new Date().toISOString()}\n`);
      if (healthy === false) logger.info('heartbeat: Postgres and Redis answer again');
      healthy = true;
    } catch (error) {
      if (healthy !== false) logger.warn({ err: loggableError(error), file }, 'heartbeat: not alive (the health file is no longer refreshed)');
      healthy = false;
    }
  };
  const loop = () => {
    current = beat().finally(() => {
      if (!stopped) timer = setTimeout(loop, everyMs);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
