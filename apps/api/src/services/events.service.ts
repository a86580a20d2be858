import {
  badRequest,
  zodIssueDetails,
  endpointReceives,
  eventLinkId,
  getEventDefinition,
  newId,
  serializeEnvelope,
  type EventType,
} from '@dispatch/core';
import {
  countEventDeliveries,
  findEventsByIdempotencyKeys,
  releaseIdempotencyKeys,
  type AcceptedDeliveryRow,
  type AcceptedEventRow,
  type EndpointKind,
  type EventRow,
  isUniqueViolation,
} from '@dispatch/db';
import { deliverJobId } from '@dispatch/core';
import type { AcceptedEvent } from '@dispatch/core/api';
import type { ApiDeps } from '../deps.js';
import { sameRequest, storedIdempotencyKeys } from './idempotency.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface EventInput {
  type: EventType;
  data: Record<string, unknown>;
  linkId?: string | undefined;
}


/** Validates each event's data against its type's schema; all must pass before anything is written. */
export function validateEventData(inputs: readonly EventInput[], pathPrefix = ''): void {
  const details = inputs.flatMap((input, index) => {
    const result = getEventDefinition(input.type).schema.safeParse(input.data);
    const prefix = pathPrefix ? `${pathPrefix}${index}.data` : 'data';
    if (!result.success) return zodIssueDetails(result.error, prefix);
    // Without a top-level linkId, the link id read from the data is stored in a text column, which
    // cannot hold NUL (the rest of the data is stored as JSON text, where NUL is escaped).
    const linkId = input.linkId === undefined ? eventLinkId(input.data) : undefined;
    return linkId?.includes('\0') ? [{ path: prefix, message: 'the link id must not contain NUL characters' }] : [];
  });
  if (details.length > 0) throw badRequest(details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
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
  const maxAttempts = options.maxAttempts ?? deps.config.DISPATCH_RETRY_SCHEDULE.length + 1;
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

async function replayedEvents(deps: ApiDeps, events: EventRow[]): Promise<AcceptedEvent[]> {
  const counts = await countEventDeliveries(deps.db, events.map((e) => e.id));
  return events.map((event) => ({ id: event.id, type: event.type as EventType, createdAt: event.createdAt.toISOString(), deliveries: counts.get(event.id) ?? 0 }));
}

/**
 * Accepts one event or a batch. The same Idempotency-Key within 24 hours with the same request
 * returns the first answer and fans out nothing new; with another request it is a 409 (see
 * idempotency.ts; a batch is all or nothing, so either all its keys exist or none). Two concurrent
 * requests with one key race on the unique index; the loser answers as if it came second.
 */
export async function emitEvents(
  deps: ApiDeps,
  workspaceId: string,
  inputs: EventInput[],
  idempotencyKey: string | undefined,
  batch: boolean,
  /** The request's trace context, carried into its delivery jobs (tracing on only). */
  traceparent?: string,
): Promise<AcceptedEvent[]> {
  validateEventData(inputs, batch ? 'events.' : '');
  if (!idempotencyKey) return acceptEvents(deps, workspaceId, inputs, inputs.map(() => null), { traceparent });
  const { keys, lookup } = storedIdempotencyKeys(idempotencyKey, inputs.length, batch);
  const window = { workspaceId, keys: lookup, notBefore: new Date(Date.now() - IDEMPOTENCY_WINDOW_MS) };
  const existing = await findEventsByIdempotencyKeys(deps.db, window);
  if (existing.length > 0) return replayedEvents(deps, sameRequest(existing, inputs, keys));
  await releaseIdempotencyKeys(deps.db, window);
  try {
    return await acceptEvents(deps, workspaceId, inputs, keys, { traceparent });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winners = await findEventsByIdempotencyKeys(deps.db, window);
    if (winners.length === 0) throw error;
    return replayedEvents(deps, sameRequest(winners, inputs, keys));
  }
}
