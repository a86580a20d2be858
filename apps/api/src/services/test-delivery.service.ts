import { setTimeout as sleep } from 'node:timers/promises';
import { badRequest, eventLinkId, getEventDefinition, rateLimited, type EventType } from '@dispatch/core';
import { findDelivery, listEventDeliveries, type EndpointScope } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { deliveryView } from '../views/delivery.view.js';
import { getEndpoint } from './endpoints.service.js';
import { acceptEvents } from '../ingest/accept.js';

const TEST_WAIT_MS = 10_000;

/**
 * Sends the example payload of a real event type to one endpoint (even a disabled one) as a test
 * delivery: its own event and webhook-id, one attempt, no effect on the endpoint's failure count.
 * Answers 200 with the attempt when it lands within 10 s, else 202 with the pending delivery.
 */
export async function sendTestDelivery(deps: ApiDeps, scope: EndpointScope, endpointId: string, requested: EventType | undefined, keyId: string) {
  const endpoint = await getEndpoint(deps, scope, endpointId);
  const type = (requested ?? endpoint.eventTypes[0]) as EventType | undefined;
  if (!type) throw badRequest('event: the webhook has no trigger; name an event to test', [{ path: 'event', message: 'required' }]);
  // Each test is a real request from a worker to a URL of the caller's choosing: only a few per key,
  // counted when one would really be sent (not for a refused or unknown endpoint).
  const wait = deps.testSends.take(keyId);
  if (wait > 0) throw rateLimited(wait);
  const data: Record<string, unknown> = structuredClone(getEventDefinition(type).example);
  // A link webhook's test carries its own link id, so receivers see what the real event will look like.
  if (endpoint.linkId && eventLinkId(data) !== undefined) data.linkId = endpoint.linkId;
  const [event] = await acceptEvents(deps, scope.workspaceId, [{ type, data }], [null], {
    test: true,
    maxAttempts: 1,
    target: { id: endpoint.id, kind: endpoint.kind },
  });
  const [delivery] = await listEventDeliveries(deps.db, { workspaceId: scope.workspaceId, eventId: event!.id });
  if (!delivery) throw new Error('test delivery was not created');
  const settled = await waitForFirstAttempt(deps, scope.workspaceId, delivery.id, TEST_WAIT_MS);
  return settled ? { status: 200 as const, body: { delivery: deliveryView(settled) } } : { status: 202 as const, body: { delivery: deliveryView(delivery) } };
}

async function waitForFirstAttempt(deps: ApiDeps, workspaceId: string, deliveryId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let pause = 20;
  while (Date.now() < deadline) {
    const row = await findDelivery(deps.db, { workspaceId, deliveryId });
    if (row?.lastAttempt) return row;
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
    pause = Math.min(pause * 2, 250);
  }
  return undefined;
}
