// One figure for "this attempt died with its worker", shared by every place that must agree on it.

/**
 * Beyond the request timeout: signing, the database write of the outcome, an event-loop stall. Small,
 * because it is also how long a crashed worker's deliveries wait before another worker takes them.
 */
export const ATTEMPT_MARGIN_MS = 10_000;

/**
 * An attempt still marked as started this long after it began is abandoned (its worker crashed):
 * the delivery may be claimed again, the reconciler re-queues it, a redelivery may take it over.
 * BullMQ's job lock uses the same duration, so a crashed worker's job comes back just as its
 * delivery becomes claimable. A live worker renews its locks, so a slow attempt keeps its job.
 */
export function attemptAbandonedAfterMs(requestTimeoutMs: number): number {
  return requestTimeoutMs + ATTEMPT_MARGIN_MS;
}
