import { z } from 'zod';
import { amount, currency, id, isoTime, object } from './common.js';

export const payoutStatusSchema = z.enum([
  'pending',
  'processing',
  'completed',
  'paid',
  'failed',
  'canceled',
]);

// payout.created, .confirmed and .paid share the payout's current shape; payout.failed narrows
// it so that a receiver handling the failure can rely on a reason being present.
export const payoutSchema = object({
  id,
  partnerId: id,
  programId: id,
  amount,
  currency,
  status: payoutStatusSchema,
  description: z.string().nullable(),
  periodStart: isoTime.nullable(),
  periodEnd: isoTime.nullable(),
  failureReason: z.string().nullable().optional(),
  paidAt: isoTime.nullable(),
  createdAt: isoTime,
});

export const payoutCreatedSchema = payoutSchema;
export const payoutConfirmedSchema = payoutSchema;
export const payoutPaidSchema = payoutSchema;
export const payoutFailedSchema = payoutSchema.extend({
  status: z.literal('failed'),
  failureReason: z.string().min(1),
});

export const payoutCreatedExample = {
  id: 'po_1JS9M2Q6T0W4Z8C2F5J9L3PSVY',
  partnerId: 'pn_1JRQ6A3F9K2M7T5W8B4X0DNQRS',
  programId: 'prg_1JRQ5B8N3X6T2W9K4M7P0CFYHE',
  amount: 21_480,
  currency: 'usd',
  status: 'pending',
  description: 'Commissions for June 2025',
  periodStart: '2025-06-01T00:00:00.000Z',
  periodEnd: '2025-06-30T23:59:59.999Z',
  paidAt: null,
  createdAt: '2025-07-01T00:10:00.000Z',
} satisfies z.input<typeof payoutSchema>;

export const payoutConfirmedExample = {
  ...payoutCreatedExample,
  status: 'processing',
} satisfies z.input<typeof payoutSchema>;

export const payoutPaidExample = {
  ...payoutCreatedExample,
  status: 'paid',
  paidAt: '2025-07-03T13:22:41.870Z',
} satisfies z.input<typeof payoutSchema>;

export const payoutFailedExample = {
  ...payoutCreatedExample,
  status: 'failed',
  failureReason: 'The bank rejected the transfer: account closed.',
} satisfies z.input<typeof payoutFailedSchema>;
