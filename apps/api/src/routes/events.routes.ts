import { z } from 'zod';
import { badRequest, eventTypeSchema, notFound } from '@dispatch/core';
import { findEvent, listEventDeliveries } from '@dispatch/db';
import { requireKey } from '../http/auth.js';
import { reply, route } from '../http/route.js';
import { traceparentOf } from '../metrics/http-metrics.js';
import { idParams, nulFreeString } from '../http/schemas.js';
import { emitEvents } from '../services/events.service.js';
import { deliveryView } from '../views/delivery.view.js';

const eventBody = z.strictObject({
  type: eventTypeSchema,
  data: z.record(z.string(), z.unknown()),
  linkId: nulFreeString.min(1).max(100).optional(),
});
const MAX_BATCH = 500;

function idempotencyKey(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  // Node's parser already refuses control characters in header values (unless started with
  // --insecure-http-parser); a batch's stored keys rely on their absence (idempotency.ts).
  if (value && /[\u0000-\u001f\u007f]/.test(value)) throw badRequest('Idempotency-Key: must not contain control characters', [{ path: 'Idempotency-Key', message: 'must not contain control characters' }]);
  return value ? value.slice(0, 255) : undefined;
}

export const eventRoutes = [
  route({
    method: 'post',
    path: '/events',
    access: { scope: 'events:write' },
    body: eventBody,
    handler: async ({ deps, principal, body, req }) => {
      const [accepted] = await emitEvents(deps, requireKey(principal).workspaceId, [body], idempotencyKey(req.headers['idempotency-key']), false, traceparentOf(req));
      return reply(202, accepted);
    },
  }),
  route({
    method: 'post',
    path: '/events/batch',
    access: { scope: 'events:write' },
    body: z.strictObject({ events: z.array(eventBody).min(1).max(MAX_BATCH) }),
    handler: async ({ deps, principal, body, req }) => {
      const data = await emitEvents(deps, requireKey(principal).workspaceId, body.events, idempotencyKey(req.headers['idempotency-key']), true, traceparentOf(req));
      return reply(202, { data });
    },
  }),
  route({
    method: 'get',
    path: '/events/:eventId',
    // events:write grants it too (core's grantsScope): a key may read the events it can emit.
    access: { scope: 'events:read' },
    params: idParams('eventId'),
    handler: async ({ deps, principal, params }) => {
      const workspaceId = requireKey(principal).workspaceId;
      const event = await findEvent(deps.db, workspaceId, params.eventId);
      if (!event) throw notFound('event');
      const deliveries = await listEventDeliveries(deps.db, { workspaceId, eventId: event.id });
      return {
        id: event.id,
        type: event.type,
        linkId: event.linkId,
        test: event.test,
        createdAt: event.createdAt.toISOString(),
        payload: event.payload,
        deliveries: deliveries.map(deliveryView),
      };
    },
  }),
];
