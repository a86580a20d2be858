// Job ids, deterministic so that adding a job again (the reconciler, a retried request) is a no-op
// while the job exists. They live in core because the API, the worker and the queries all name them.

/**
 * The id of the job that owns a delivery from attempt `attemptNo` on. Manual triggers get their own
 * id so they never collide with a scheduled retry of the same attempt number.
 */
export function deliverJobId(deliveryId: string, attemptNo: number, trigger: string): string {
  const manual = trigger === 'redeliver' || trigger === 'replay';
  return manual ? `${deliveryId}-${attemptNo}-${trigger}` : `${deliveryId}-${attemptNo}`;
}

/**
 * The id of the job that owns an operator's attempt (redeliver, replay), the delivery's
 * `manualNo`-th. Its own form, so it never names a job of the automatic schedule (nor one queued
 * for a redelivery before operator's attempts ran beside the schedule).
 */
export function operatorJobId(deliveryId: string, manualNo: number, trigger: 'redeliver' | 'replay'): string {
  return `${deliveryId}-m${manualNo}-${trigger}`;
}
