import { z } from 'zod';
import { eventTypeSchema } from '../../events/catalog.js';
import { STATS_WINDOWS, REPLAY_SELECTIONS } from '../enums.js';
import { deliveriesQuerySchema, emptyBody, idParams, isoTime } from '../inputs.js';
import { page } from '../resources/common.schema.js';
import { deliveryAnswerSchema, deliveryDetailSchema, deliverySchema, replaySchema, replayStartedSchema } from '../resources/deliveries.schema.js';
import { rotatedSecretSchema } from '../resources/endpoints.schema.js';
import { endpointStatsSchema } from '../resources/stats.schema.js';
import { defineRoute, type Access, type ResponseMap } from '../route-contract.js';

// The operations every kind of endpoint shares (test, enable, rotate-secret, deliveries, redeliver,
// replay), declared once and placed under each kind's path with that kind's access rules.

export const REPLAY_MAX_DELIVERIES = 10_000;
export const REPLAY_WINDOW_DAYS = 14;

export const testBodySchema = z.strictObject({ event: eventTypeSchema.optional() });
export const replayBodySchema = z.strictObject({
  since: isoTime,
  until: isoTime.optional(),
  status: z.enum(REPLAY_SELECTIONS).default('failed'),
  dryRun: z.boolean().default(false),
});
export const rotateSecretBodySchema = z.strictObject({ graceSeconds: z.number().int().min(0).max(604_800).default(86_400) });

export const statsQuerySchema = z.strictObject({ window: z.enum(STATS_WINDOWS).default('24h') });

export function endpointActions<const Prefix extends string, const Name extends string, E extends ResponseMap>(
  prefix: Prefix,
  base: string,
  names: readonly Name[],
  access: { read: Access; write: Access },
  endpoint: { noun: string; enableResponse: E },
) {
  const params = idParams(...names);
  const withDelivery = idParams<Name | 'deliveryId'>(...names, 'deliveryId');
  const withReplay = idParams<Name | 'replayId'>(...names, 'replayId');
  return {
    test: defineRoute({
      id: `${prefix}.test`,
      method: 'post',
      path: `${base}/test`,
      summary: `Send a test delivery (an example event) to the ${endpoint.noun}, even a disabled one; waits up to 10 s for the attempt`,
      access: access.write,
      params,
      body: testBodySchema,
      responses: { 200: deliveryAnswerSchema, 202: deliveryAnswerSchema },
    }),
    enable: defineRoute({
      id: `${prefix}.enable`,
      method: 'post',
      path: `${base}/enable`,
      summary: `Re-enable the ${endpoint.noun} and reset its failure count`,
      access: access.write,
      params,
      body: emptyBody,
      responses: endpoint.enableResponse,
    }),
    rotateSecret: defineRoute({
      id: `${prefix}.rotateSecret`,
      method: 'post',
      path: `${base}/rotate-secret`,
      summary: 'Make a new signing secret; the old one keeps signing during the grace period',
      access: access.write,
      params,
      body: rotateSecretBodySchema,
      responses: { 200: rotatedSecretSchema },
    }),
    deliveries: defineRoute({
      id: `${prefix}.deliveries`,
      method: 'get',
      path: `${base}/deliveries`,
      summary: `Deliveries to the ${endpoint.noun}, newest first`,
      access: access.read,
      params,
      query: deliveriesQuerySchema,
      responses: { 200: page(deliverySchema) },
    }),
    delivery: defineRoute({
      id: `${prefix}.delivery`,
      method: 'get',
      path: `${base}/deliveries/:deliveryId`,
      summary: 'A delivery with its payload and every attempt',
      access: access.read,
      params: withDelivery,
      responses: { 200: deliveryDetailSchema },
    }),
    redeliver: defineRoute({
      id: `${prefix}.redeliver`,
      method: 'post',
      path: `${base}/redeliver/:deliveryId`,
      summary: 'Queue a new attempt of the same message now (same webhook-id)',
      access: access.write,
      params: withDelivery,
      body: emptyBody,
      responses: { 202: deliveryAnswerSchema },
    }),
    replay: defineRoute({
      id: `${prefix}.replay`,
      method: 'post',
      path: `${base}/replay`,
      summary: `Re-send matching deliveries in the background (at most ${REPLAY_MAX_DELIVERIES}, ${REPLAY_WINDOW_DAYS} days back)`,
      access: access.write,
      params,
      body: replayBodySchema,
      responses: { 202: replayStartedSchema },
    }),
    stats: defineRoute({
      id: `${prefix}.stats`,
      method: 'get',
      path: `${base}/stats`,
      summary: `Health of the ${endpoint.noun} over a window: success rate, latency, breaker, pending and failing deliveries`,
      access: access.read,
      params,
      query: statsQuerySchema,
      responses: { 200: endpointStatsSchema },
    }),
    replayStatus: defineRoute({
      id: `${prefix}.replayStatus`,
      method: 'get',
      path: `${base}/replays/:replayId`,
      summary: 'Progress of a replay',
      access: access.read,
      params: withReplay,
      responses: { 200: replaySchema },
    }),
  };
}
