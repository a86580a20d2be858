import type { Job } from 'bullmq';
import { JOBS, QUEUES } from '@dispatch/queue';
import type { WorkerDeps } from './deps.js';
import { deliverJob } from './jobs/deliver.job.js';
import { fanoutJob } from './jobs/fanout.job.js';
import { reconcileJob } from './jobs/reconcile.job.js';
import { pruneJob } from './jobs/prune.job.js';
import { replayJob } from './jobs/replay.job.js';

export type JobHandler = (deps: WorkerDeps, job: Job, token?: string) => Promise<unknown>;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

interface Registration {
  queue: QueueName;
  job: string;
  handler: JobHandler;
}

// The explicit list of what this worker runs. Adding a job name without a handler, or registering
// one twice, stops the worker at start-up instead of failing jobs at run time.
export const registrations: Registration[] = [
  { queue: QUEUES.deliveries, job: JOBS.deliver, handler: deliverJob },
  { queue: QUEUES.fanout, job: JOBS.fanout, handler: fanoutJob },
  { queue: QUEUES.maintenance, job: JOBS.reconcile, handler: (deps) => reconcileJob(deps) },
  { queue: QUEUES.maintenance, job: JOBS.replay, handler: replayJob },
  { queue: QUEUES.maintenance, job: JOBS.prune, handler: (deps) => pruneJob(deps) },
];

export function buildRegistry(list: readonly Registration[]): Map<QueueName, Map<string, JobHandler>> {
  const registry = new Map<QueueName, Map<string, JobHandler>>();
  for (const { queue, job, handler } of list) {
    const jobs = registry.get(queue) ?? new Map<string, JobHandler>();
    if (jobs.has(job)) throw new Error(`job "${job}" on queue ${queue} is registered twice`);
    jobs.set(job, handler);
    registry.set(queue, jobs);
  }
  const registered = new Set(list.map((r) => r.job));
  const missing = Object.values(JOBS).filter((job) => !registered.has(job));
  if (missing.length > 0) throw new Error(`no handler for job(s): ${missing.join(', ')}`);
  return registry;
}
