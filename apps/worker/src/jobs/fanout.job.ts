import type { Job } from 'bullmq';
import { findUnattemptedEventDeliveries } from '@dispatch/db';
import { fanoutJobSchema } from '@dispatch/queue';
import type { WorkerDeps } from '../deps.js';
import { enqueueQueueable } from './enqueue.js';

/**
 * Queues the deliveries of an event too large to queue inside the API request. The rows already
 * exist (written with the event); this only turns them into jobs, so running it twice is harmless.
 */
export async function fanoutJob(deps: WorkerDeps, job: Job): Promise<number> {
  const { eventId } = fanoutJobSchema.parse(job.data);
  const rows = await findUnattemptedEventDeliveries(deps.db, eventId);
  await enqueueQueueable(deps, rows);
  return rows.length;
}
