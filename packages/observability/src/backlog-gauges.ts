import { Gauge, type Registry } from 'prom-client';
import { loggableError, withTimeout } from '@dispatch/core';
import { readDeliveryBacklog, type Database } from '@dispatch/db';
import type { Queues } from '@dispatch/queue';
import type { Logger } from 'pino';
import { ENDPOINT_STATES, METRICS, QUEUE_STATES } from './metric-names.js';

// Gauges of the state shared by every process (queues in Redis, deliveries and endpoints in Postgres),
// read only when /metrics is scraped: one SQL statement and one Redis call per queue, sent together,
// shared by every scrape within CACHE_MS. Each source is read on its own, so with Redis down the
// Postgres gauges are still exported (and the other way round); a source that cannot be read exports
// no samples (NaN for the one gauge without labels) rather than stale ones.

const CACHE_MS = 1_000;
const READ_TIMEOUT_MS = 2_000;

interface Snapshot {
  queues?: { queue: string; counts: Record<string, number> }[];
  backlog?: { oldestDueAgeSeconds: number; disabledEndpoints: number };
  pausedEndpoints?: number;
}

/** `{deliveries}` → `deliveries`: the hash tag is Redis Cluster plumbing, not a name to chart. */
const queueLabel = (name: string) => name.replace(/[{}]/g, '');

export class BacklogReader {
  private cached: { at: number; snapshot: Promise<Snapshot> } | undefined;

  constructor(private readonly source: { db: Database; queues: Queues; logger: Logger }) {}

  read(): Promise<Snapshot> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= CACHE_MS) this.cached = { at: now, snapshot: this.load() };
    return this.cached.snapshot;
  }

  private async load(): Promise<Snapshot> {
    const { db, queues, logger } = this.source;
    const settle = <T>(what: string, promise: Promise<T>) =>
      withTimeout(promise, READ_TIMEOUT_MS, 'a metrics read').catch((err: unknown) => {
        logger.debug({ err: loggableError(err) }, `metrics: could not read ${what}`);
        return undefined;
      });
    const [queueCounts, backlog, pausedEndpoints] = await Promise.all([
      settle(
        'queue counts',
        Promise.all(
          queues.all.map(async (queue) => ({
            queue: queueLabel(queue.name),
            counts: (await queue.getJobCounts(...QUEUE_STATES)) as Record<string, number>,
          })),
        ),
      ),
      settle('the delivery backlog', readDeliveryBacklog(db)),
      settle('endpoint pauses', queues.endpointPauses.countLive()),
    ]);
    return { queues: queueCounts, backlog, pausedEndpoints };
  }
}

/** Registers `dispatch_queue_jobs`, `dispatch_endpoints` and the oldest due delivery's age. */
export function registerBacklogGauges(registry: Registry, reader: BacklogReader): void {
  new Gauge({
    name: METRICS.queueJobs,
    help: 'Jobs in each BullMQ queue by state, read at scrape time.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { queue, counts } of (await reader.read()).queues ?? []) {
        for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: METRICS.endpoints,
    help: 'Endpoints paused by a circuit breaker right now, and endpoints Dispatch disabled (gone or failing), read at scrape time.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const { pausedEndpoints, backlog } = await reader.read();
      const values: Record<(typeof ENDPOINT_STATES)[number], number | undefined> = { paused: pausedEndpoints, disabled: backlog?.disabledEndpoints };
      for (const state of ENDPOINT_STATES) if (values[state] !== undefined) this.set({ state }, values[state]);
    },
  });
  new Gauge({
    name: METRICS.oldestDueDeliveryAge,
    help: 'Seconds since the oldest pending delivery became due (0 when none is): how far behind delivery is. Read at scrape time.',
    registers: [registry],
    async collect() {
      // A gauge without labels always has a sample: NaN when Postgres could not be read, which no
      // alert threshold matches, rather than a 0 that would read as "nothing is late".
      const { backlog } = await reader.read();
      this.set(backlog ? backlog.oldestDueAgeSeconds : Number.NaN);
    },
  });
}
