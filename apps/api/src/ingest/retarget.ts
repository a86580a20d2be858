import { endpointReceives, type EventEnvelope } from '@dispatch/core';
import { findActiveCandidates, findExistingDeliveryIds, insertEventsWithDeliveries, type AcceptedDeliveryRow, type AcceptedEventRow, type Database } from '@dispatch/db';

// The fan-out cache may have chosen a delivery from an endpoint row that another API process has
// changed since (triggers, link, filter): the insert left it out (the row has another version). The
// event goes to that endpoint only if its current row still takes it: decided again here, from the
// current row, and written under that row's version.

// An endpoint changed again between the read and the write is read again, a few times at most: one
// that changes that often gets its delivery only once a read and a write fall between two changes.
const MAX_ROUNDS = 3;

/** Writes the deliveries of `left` that the endpoints' current rows still take; returns their ids. */
export async function retargetDeliveries(db: Database, events: readonly AcceptedEventRow[], left: readonly AcceptedDeliveryRow[]): Promise<Set<string>> {
  const written = new Set<string>();
  const byId = new Map(events.map((event) => [event.id, event]));
  let pending = left.filter((delivery) => delivery.requireActive);
  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    const current = new Map((await findActiveCandidates(db, pending)).map((row) => [row.id, row]));
    const due: AcceptedDeliveryRow[] = [];
    for (const delivery of pending) {
      const row = current.get(delivery.endpointId);
      const event = byId.get(delivery.eventId);
      // Gone, disabled, or left out for that very version (it cannot be: versions only move forward).
      if (!row || !event || row.updatedAt.getTime() === delivery.endpointVersion?.getTime()) continue;
      const envelope = JSON.parse(event.payload) as EventEnvelope;
      if (endpointReceives(row, { type: event.type, linkId: event.linkId, envelope })) due.push({ ...delivery, endpointVersion: row.updatedAt });
    }
    if (due.length === 0) break;
    const inserted = await insertEventsWithDeliveries(db, { events: [], deliveries: due });
    if (inserted === due.length) {
      for (const delivery of due) written.add(delivery.id);
      break;
    }
    // Some changed once more: keep those written, read the others again.
    const exists = await findExistingDeliveryIds(db, due.map((delivery) => delivery.id));
    for (const id of exists) written.add(id);
    pending = due.filter((delivery) => !exists.has(delivery.id));
  }
  return written;
}
