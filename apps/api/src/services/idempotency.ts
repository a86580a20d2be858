import { canonicalJson, conflict, eventLinkId } from '@dispatch/core';
import type { EventRow } from '@dispatch/db';

// What an Idempotency-Key is stored as, and whether a repeated request is the one that key was
// first used for (as Stripe does: the same key with another body is refused, not answered).

/** The request fields that make an event (EventInput, without importing the service that uses this). */
interface EventRequest {
  type: string;
  data: Record<string, unknown>;
  linkId?: string | undefined;
}

/**
 * A single event stores the key as sent. A batch's event `i` stores `<key>\u001f<i>`: the separator
 * is a control character, which an HTTP header value cannot carry (Node's parser refuses it, and the
 * route refuses it too), so no single event's key equals a batch's and the two never collide.
 * A batch also looks up the key one past its last event: a longer batch sent with the same key is
 * another request, and that row is how the shorter one finds out.
 */
export function storedIdempotencyKeys(key: string, count: number, batch: boolean): { keys: string[]; lookup: string[] } {
  if (!batch) return { keys: [key], lookup: [key] };
  const lookup = Array.from({ length: count + 1 }, (_, index) => `${key}\u001f${index}`);
  return { keys: lookup.slice(0, count), lookup };
}

/**
 * The events a key produced, in request order, when they are this request's events: same count,
 * and each with the same type, data (as a value: key order aside) and link. The stored envelope is
 * what is compared, so a request that names the link its data already names is the same request.
 */
export function sameRequest(events: readonly EventRow[], inputs: readonly EventRequest[], keys: readonly string[]): EventRow[] {
  const order = new Map(keys.map((key, index) => [key, index]));
  const sorted = [...events].sort((a, b) => (order.get(a.idempotencyKey ?? '') ?? keys.length) - (order.get(b.idempotencyKey ?? '') ?? keys.length));
  const matches = sorted.length === inputs.length && sorted.every((event, index) => order.get(event.idempotencyKey ?? '') === index && sameEvent(event, inputs[index]!));
  if (!matches) throw conflict('this Idempotency-Key was already used for a different request');
  return sorted;
}

function sameEvent(event: EventRow, input: EventRequest): boolean {
  if (event.type !== input.type || event.linkId !== (input.linkId ?? eventLinkId(input.data) ?? null)) return false;
  const stored = JSON.parse(event.payload) as { data: unknown };
  return canonicalJson(stored.data) === canonicalJson(input.data);
}
