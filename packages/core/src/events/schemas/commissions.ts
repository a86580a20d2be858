import { z } from 'zod';
import { amount, currency, id, isoTime, object } from './common.js';
import { customerSchema, exampleCustomer } from './leads-sales.js';
import { exampleLink } from './links.js';
import { examplePartner, partnerSchema } from './partners.js';

export const commissionTypeSchema = z.enum(['click', 'lead', 'sale', 'custom']);
export const commissionStatusSchema = z.enum([
  'pending',
  'processed',
  'paid',
  'refunded',
  'duplicate',
  'fraud',
  'canceled',
]);

// commission.created and commission.updated share one shape: the commission as it is now.
export const commissionSchema = object({
  id,
  type: commissionTypeSchema,
  amount: amount.describe('the amount the commission was computed from (e.g. the sale), in cents'),
  earnings: amount.describe("the partner's earnings, in cents"),
  currency,
  status: commissionStatusSchema,
  quantity: z.int().positive(),
  invoiceId: z.string().nullable(),
  description: z.string().nullable(),
  partner: partnerSchema,
  customer: customerSchema.nullable().optional(),
  // Present when the commission came from a conversion on a link, so the link's webhooks get it too.
  linkId: z.string().nullable().optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const commissionCreatedSchema = commissionSchema;
export const commissionUpdatedSchema = commissionSchema;

export const commissionCreatedExample = {
  id: 'cm_1JRZ9K5P2S6V9Y3B7E1G4JNQTW',
  type: 'sale',
  amount: 4_900,
  earnings: 980,
  currency: 'usd',
  status: 'pending',
  quantity: 1,
  invoiceId: 'in_1PQ8xYEa2Lr6TbQ9kZ3vW1sd',
  description: null,
  partner: examplePartner,
  customer: exampleCustomer,
  linkId: exampleLink.id,
  createdAt: '2025-06-10T14:12:09.877Z',
  updatedAt: '2025-06-10T14:12:09.877Z',
} satisfies z.input<typeof commissionSchema>;

export const commissionUpdatedExample = {
  ...commissionCreatedExample,
  status: 'processed',
  updatedAt: '2025-07-01T00:05:33.120Z',
} satisfies z.input<typeof commissionSchema>;
