import { z } from 'zod';
import { eventTypeSchema } from '../events/catalog.js';
import { DELIVERY_VIEW_STATUSES, ENDPOINT_KINDS } from './enums.js';

// Input schemas shared by several routes. Objects are strict: an unknown field is a 400, not
// silently ignored, so a typo in an update never looks like a success.

/**
 * Every caller string that may reach Postgres (ids, cursors, names, URLs...) refuses NUL: Postgres
 * text and jsonb cannot hold U+0000 (it raises 22021 / 22P05), so a NUL is refused here with a
 * 400 that names the field, instead of failing in the query as a 500.
 */
export const refuseNul = <T extends z.ZodString | z.ZodStringFormat>(schema: T): T => schema.regex(/^[^\0]*$/, 'must not contain NUL characters') as T;
export const nulFreeString = refuseNul(z.string());

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: nulFreeString.min(1).max(100).optional(),
};
export const pageQuerySchema = z.strictObject(pageQuery);

/**
 * An ISO time bounded to years 1-9999 (in UTC): z.iso.datetime accepts year 0000 (and
 * "0001-01-01T00:30:00+14:00", which is year 0 in UTC), which Postgres refuses (22008) with a 500.
 * `abort`: a malformed time gets one message, not a second one about its range.
 */
export const isoTime = z.iso
  .datetime({ offset: true, abort: true })
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, 'must be between years 1 and 9999')
  .transform((value) => new Date(value));

export const deliveryStatusFilter = z.enum(DELIVERY_VIEW_STATUSES);

/** One endpoint's deliveries. */
export const deliveriesQuerySchema = z.strictObject({
  ...pageQuery,
  status: deliveryStatusFilter.optional(),
  event: eventTypeSchema.optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
});

/** `500`, or a class such as `5xx`. */
export const statusCodeFilter = z
  .string()
  .regex(/^[1-5](\d\d|xx)$/, 'must be a status code (500) or a class (5xx)');

/** The filters of the workspace-wide deliveries list, shared by its replay. */
export const workspaceDeliveryFilters = {
  status: deliveryStatusFilter.optional(),
  targetKind: z.enum(ENDPOINT_KINDS).optional(),
  targetId: nulFreeString.min(1).max(100).optional(),
  eventId: nulFreeString.min(1).max(100).optional(),
  eventType: eventTypeSchema.optional(),
  statusCode: statusCodeFilter.optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
};
export const workspaceDeliveriesQuerySchema = z.strictObject({ ...pageQuery, ...workspaceDeliveryFilters });

const idString = nulFreeString.min(1).max(100);

/** Path parameters: each a non-empty id. */
export const idParams = <const K extends string>(...names: K[]) => z.strictObject(Object.fromEntries(names.map((n) => [n, idString])) as { [N in K]: typeof idString });

export const eventTypeList = z.array(eventTypeSchema).min(1).max(50);

export const webhookUrl = nulFreeString.min(1).max(2048);

/** A body with no fields (strict, so anything sent is a 400 rather than ignored). */
export const emptyBody = z.strictObject({});
