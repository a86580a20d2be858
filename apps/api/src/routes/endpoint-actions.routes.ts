import { z } from 'zod';
import type { EndpointScope } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { requireKey, type Principal } from '../http/auth.js';
import { reply, route, type Access } from '../http/route.js';
import { deliveriesQuerySchema, idParams, isoTime, testBodySchema } from '../http/schemas.js';
import { getDeliveryDetail, listDeliveries } from '../services/deliveries.service.js';
import { reenableEndpoint, rotateSecret } from '../services/endpoints.service.js';
import { getReplay, redeliver, startEndpointReplay } from '../services/manual-attempts.service.js';
import { sendTestDelivery } from '../services/test-delivery.service.js';
import { endpointView } from '../views/endpoint.view.js';

// The operations every kind of endpoint shares (test, enable, rotate, deliveries, redeliver,
// replay), declared once and mounted under each kind's path with its own access rules.

export interface EndpointActionsConfig {
  /** e.g. `/links/:linkId/webhooks/:webhookId`. */
  base: string;
  params: string[];
  idParam: string;
  read: Access;
  write: Access;
  /** Resolves and checks the caller's scope (for link webhooks: that the link is theirs). */
  scope: (deps: ApiDeps, principal: Principal, params: Record<string, string>) => Promise<EndpointScope>;
}

const replayBody = z.strictObject({
  since: isoTime,
  until: isoTime.optional(),
  status: z.enum(['failed', 'all']).default('failed'),
  dryRun: z.boolean().default(false),
});
const rotateBody = z.strictObject({ graceSeconds: z.number().int().min(0).max(604_800).default(86_400) });
/** Routes that take no input still declare their body: an unknown field is a 400 like everywhere else. */
const emptyBody = z.strictObject({});

export function endpointActionRoutes(c: EndpointActionsConfig) {
  const params = idParams(...c.params);
  const withDelivery = idParams(...c.params, 'deliveryId') as z.ZodType<Record<string, string> & { deliveryId: string }>;
  const withReplay = idParams(...c.params, 'replayId') as z.ZodType<Record<string, string> & { replayId: string }>;
  const id = (p: Record<string, string>) => p[c.idParam]!;
  return [
    route({
      method: 'post',
      path: `${c.base}/test`,
      access: c.write,
      params,
      body: testBodySchema,
      handler: async ({ deps, principal, params: p, body }) => sendTestDelivery(deps, await c.scope(deps, principal, p), id(p), body.event, requireKey(principal).keyId),
    }),
    route({
      method: 'post',
      path: `${c.base}/enable`,
      access: c.write,
      params,
      body: emptyBody,
      handler: async ({ deps, principal, params: p }) => endpointView(await reenableEndpoint(deps, await c.scope(deps, principal, p), id(p))),
    }),
    route({
      method: 'post',
      path: `${c.base}/rotate-secret`,
      access: c.write,
      params,
      body: rotateBody,
      handler: async ({ deps, principal, params: p, body }) => rotateSecret(deps, await c.scope(deps, principal, p), id(p), body.graceSeconds),
    }),
    route({
      method: 'get',
      path: `${c.base}/deliveries`,
      access: c.read,
      params,
      query: deliveriesQuerySchema,
      handler: async ({ deps, principal, params: p, query }) =>
        listDeliveries(deps, await c.scope(deps, principal, p), id(p), { status: query.status, eventType: query.event, since: query.since, until: query.until }, query),
    }),
    route({
      method: 'get',
      path: `${c.base}/deliveries/:deliveryId`,
      access: c.read,
      params: withDelivery,
      handler: async ({ deps, principal, params: p }) => getDeliveryDetail(deps, await c.scope(deps, principal, p), id(p), p.deliveryId),
    }),
    route({
      method: 'post',
      path: `${c.base}/redeliver/:deliveryId`,
      access: c.write,
      params: withDelivery,
      body: emptyBody,
      handler: async ({ deps, principal, params: p }) => reply202(await redeliver(deps, await c.scope(deps, principal, p), id(p), p.deliveryId)),
    }),
    route({
      method: 'post',
      path: `${c.base}/replay`,
      access: c.write,
      params,
      body: replayBody,
      handler: async ({ deps, principal, params: p, body }) => reply202(await startEndpointReplay(deps, await c.scope(deps, principal, p), id(p), body)),
    }),
    route({
      method: 'get',
      path: `${c.base}/replays/:replayId`,
      access: c.read,
      params: withReplay,
      handler: async ({ deps, principal, params: p }) => getReplay(deps, await c.scope(deps, principal, p), id(p), p.replayId),
    }),
  ];
}

const reply202 = (body: unknown) => reply(202, body);
