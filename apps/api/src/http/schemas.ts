import { z } from 'zod';
import { DELIVERY_STATUSES } from '@dispatch/db';
import { eventTypeSchema } from '@dispatch/core';

// Input schemas shared by several routes. Objects are strict: an unknown field is a 400, not
// silently ignored, so a typo in an update never looks like a success.

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(100).optional(),
};

export const pageQuerySchema = z.strictObject(pageQuery);

const isoTime = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

export const deliveriesQuerySchema = z.strictObject({
  ...pageQuery,
  status: z.enum(DELIVERY_STATUSES).optional(),
  event: eventTypeSchema.optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
});

export const idParams = <K extends string>(...names: K[]) =>
  z.strictObject(Object.fromEntries(names.map((n) => [n, z.string().min(1).max(100)]))) as unknown as z.ZodType<Record<K, string>>;

export const eventTypeList = z.array(eventTypeSchema).min(1).max(50);

export const testBodySchema = z.strictObject({ event: eventTypeSchema.optional() });

export const webhookUrl = z.string().min(1).max(2048);
