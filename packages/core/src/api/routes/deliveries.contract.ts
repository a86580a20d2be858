import { z } from 'zod';
import { ENDPOINT_HEALTH_FILTERS, ENDPOINT_KINDS, REPLAY_SELECTIONS } from '../enums.js';
import { emptyBody, idParams, isoTime, nulFreeString, pageQuery, workspaceDeliveriesQuerySchema, workspaceDeliveryFilters } from '../inputs.js';
import { page } from '../resources/common.schema.js';
import { attemptFeedItemSchema, deliveryAnswerSchema, deliveryDetailSchema, deliverySchema, replaySchema } from '../resources/deliveries.schema.js';
import { endpointSummarySchema } from '../resources/stats.schema.js';
import { defineRoute } from '../route-contract.js';

// The on-call views across the whole workspace. A key sees the kinds its scopes read: links:read the
// workspace and link webhooks, webhooks:read the outbound webhooks.

const anyRead = { scope: ['links:read', 'webhooks:read'] } as const;
const anyWrite = { scope: ['links:write', 'webhooks:manage'] } as const;

export const workspaceReplayBodySchema = z.strictObject({
  ...workspaceDeliveryFilters,
  status: z.enum(REPLAY_SELECTIONS).default('failed'),
  since: isoTime,
  dryRun: z.boolean().default(false),
});

export const deliveriesApi = {
  list: defineRoute({
    id: 'deliveries.list',
    method: 'get',
    path: '/deliveries',
    summary: 'Every delivery of the workspace the key may read, newest first',
    access: anyRead,
    query: workspaceDeliveriesQuerySchema,
    responses: { 200: page(deliverySchema) },
  }),
  get: defineRoute({
    id: 'deliveries.get',
    method: 'get',
    path: '/deliveries/:deliveryId',
    summary: 'A delivery of any endpoint, with its payload and every attempt (the id alone is enough)',
    access: anyRead,
    params: idParams('deliveryId'),
    responses: { 200: deliveryDetailSchema },
  }),
  redeliver: defineRoute({
    id: 'deliveries.redeliver',
    method: 'post',
    path: '/deliveries/:deliveryId/redeliver',
    summary: "One new attempt of a delivery of any endpoint now (needs the write scope of the delivery's endpoint kind)",
    access: anyWrite,
    params: idParams('deliveryId'),
    body: emptyBody,
    responses: { 202: deliveryAnswerSchema },
  }),
  replay: defineRoute({
    id: 'deliveries.replay',
    method: 'post',
    path: '/deliveries/replay',
    summary: 'Re-send the deliveries that match (one new attempt each, in the background); dry run: count them',
    access: anyWrite,
    body: workspaceReplayBodySchema,
    responses: { 200: z.strictObject({ count: z.number().int(), dryRun: z.literal(true) }), 202: z.strictObject({ id: z.string(), count: z.number().int() }) },
  }),
  replayStatus: defineRoute({
    id: 'deliveries.replayStatus',
    method: 'get',
    path: '/replays/:replayId',
    summary: 'Progress of a replay',
    access: anyRead,
    params: idParams('replayId'),
    responses: { 200: replaySchema },
  }),
  attempts: defineRoute({
    id: 'deliveries.attempts',
    method: 'get',
    path: '/attempts',
    summary: 'Attempts of the workspace as they happen: `after` an attempt id, oldest first (what `dispatch tail` follows)',
    access: anyRead,
    query: z.strictObject({ after: nulFreeString.min(1).max(100).optional(), limit: pageQuery.limit }),
    responses: { 200: z.strictObject({ data: z.array(attemptFeedItemSchema), last: z.string().nullable() }) },
  }),
};

/** Endpoints of every kind together: the console's overview and the CLI's `endpoints` commands. */
export const endpointsApi = {
  get: defineRoute({
    id: 'endpoints.get',
    method: 'get',
    path: '/endpoints/:endpointId',
    summary: 'One endpoint of any kind by its id, with its 24 h health summary',
    access: anyRead,
    params: idParams('endpointId'),
    responses: { 200: endpointSummarySchema },
  }),
  list: defineRoute({
    id: 'endpoints.list',
    method: 'get',
    path: '/endpoints',
    summary: 'Endpoints of every kind the key may read, with a 24 h health summary; failing ones first',
    access: anyRead,
    query: z.strictObject({ ...pageQuery, kind: z.enum(ENDPOINT_KINDS).optional(), status: z.enum(ENDPOINT_HEALTH_FILTERS).optional() }),
    responses: { 200: page(endpointSummarySchema) },
  }),
};
