import { UnrecoverableError, type Job } from 'bullmq';
import { attemptAbandonedAfterMs, loggableError, SecretBox } from '@dispatch/core';
import { createDb } from '@dispatch/db';
import { deliveryQueueNames, queueBackendFromConfig, QUEUES, Queues } from '@dispatch/queue';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config.js';
import type { WorkerDeps } from './deps.js';
import { BreakerSync } from './delivery/breaker-sync.js';
import { createDeliveryStore } from './delivery/delivery-store.js';
import { createHttpClient } from './delivery/http-client.js';
import { EndpointGuard } from './delivery/endpoint-guard.js';
import { PausePublisher } from './delivery/pause-publisher.js';
import { backoffStrategy } from './delivery/retry-later.js';
import type { Resolver } from './delivery/destination-guard.js';
import { SecretCache } from './delivery/secret-cache.js';
import { WorkspaceGuard } from './delivery/workspace-guard.js';
import { buildRegistry, registrations, type JobHandler } from './registry.js';
import { startHealthServer } from './observability/health-server.js';
import { createWorkerObservability } from './observability/worker-observability.js';

// How often each worker looks for jobs whose lock expired (their worker died); BullMQ's default is 30 s.
const STALLED_CHECK_MS = 10_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface WorkerRuntime {
  deps: WorkerDeps;
  /** Port of /healthz, /readyz and /metrics. */
  healthPort: number;
  close(): Promise<void>;
}

/**
 * `lookup` replaces the system DNS resolver (tests use it to play a rebinding DNS server);
 */
export async function startWorker(config: WorkerConfig, logger: Logger, options: { lookup?: Resolver } = {}): Promise<WorkerRuntime> {
  const registry = buildRegistry(registrations);
  const dbHandle = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, applicationName: 'dispatch-worker', keyedLookupsOnly: true });
  const queueBackend = queueBackendFromConfig(config, {
    applicationName: 'dispatch-worker-queue',
    onConnectionError: (err) => logger.warn({ err: loggableError(err) }, 'queue backend connection error'),
  });
  const queues = new Queues(queueBackend, config.DISPATCH_QUEUE_SHARDS);
  for (const queue of queues.all) {
    queue.on('error', (err) => logger.warn({ err: loggableError(err), queue: queue.name }, 'queue connection error'));
  }
  // How long an attempt may last before it counts as abandoned: the claim guard and BullMQ's job lock agree on it.
  const attemptStaleMs = attemptAbandonedAfterMs(config.DISPATCH_REQUEST_TIMEOUT);
  const endpointGuard = new EndpointGuard({
    perEndpoint: config.DISPATCH_ENDPOINT_CONCURRENCY,
    pauseMs: config.DISPATCH_BREAKER_PAUSE,
    requestTimeoutMs: config.DISPATCH_REQUEST_TIMEOUT,
  });
  const pausePublisher = new PausePublisher(queues.endpointPauses, logger);
  const deps: WorkerDeps = {
    config,
    db: dbHandle.db,
    queues,
    secrets: new SecretCache(new SecretBox(config.encryptionKeys)),
    deliveryStore: createDeliveryStore(dbHandle.db, { attemptStaleMs }),
    http: createHttpClient({ timeoutMs: config.DISPATCH_REQUEST_TIMEOUT, allowPrivateDestinations: config.DISPATCH_ALLOW_PRIVATE_DESTINATIONS, lookup: options.lookup }),
    endpointGuard,
    workspaceGuard: new WorkspaceGuard({ slots: config.DISPATCH_WORKER_CONCURRENCY, requestTimeoutMs: config.DISPATCH_REQUEST_TIMEOUT }),
    pausePublisher,
    breakerSync: new BreakerSync({ db: dbHandle.db, queues, endpointGuard, pausePublisher, logger }),
    logger,
    observability: createWorkerObservability(config, { db: dbHandle.db, queues, logger }),
  };

  // First, so a port already taken stops the start-up before any job is taken.
  // Ready only once the queue workers below run (and while they do).
  let workersRunning = () => false;
  const health = await startHealthServer(deps, config.DISPATCH_WORKER_PORT, { workersRunning: () => workersRunning() }).catch(async (error: unknown) => {
    await queues.close();
    await queueBackend.close();
    await dbHandle.close();
    throw error;
  });

  const processor = (handlers: Map<string, JobHandler>) => async (job: Job, token?: string) => {
    const handler = handlers.get(job.name);
    if (!handler) throw new UnrecoverableError(`no handler for job ${job.name}`);
    return handler(deps, job, token);
  };
  const common = {
    // BullMQ renews a live job's lock; the lock must still outlive the slowest attempt so a stalled-job
    // check never hands a slow attempt to a second worker, and the claim guard agrees on the figure.
    lockDuration: attemptStaleMs,
    stalledInterval: STALLED_CHECK_MS,
  };
  const deliveryShards = deliveryQueueNames(config.DISPATCH_QUEUE_SHARDS);
  const concurrency: Record<string, number> = {
    // The process's delivery slots are split between the shards, so it never has more requests in
    // flight than configured (the workspace guard shares out that same number).
    [QUEUES.deliveries]: Math.ceil(config.DISPATCH_WORKER_CONCURRENCY / deliveryShards.length),
    [QUEUES.fanout]: 2,
    // Reconcile, replay and prune must not wait behind each other.
    [QUEUES.maintenance]: 3,
  };
  // Every worker consumes every delivery shard (the registry names the first; the others run the same handlers).
  const queueNames = (queue: string) => (queue === QUEUES.deliveries ? deliveryShards : [queue]);
  const workers = [...registry].flatMap(([queue, handlers]) =>
    queueNames(queue).map((name) => queueBackend.worker(name, processor(handlers), { ...common, concurrency: concurrency[queue] ?? 1, settings: { backoffStrategy } })),
  );
  for (const worker of workers) {
    worker.on('error', (err) => {
      // A job whose keys vanished under it (Redis flushed, a redelivery took it over) cannot be
      // finished in Redis; Postgres already holds its outcome, so this is expected, not an error.
      const level = /Missing (key|lock) for job/.test(err.message) ? 'warn' : 'error';
      logger[level]({ err: loggableError(err), queue: worker.name }, 'worker error');
    });
    worker.on('failed', (job, err) => {
      if (err.name !== 'RetryLaterError') logger.warn({ err: loggableError(err), queue: worker.name, jobId: job?.id }, 'job failed');
    });
  }
  const assertSchedulers = () => queues.upsertMaintenanceSchedulers({ reconcileMs: config.DISPATCH_RECONCILE_INTERVAL, pruneMs: PRUNE_EVERY_MS });
  await assertSchedulers();
  // The schedulers live in the queue backend. If Redis is flushed or restarts empty, the reconciler that rebuilds
  // the schedule from Postgres would be gone with it, so every worker re-asserts them (an idempotent upsert).
  const schedulerTimer = setInterval(() => {
    assertSchedulers().catch((err) => logger.warn({ err: loggableError(err) }, 'could not re-assert job schedulers'));
  }, config.DISPATCH_RECONCILE_INTERVAL);
  schedulerTimer.unref();
  workersRunning = () => workers.every((worker) => worker.isRunning());
  deps.breakerSync.start();

  return {
    deps,
    healthPort: health.port,
    // Stop answering health checks (an orchestrator then sees it going), stop taking jobs and let
    // the active ones finish (their attempts are recorded), then close Redis and the pool, and send
    // the spans still buffered.
    async close() {
      clearInterval(schedulerTimer);
      deps.breakerSync.stop();
      await health.close();
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      await queueBackend.close();
      await dbHandle.close();
      await deps.observability.tracing?.shutdown();
    },
  };
}
