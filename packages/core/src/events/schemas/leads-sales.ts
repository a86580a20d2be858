import { z } from 'zod';
import { amount, currency, id, isoTime, object } from './common.js';
import { clickSchema, exampleClick, exampleLink, linkSchema } from './links.js';

export const customerSchema = object({
  id,
  externalId: z.string().nullable().describe("the customer's id in the product's own system"),
  name: z.string().nullable(),
  email: z.email().nullable(),
  avatar: z.url().nullable(),
  country: z.string().nullable(),
  createdAt: isoTime,
});

export const saleSchema = object({
  amount,
  currency,
  paymentProcessor: z.string().min(1).describe('e.g. stripe, shopify, paddle, polar, custom'),
  invoiceId: z.string().nullable(),
});

const linkId = id.describe('id of the link that the conversion is attributed to');

export const leadCreatedSchema = object({
  eventName: z.string().min(1),
  customer: customerSchema,
  click: clickSchema,
  link: linkSchema,
  linkId,
});

export const saleCreatedSchema = object({
  eventName: z.string().min(1),
  customer: customerSchema,
  sale: saleSchema,
  click: clickSchema,
  link: linkSchema,
  linkId,
});

export const exampleCustomer = {
  id: 'cus_1JRZ9H3K7N1Q5T8W2Y4B6DMFXE',
  externalId: 'user_58213',
  name: 'Lena Hoffmann',
  email: 'lena.hoffmann@example.com',
  avatar: null,
  country: 'DE',
  createdAt: '2025-06-10T14:07:51.402Z',
} satisfies z.input<typeof customerSchema>;

export const leadCreatedExample = {
  eventName: 'Sign up',
  customer: exampleCustomer,
  click: exampleClick,
  link: { ...exampleLink, leads: 98 },
  linkId: exampleLink.id,
} satisfies z.input<typeof leadCreatedSchema>;

export const saleCreatedExample = {
  eventName: 'Purchased Pro plan',
  customer: exampleCustomer,
  sale: {
    amount: 4_900,
    currency: 'usd',
    paymentProcessor: 'stripe',
    invoiceId: 'in_1PQ8xYEa2Lr6TbQ9kZ3vW1sd',
  },
  click: exampleClick,
  link: { ...exampleLink, sales: 24, saleAmount: 279_600 },
  linkId: exampleLink.id,
} satisfies z.input<typeof saleCreatedSchema>;
