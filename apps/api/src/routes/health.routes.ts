import { sql } from 'drizzle-orm';
import type { Router } from 'express';
import { withTimeout } from '@dispatch/core';
import type { ApiDeps } from '../deps.js';

const CHECK_TIMEOUT_MS = 2_000;

async function check(name: string, probe: () => Promise<unknown>): Promise<[string, 'ok' | 'down']> {
  try {
    await withTimeout(probe(), CHECK_TIMEOUT_MS, `the ${name} check`);
    return [name, 'ok'];
  } catch {
    return [name, 'down'];
  }
}

/** The queue backend's check is named after it: `redis`, or `queue` when the jobs are in Postgres. */
const queueCheckName = (deps: ApiDeps) => (deps.queues.backend.kind === 'redis' ? 'redis' : 'queue');

/** Liveness says the process runs; readiness says it can serve (Postgres and the configured queue backend answer). */
export function mountHealth(router: Router, deps: ApiDeps): void {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = Object.fromEntries(
      await Promise.all([
        check('postgres', () => deps.db.execute(sql`select 1`)),
        check(queueCheckName(deps), () => deps.queues.backend.ping(deps.queues.deliveries)),
      ]),
    );
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  });
}
