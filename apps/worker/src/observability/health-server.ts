import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { metricsAuthorized } from '@dispatch/observability';
import type { WorkerDeps } from '../deps.js';

// The worker's own small HTTP server (DISPATCH_WORKER_PORT): liveness, readiness and metrics, for
// an orchestrator's health checks and for Prometheus. node:http, no framework: three fixed routes.

const CHECK_TIMEOUT_MS = 2_000;

export interface HealthServer {
  /** The port it listens on (the configured one, or the one the OS picked for 0). */
  port: number;
  close(): Promise<void>;
}

async function check(probe: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS)))]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** The configured queue backend's check: `redis`, or `queue` when the jobs are in Postgres. */
const queueCheckName = (deps: WorkerDeps) => (deps.queues.backend.kind === 'redis' ? 'redis' : 'queue');

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const error = (code: string, message: string) => ({ error: { code, message, details: [] } });

/** What readiness asks of the process itself, beside Postgres and the queue backend. */
export interface WorkerProbes {
  /** The queue workers take jobs (false before they start and once they close). */
  workersRunning(): boolean;
}

async function handle(deps: WorkerDeps, probes: WorkerProbes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 404, error('not_found', `route ${req.method} ${path} not found`));
  if (path === '/healthz') return send(res, 200, { status: 'ok' });
  if (path === '/readyz') {
    const [postgres, queue] = await Promise.all([
      check(() => deps.db.execute(sql`select 1`)),
      check(() => deps.queues.backend.ping(deps.queues.deliveries)),
    ]);
    const workers = probes.workersRunning() ? 'ok' : 'down';
    const ready = postgres === 'ok' && queue === 'ok' && workers === 'ok';
    const checks = { postgres, [queueCheckName(deps)]: queue, workers };
    return send(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable', checks });
  }
  if (path === '/metrics') {
    if (!metricsAuthorized(req.headers.authorization, deps.config.DISPATCH_METRICS_TOKEN)) {
      res.setHeader('www-authenticate', 'Bearer');
      return send(res, 401, error('unauthorized', 'missing or invalid metrics token'));
    }
    const { registry } = deps.observability.metrics;
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
    return;
  }
  send(res, 404, error('not_found', `route ${req.method} ${path} not found`));
}

export async function startHealthServer(deps: WorkerDeps, port: number, probes: WorkerProbes): Promise<HealthServer> {
  const server = createServer((req, res) => {
    handle(deps, probes, req, res).catch((err: unknown) => {
      deps.logger.error({ err }, 'health server request failed');
      if (!res.headersSent) send(res, 500, error('internal_error', 'internal error'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its connection alive between scrapes; do not wait for it to go idle.
        server.closeAllConnections();
      }),
  };
}
