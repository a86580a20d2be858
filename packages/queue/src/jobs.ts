import { z } from 'zod';

// Job data carries ids only: the worker loads the endpoint and decrypts its secret itself.
// The endpoint id lets a worker hold back a job for a throttled or saturated endpoint before it
// touches the database.
export const deliverJobSchema = z.object({
  deliveryId: z.string().startsWith('dlv_'),
  endpointId: z.string().min(1),
  /**
   * Lets a worker share its slots fairly between workspaces without a lookup. Jobs queued before it
   * was added have none; they run as before, outside the workspace's share.
   */
  workspaceId: z.string().min(1).optional(),
  /** Asked for by an operator (test, redeliver, replay): goes through an open circuit breaker. */
  manual: z.boolean().optional(),
  /**
   * An operator's attempt (redeliver, replay): it owns the row's manual attempt (manual_job_id), beside
   * the delivery's schedule, and never uses or moves it. Always also `manual`.
   */
  operator: z.boolean().optional(),
  /** W3C trace context of the request that queued it (ids only); absent in jobs queued without tracing. */
  traceparent: z.string().max(256).optional(),
});
export type DeliverJob = z.infer<typeof deliverJobSchema>;

export const fanoutJobSchema = z.object({ eventId: z.string().startsWith('evt_') });
export type FanoutJob = z.infer<typeof fanoutJobSchema>;

export const fanoutJobId = (eventId: string) => eventId;

export const replayJobSchema = z.object({ replayId: z.string().startsWith('rpl_') });
export type ReplayJob = z.infer<typeof replayJobSchema>;
