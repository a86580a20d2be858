import type { Job } from 'bullmq';
import { findUnattemptedEventDeliveries, type QueueableDelivery } from '@dispatch/db';
import { fanoutJobSchema } from '@dispatch/queue';
import type { WorkerDeps } from '../deps.js';
import { enqueueQueueable } from './enqueue.js';

const CHUNK = 1_000;
// Chunks in flight at once: while Redis runs one chunk's scripts the client encodes the next, so
// 10,000 jobs take a fraction of the time one chunk after the other does. Redis is one thread, so
// more than a few gains nothing.
const PARALLEL_CHUNKS = 4;

/**
 * Queues the deliveries of an event too large to queue inside the API request. The rows already
 * exist (written with the event); this only turns them into jobs, so running it twice is harmless.
 */
export async function fanoutJob(deps: WorkerDeps, job: Job): Promise<number> {
  const { eventId } = fanoutJobSchema.parse(job.data);
  const rows = await findUnattemptedEventDeliveries(deps.db, eventId);
  const chunks: QueueableDelivery[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) chunks.push(rows.slice(i, i + CHUNK));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_CHUNKS, chunks.length) }, async () => {
      while (next < chunks.length) await enqueueQueueable(deps, chunks[next++]!);
    }),
  );
  return rows.length;
}
