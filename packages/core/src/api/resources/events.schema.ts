import { z } from 'zod';
import { EVENT_CATEGORIES, eventTypeSchema } from '../../events/catalog.js';
import { deliverySchema } from './deliveries.schema.js';
import { timestamp } from './common.schema.js';

export const acceptedEventSchema = z.strictObject({
  id: z.string(),
  type: eventTypeSchema,
  createdAt: timestamp,
  /** How many deliveries the event fanned out to. */
  deliveries: z.number().int(),
});
export type AcceptedEvent = z.infer<typeof acceptedEventSchema>;

export const eventDetailSchema = z.strictObject({
  id: z.string(),
  type: eventTypeSchema,
  linkId: z.string().nullable(),
  test: z.boolean(),
  createdAt: timestamp,
  /** The exact envelope bytes that receivers get. */
  payload: z.string(),
  deliveries: z.array(deliverySchema),
});
export type EventDetail = z.infer<typeof eventDetailSchema>;

/** An event in the events list (its payload and deliveries are on the detail). */
export const eventSummarySchema = z.strictObject({
  id: z.string(),
  type: eventTypeSchema,
  linkId: z.string().nullable(),
  test: z.boolean(),
  createdAt: timestamp,
});
export type EventSummary = z.infer<typeof eventSummarySchema>;

export const catalogEntrySchema = z.strictObject({
  type: eventTypeSchema,
  category: z.enum(EVENT_CATEGORIES),
  description: z.string(),
  /** JSON Schema of the event's `data`. */
  schema: z.record(z.string(), z.unknown()),
  example: z.record(z.string(), z.unknown()),
});
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;
