import { z } from 'zod';

// Job data carries ids only: the worker loads the endpoint and decrypts its secret itself.
export const deliverJobSchema = z.object({ deliveryId: z.string().startsWith('dlv_') });
export type DeliverJob = z.infer<typeof deliverJobSchema>;

export const fanoutJobSchema = z.object({ eventId: z.string().startsWith('evt_') });
export type FanoutJob = z.infer<typeof fanoutJobSchema>;

export const reconcileJobSchema = z.object({});

export const fanoutJobId = (eventId: string) => eventId;

export const replayJobSchema = z.object({ replayId: z.string().startsWith('rpl_') });
export type ReplayJob = z.infer<typeof replayJobSchema>;
