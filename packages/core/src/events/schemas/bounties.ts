import { z } from 'zod';
import { amount, currency, id, isoTime, object } from './common.js';
import { examplePartner, partnerSchema } from './partners.js';

export const bountySchema = object({
  id,
  programId: id,
  name: z.string().min(1),
  description: z.string().nullable(),
  type: z.enum(['performance', 'submission']),
  rewardAmount: amount,
  currency,
  startsAt: isoTime,
  endsAt: isoTime.nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const bountyCreatedSchema = bountySchema;
export const bountyUpdatedSchema = bountySchema;

export const bountySubmissionCreatedSchema = object({
  id,
  bountyId: id,
  partner: partnerSchema,
  status: z.enum(['draft', 'submitted', 'approved', 'rejected']),
  urls: z.array(z.url()),
  createdAt: isoTime,
});

export const bountyCreatedExample = {
  id: 'bnty_1JS0B4E8H2K6N0Q3T7W1Z5CFJM',
  programId: 'prg_1JRQ5B8N3X6T2W9K4M7P0CFYHE',
  name: 'Publish a launch-week review',
  description: 'Write a post or video about our launch week and link to it with your referral link.',
  type: 'submission',
  rewardAmount: 15_000,
  currency: 'usd',
  startsAt: '2025-06-16T00:00:00.000Z',
  endsAt: '2025-06-30T23:59:59.000Z',
  createdAt: '2025-06-12T10:31:47.205Z',
  updatedAt: '2025-06-12T10:31:47.205Z',
} satisfies z.input<typeof bountySchema>;

export const bountyUpdatedExample = {
  ...bountyCreatedExample,
  rewardAmount: 20_000,
  endsAt: '2025-07-07T23:59:59.000Z',
  updatedAt: '2025-06-20T09:14:02.661Z',
} satisfies z.input<typeof bountySchema>;

export const bountySubmissionCreatedExample = {
  id: 'bnsub_1JS3F6J0M4P8S2V5Y9B3D7GKNR',
  bountyId: bountyCreatedExample.id,
  partner: examplePartner,
  status: 'submitted',
  urls: ['https://rossi-reviews.example/2025/06/acme-launch-week', 'https://youtu.be/dQ8x2kWm3Zs'],
  createdAt: '2025-06-18T16:48:30.019Z',
} satisfies z.input<typeof bountySubmissionCreatedSchema>;
