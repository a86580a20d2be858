import { z } from 'zod';
import { id, isoTime, object } from './common.js';

export const partnerStatusSchema = z.enum([
  'pending',
  'approved',
  'rejected',
  'invited',
  'declined',
  'banned',
  'archived',
]);

/** A partner as it appears inside other events (commissions, bounty submissions). */
export const partnerSchema = object({
  id,
  name: z.string().min(1),
  email: z.email().nullable(),
  image: z.url().nullable(),
  country: z.string().nullable(),
  status: partnerStatusSchema,
  programId: id,
  tenantId: z.string().nullable().describe("the partner's id in the product's own system"),
  createdAt: isoTime,
});

export const partnerEnrolledSchema = object({
  partner: partnerSchema,
  enrolledAt: isoTime,
});

export const partnerApplicationSubmittedSchema = object({
  partner: partnerSchema,
  application: object({
    id,
    proposal: z.string().nullable(),
    website: z.url().nullable(),
    comments: z.string().nullable(),
    createdAt: isoTime,
  }),
});

export const examplePartner = {
  id: 'pn_1JRQ6A3F9K2M7T5W8B4X0DNQRS',
  name: 'Marco Rossi',
  email: 'marco@rossi-reviews.example',
  image: 'https://cdn.example.com/avatars/pn_1JRQ6A3F9K2M7T5W8B4X0DNQRS.png',
  country: 'IT',
  status: 'approved',
  programId: 'prg_1JRQ5B8N3X6T2W9K4M7P0CFYHE',
  tenantId: 'aff_9921',
  createdAt: '2025-05-28T11:20:03.000Z',
} satisfies z.input<typeof partnerSchema>;

export const partnerEnrolledExample = {
  partner: examplePartner,
  enrolledAt: '2025-05-30T08:45:19.512Z',
} satisfies z.input<typeof partnerEnrolledSchema>;

export const partnerApplicationSubmittedExample = {
  partner: {
    ...examplePartner,
    id: 'pn_1JRW2C7H5M9Q3T6V0X8Z4BEKGN',
    name: 'Priya Nair',
    email: 'priya@stackweekly.example',
    image: null,
    country: 'IN',
    status: 'pending',
    tenantId: null,
    createdAt: '2025-06-08T19:02:44.000Z',
  },
  application: {
    id: 'pga_1JRW2D1K8N4R7V2Y5A9C3FHJMP',
    proposal: 'I run a weekly newsletter for 18k backend engineers and review developer tools.',
    website: 'https://stackweekly.example',
    comments: null,
    createdAt: '2025-06-08T19:02:44.000Z',
  },
} satisfies z.input<typeof partnerApplicationSubmittedSchema>;
