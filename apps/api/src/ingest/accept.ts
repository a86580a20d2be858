import { deliverJobId, endpointReceives, eventLinkId, newId, scheduledAttempts, serializeEnvelope, type EventType } from '@dispatch/core';
import type { AcceptedEvent } from '@dispatch/core/api';
import type { AcceptedDeliveryRow, AcceptedEventRow, EndpointKind } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';

/** One event as the product backend sends it (validated against its type's schema before this). */
export interface EventInput {
  type: EventType;
  data: Record<string, unknown>;
  linkId?: string | undefined;
}

/**
 * Writes the events and all their deliveries in one statement (Postgres is the record; see
 * AcceptBatcher, which shares the statement with concurrent requests), then queues the deliveries.
 * If queueing fails the events are still accepted: the reconciler finds the pending deliveries and
 * queues them.
 */
export async function acceptEvents(
  deps: ApiDeps,
  workspaceId: string,
  inputs: readonly EventInput[],
  idempotencyKeys: readonly (string | null)[],
  /** `target`: a test goes to that one endpoint only, whatever its triggers or state. */
  options: { test?: boolean; maxAttempts?: number; target?: { id: string; kind: EndpointKind }; traceparent?: string } = {},
): Promise<AcceptedEvent[]> {
  const maxAttempts = options.maxAttempts ?? scheduledAttempts(deps.config.DISPATCH_RETRY_SCHEDULE);
  const trigger = options.test ? 'test' : 'initial';
  const test = options.test ?? false;
  const candidates = options.target ? undefined : await deps.fanoutCache.candidates(workspaceId, [...new Set(inputs.map((i) => i.type))]);
  // One acceptance time for the events and their deliveries, so their timestamps agree.
  const createdAt = new Date();
  const timestamp = createdAt.toISOString();
  const events: AcceptedEventRow[] = [];
  const deliveries: AcceptedDeliveryRow[] = [];
  inputs.forEach((input, index) => {
    const id = newId('event');
    const envelope = { id, type: input.type, timestamp, data: input.data, test };
    const linkId = input.linkId ?? eventLinkId(input.data) ?? null;
    // A test's one target has no version: it is delivered whatever its triggers or state.
    const targets: { id: string; kind: EndpointKind; updatedAt?: Date }[] = options.target
      ? [options.target]
      : (candidates?.get(input.type) ?? []).filter((endpoint) => endpointReceives(endpoint, { type: input.type, linkId, envelope }));
    for (const endpoint of targets) {
      const deliveryId = newId('delivery');
      deliveries.push({
        id: deliveryId,
        workspaceId,
        eventId: id,
        eventType: input.type,
        endpointId: endpoint.id,
        endpointKind: endpoint.kind,
        jobId: deliverJobId(deliveryId, 1, trigger),
        test,
        maxAttempts,
        trigger,
        createdAt,
        requireActive: !options.target,
        endpointVersion: endpoint.updatedAt ?? null,
      });
    }
    // The envelope is serialised once, here: these bytes are stored, signed and sent as they are.
    events.push({ id, workspaceId, type: input.type, linkId, payload: serializeEnvelope(envelope), idempotencyKey: idempotencyKeys[index] ?? null, test, createdAt });
  });
  const written = await deps.acceptBatcher.accept({ events, deliveries, maxAttempts, manual: options.test, traceparent: options.traceparent });
  if (!test) deps.observability.metrics.eventsAccepted(inputs.map((input) => input.type));
  return events.map((event) => ({ id: event.id, type: event.type as EventType, createdAt: timestamp, deliveries: written.get(event.id)?.length ?? 0 }));
}

