import { z } from 'zod';
import { id, isoTime, object } from './common.js';

export const tagSchema = object({ id, name: z.string(), color: z.string() });

export const linkSchema = object({
  id,
  domain: z.string().min(1),
  key: z.string().min(1),
  url: z.url(),
  shortLink: z.url(),
  externalId: z.string().nullable(),
  title: z.string().nullable(),
  tags: z.array(tagSchema),
  programId: z.string().nullable(),
  partnerId: z.string().nullable(),
  clicks: z.int().nonnegative(),
  leads: z.int().nonnegative(),
  sales: z.int().nonnegative(),
  saleAmount: z.int().nonnegative().describe('lifetime sales in cents'),
  lastClicked: isoTime.nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const clickSchema = object({
  id,
  timestamp: isoTime,
  url: z.url().describe('destination the visitor was sent to'),
  country: z.string().describe('ISO-3166 alpha-2, or "Unknown"'),
  city: z.string(),
  region: z.string(),
  continent: z.string(),
  device: z.string(),
  browser: z.string(),
  os: z.string(),
  referer: z.string().describe('referring domain, or "(direct)"'),
  refererUrl: z.string(),
  ip: z.string(),
  qr: z.boolean(),
});

// Every link-scoped event carries a top-level `linkId` (the link's id) beside the link object:
// fan-out to link webhooks reads it, and filters can match `data.linkId` on every such event.
const linkId = id.describe('id of the link this event belongs to');

export const linkClickedSchema = object({ linkId, click: clickSchema, link: linkSchema });
export const linkCreatedSchema = object({ linkId, link: linkSchema });
export const linkUpdatedSchema = object({ linkId, link: linkSchema });
export const linkDeletedSchema = object({ linkId, link: linkSchema, deletedAt: isoTime });

export const exampleLink = {
  id: 'link_1JRQ7W2M4V8K3D9F5H6T0XBNZC',
  domain: 'acme.link',
  key: 'summer-sale',
  url: 'https://www.acme.com/pricing?utm_source=newsletter',
  shortLink: 'https://acme.link/summer-sale',
  externalId: 'cms_48213',
  title: 'Summer sale pricing',
  tags: [{ id: 'tag_1JRQ6ZK2P0Y7WQ3M8E5C1VHDA4', name: 'newsletter', color: 'blue' }],
  programId: 'prg_1JRQ5B8N3X6T2W9K4M7P0CFYHE',
  partnerId: 'pn_1JRQ6A3F9K2M7T5W8B4X0DNQRS',
  clicks: 1284,
  leads: 97,
  sales: 23,
  saleAmount: 274_700,
  lastClicked: '2025-06-10T14:03:22.118Z',
  createdAt: '2025-06-02T09:15:40.000Z',
  updatedAt: '2025-06-09T17:42:05.331Z',
} satisfies z.input<typeof linkSchema>;

export const exampleClick = {
  id: 'clk_1JRZ4T8M2Q6V0K3N9D5F7HXWBA',
  timestamp: '2025-06-10T14:03:22.118Z',
  url: 'https://www.acme.com/pricing?utm_source=newsletter',
  country: 'DE',
  city: 'Berlin',
  region: 'BE',
  continent: 'EU',
  device: 'Desktop',
  browser: 'Firefox',
  os: 'Mac OS',
  referer: 'news.ycombinator.com',
  refererUrl: 'https://news.ycombinator.com/item?id=40612345',
  ip: '203.0.113.42',
  qr: false,
} satisfies z.input<typeof clickSchema>;

export const linkClickedExample = {
  linkId: exampleLink.id,
  click: exampleClick,
  link: { ...exampleLink, clicks: 1285 },
} satisfies z.input<typeof linkClickedSchema>;

export const linkCreatedExample = {
  linkId: exampleLink.id,
  link: {
    ...exampleLink,
    clicks: 0,
    leads: 0,
    sales: 0,
    saleAmount: 0,
    lastClicked: null,
    updatedAt: exampleLink.createdAt,
  },
} satisfies z.input<typeof linkCreatedSchema>;

export const linkUpdatedExample = {
  linkId: exampleLink.id,
  link: exampleLink,
} satisfies z.input<typeof linkUpdatedSchema>;

export const linkDeletedExample = {
  linkId: exampleLink.id,
  link: exampleLink,
  deletedAt: '2025-06-11T08:00:12.904Z',
} satisfies z.input<typeof linkDeletedSchema>;
