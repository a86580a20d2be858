import { z } from 'zod';
import { eventTypeSchema } from '../../events/catalog.js';
import { idParams, isoTime, nulFreeString, pageQuery } from '../inputs.js';
import { page } from '../resources/common.schema.js';
import { acceptedEventSchema, eventDetailSchema, eventSummarySchema } from '../resources/events.schema.js';
import { defineRoute } from '../route-contract.js';

export const MAX_EVENTS_PER_BATCH = 500;

export const eventBodySchema = z.strictObject({
  type: eventTypeSchema,
  /** Checked against the type's own schema by the API (a 400 names the field). */
  data: z.record(z.string(), z.unknown()),
  linkId: nulFreeString.min(1).max(100).optional(),
});
export type EventInput = z.input<typeof eventBodySchema>;

const idempotency = {
  'Idempotency-Key': 'Optional. The same key with the same body within 24 h returns the first answer and fans out nothing new; with a different body: 409.',
};

export const eventsApi = {
  emit: defineRoute({
    id: 'events.emit',
    method: 'post',
    path: '/events',
    summary: 'Emit one event: durable in Postgres before the answer, then delivered to every subscribed endpoint',
    access: { scope: 'events:write' },
    headers: idempotency,
    body: eventBodySchema,
    responses: { 202: acceptedEventSchema },
  }),
  emitBatch: defineRoute({
    id: 'events.emitBatch',
    method: 'post',
    path: '/events/batch',
    summary: `Emit up to ${MAX_EVENTS_PER_BATCH} events at once (all or nothing on validation)`,
    access: { scope: 'events:write' },
    headers: idempotency,
    body: z.strictObject({ events: z.array(eventBodySchema).min(1).max(MAX_EVENTS_PER_BATCH) }),
    responses: { 202: z.strictObject({ data: z.array(acceptedEventSchema) }) },
  }),
  list: defineRoute({
    id: 'events.list',
    method: 'get',
    path: '/events',
    summary: 'Events of the workspace, newest first',
    access: { scope: 'events:read' },
    query: z.strictObject({ ...pageQuery, type: eventTypeSchema.optional(), linkId: nulFreeString.min(1).max(100).optional(), since: isoTime.optional(), until: isoTime.optional() }),
    responses: { 200: page(eventSummarySchema) },
  }),
  get: defineRoute({
    id: 'events.get',
    method: 'get',
    path: '/events/:eventId',
    summary: 'An event with its deliveries',
    access: { scope: 'events:read' },
    params: idParams('eventId'),
    responses: { 200: eventDetailSchema },
  }),
};
