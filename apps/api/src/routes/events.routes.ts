import { badRequest } from '@dispatch/core';
import { api } from '@dispatch/core/api';
import { requireKey } from '../http/auth.js';
import { implement } from '../http/route.js';
import { traceparentOf } from '../metrics/http-metrics.js';
import { getEventDetail, listEventsPage } from '../services/event-reads.service.js';
import { emitEvents } from '../services/events.service.js';

function idempotencyKey(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  // Node's parser already refuses control characters in header values (unless started with
  // --insecure-http-parser); a batch's stored keys rely on their absence (idempotency.ts).
  if (value && /[\u0000-\u001f\u007f]/.test(value)) throw badRequest('Idempotency-Key: must not contain control characters', [{ path: 'Idempotency-Key', message: 'must not contain control characters' }]);
  return value ? value.slice(0, 255) : undefined;
}

export const eventRoutes = [
  implement(api.events.emit, async ({ deps, principal, body, req }) => {
    const [accepted] = await emitEvents(deps, requireKey(principal).workspaceId, [body], idempotencyKey(req.headers['idempotency-key']), false, traceparentOf(req));
    return accepted!;
  }),
  implement(api.events.emitBatch, async ({ deps, principal, body, req }) => ({
    data: await emitEvents(deps, requireKey(principal).workspaceId, body.events, idempotencyKey(req.headers['idempotency-key']), true, traceparentOf(req)),
  })),
  // Reading needs events:read, which events:write grants too (core's grantsScope): a key may read the events it can emit.
  implement(api.events.list, ({ deps, principal, query }) =>
    listEventsPage(deps, requireKey(principal).workspaceId, { type: query.type, linkId: query.linkId, since: query.since, until: query.until }, query),
  ),
  implement(api.events.get, ({ deps, principal, params }) => getEventDetail(deps, requireKey(principal).workspaceId, params.eventId)),
];
