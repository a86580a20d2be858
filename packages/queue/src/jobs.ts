import { z } from 'zod';

// Job data carries ids only: the worker loads the endpoint and decrypts its secret itself.
export const deliverJobSchema = z.object({ deliveryId: z.string().startsWith('dlv_') });
export type DeliverJob = z.infer<typeof deliverJobSchema>;

export const fanoutJobSchema = z.object({ eventId: z.string().startsWith('evt_') });
export type FanoutJob = z.infer<typeof fanoutJobSchema>;

export const reconcileJobSchema = z.object({});

/**
 * The id of the job that owns a delivery from attempt `attemptNo` on. Deterministic, so adding it
 * again (the reconciler, a retried request) is a no-op while the job exists. Manual triggers get their
 * own id so they never collide with a scheduled retry of the same attempt number.
 */
export function deliverJobId(deliveryId: string, attemptNo: number, trigger: string): string {
  const manual = trigger === 'redeliver' || trigger === 'replay';
  return manual ? `${deliveryId}-${attemptNo}-${trigger}` : `${deliveryId}-${attemptNo}`;
}

export const fanoutJobId = (eventId: string) => eventId;
