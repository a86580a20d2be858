import { badRequest, eventLinkId, getEventDefinition, zodIssueDetails, type EventType } from '@dispatch/core';
import type { AcceptedEvent } from '@dispatch/core/api';
import { countEventDeliveries, findEventsByIdempotencyKeys, isUniqueViolation, releaseIdempotencyKeys, type EventRow } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { acceptEvents, type EventInput } from '../ingest/accept.js';
import { sameRequest, storedIdempotencyKeys } from './idempotency.js';

export type { EventInput } from '../ingest/accept.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;


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
