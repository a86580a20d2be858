import type { JobsOptions } from 'bullmq';
import type { EndpointPauses } from './endpoint-pauses.js';
import type { AnyQueue, QueueBackend } from './queue-backend.js';
import { QUEUES, JOBS } from './names.js';
import { fanoutJobId, type DeliverJob, type FanoutJob, type ReplayJob } from './jobs.js';
import { deliveryQueueNames, deliveryShardOf } from './shards.js';

// Completed and failed jobs are dropped: Postgres keeps the history, and a lingering job id would
// turn the reconciler's re-add into a no-op for a delivery that still needs an attempt.
const baseJobOptions: JobsOptions = { removeOnComplete: true, removeOnFail: true };

export interface DeliveryToEnqueue {
  deliveryId: string;
  endpointId: string;
  /** Carried in the job so the worker can share its slots between workspaces without a lookup. */
  workspaceId: string;
  manual?: boolean;
  /** An operator's attempt beside the schedule (see deliverJobSchema). */
  operator?: boolean;
  /** The delivery row's `job_id` (see deliverJobId), or `manual_job_id` for an operator's attempt: only that job may attempt it. */
  jobId: string;
  /** Attempts the job may make (the row's max minus those made). */
  attemptsLeft: number;
  delayMs?: number;
  /** Higher runs later; live traffic uses the default so replays cannot starve it. */
  priority?: number;
  /** W3C trace context of the request that queued it (only when tracing is on). */
  traceparent?: string | undefined;
}

export class Queues {
  /** One delivery queue per shard (DISPATCH_QUEUE_SHARDS); see shards.ts. */
  readonly deliveryShards: AnyQueue[];
  readonly fanout: AnyQueue;
  readonly maintenance: AnyQueue;
  readonly endpointPauses: EndpointPauses;

  constructor(
    readonly backend: QueueBackend,
    shards = 1,
  ) {
    this.deliveryShards = deliveryQueueNames(shards).map((name) => backend.queue(name));
    this.fanout = backend.queue(QUEUES.fanout);
    this.maintenance = backend.queue(QUEUES.maintenance);
    this.endpointPauses = backend.endpointPauses(this.deliveries);
  }

  /** The first delivery queue (the only one with one shard). */
  get deliveries(): AnyQueue {
    return this.deliveryShards[0]!;
  }

  /** The delivery queue that holds this endpoint's jobs. */
  deliveriesFor(endpointId: string): AnyQueue {
    return this.deliveryShards[deliveryShardOf(endpointId, this.deliveryShards.length)]!;
  }

  /** Every queue, for error listeners, metrics and closing. */
  get all(): AnyQueue[] {
    return [...this.deliveryShards, this.fanout, this.maintenance];
  }

  /** One addBulk per shard: a bulk add is one transaction, which on a cluster must stay in one slot. */
  async enqueueDeliveries(items: readonly DeliveryToEnqueue[]): Promise<void> {
    if (items.length === 0) return;
    const byQueue = new Map<AnyQueue, DeliveryToEnqueue[]>();
    for (const item of items) {
      const queue = this.deliveriesFor(item.endpointId);
      const list = byQueue.get(queue);
      if (list) list.push(item);
      else byQueue.set(queue, [item]);
    }
    await Promise.all([...byQueue].map(([queue, shardItems]) => this.addDeliveries(queue, shardItems)));
  }

  private async addDeliveries(queue: AnyQueue, items: readonly DeliveryToEnqueue[]): Promise<void> {
    await queue.addBulk(
      items.map((item) => ({
        name: JOBS.deliver,
        data: {
          deliveryId: item.deliveryId,
          endpointId: item.endpointId,
          workspaceId: item.workspaceId,
          ...(item.manual ? { manual: true } : {}),
          ...(item.operator ? { operator: true } : {}),
          ...(item.traceparent ? { traceparent: item.traceparent } : {}),
        } satisfies DeliverJob,
        opts: {
          ...baseJobOptions,
          jobId: item.jobId,
          attempts: Math.max(1, item.attemptsLeft),
          backoff: { type: 'custom' },
          delay: item.delayMs && item.delayMs > 0 ? item.delayMs : undefined,
          priority: item.priority,
        },
      })),
    );
  }

  async enqueueFanout(eventId: string): Promise<void> {
    await this.fanout.add(JOBS.fanout, { eventId } satisfies FanoutJob, {
      ...baseJobOptions,
      jobId: fanoutJobId(eventId),
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
    });
  }

  /** The replay id is the job id: asking twice for the same replay queues it once. */
  async enqueueReplay(replayId: string): Promise<void> {
    await this.maintenance.add(JOBS.replay, { replayId } satisfies ReplayJob, {
      ...baseJobOptions,
      jobId: replayId,
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
    });
  }

  /**
   * Creates or refreshes the periodic maintenance jobs (an idempotent upsert by scheduler id). Their
   * runs are dropped when done like every job, or each run would leave a key in Redis for good.
   */
  async upsertMaintenanceSchedulers(every: { reconcileMs: number; pruneMs: number }): Promise<void> {
    const opts = { removeOnComplete: true, removeOnFail: true };
    await this.maintenance.upsertJobScheduler('reconcile', { every: every.reconcileMs }, { name: JOBS.reconcile, data: {}, opts });
    await this.maintenance.upsertJobScheduler('prune', { every: every.pruneMs }, { name: JOBS.prune, data: {}, opts });
  }

  /**
   * Closes the queues, giving up after `timeoutMs` when the backend does not answer. The backend's
   * shared connections are closed by its owner afterwards (backend.close()).
   */
  async close(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(this.all.map((q) => q.close())), timedOut]);
    clearTimeout(timer);
  }
}
