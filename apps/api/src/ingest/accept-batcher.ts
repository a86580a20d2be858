import { findExistingDeliveryIds, insertEventsWithDeliveries, refusedByPostgres, type AcceptedDeliveryRow, type AcceptedEventRow, type Database } from '@dispatch/db';
import type { EventDeliveries } from './event-deliveries.js';
import { retargetDeliveries } from './retarget.js';

/** What one request writes: its events and their deliveries, then the jobs to queue for them. */
export interface Acceptance {
  events: AcceptedEventRow[];
  deliveries: AcceptedDeliveryRow[];
  maxAttempts: number;
  manual?: boolean;
  traceparent?: string | undefined;
}

/** Deliveries per event id that were written (and queued): a target found gone at insert is left out. */
export type Written = Map<string, AcceptedDeliveryRow[]>;

// Writes at once in flight; more start only when one finishes, so under load each statement carries
// every request that arrived meanwhile (group commit) and a burst costs a few commits, not one each.
const MAX_CONCURRENT_WRITES = 4;
// Events per statement; a request larger than this still goes alone, whole.
const MAX_EVENTS_PER_WRITE = 2_000;

interface Waiting {
  acceptance: Acceptance;
  resolve: (written: Written) => void;
  reject: (error: unknown) => void;
}

/**
 * Accepts the events of concurrent requests in one INSERT statement and queues their jobs in one
 * Redis call. Each request is answered only after its rows are committed and its jobs were handed to
 * Redis (event + deliveries are committed before enqueue, as before); the answer waits for Redis at
 * most QueueHandoff's ANSWER_WAIT_MS, so a stalled Redis never holds it up. A statement that fails is
 * retried request by request, so one request's error (an Idempotency-Key race) is only its own.
 */
export class AcceptBatcher {
  private readonly waiting: Waiting[] = [];
  private writing = 0;
  private scheduled = false;

  constructor(
    private readonly db: Database,
    private readonly enqueuer: { enqueue(events: readonly EventDeliveries[]): Promise<void> },
    private readonly hooks: {
      /** Told the workspaces whose cached fan-out targets turned out to be out of date. */
      onStaleTargets?: (workspaceIds: readonly string[]) => void;
      /** The events are committed by then: a failure there costs those deliveries, not the request. */
      onRetargetError?: (error: unknown) => void;
    } = {},
  ) {}

  accept(acceptance: Acceptance): Promise<Written> {
    return new Promise<Written>((resolve, reject) => {
      this.waiting.push({ acceptance, resolve, reject });
      // Start on the next turn, so requests parsed in this one share the statement.
      if (!this.scheduled && this.writing < MAX_CONCURRENT_WRITES) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.writing < MAX_CONCURRENT_WRITES) {
      let events = 0;
      let count = 0;
      while (count < this.waiting.length && (count === 0 || events + this.waiting[count]!.acceptance.events.length <= MAX_EVENTS_PER_WRITE)) {
        events += this.waiting[count]!.acceptance.events.length;
        count++;
      }
      const batch = this.waiting.splice(0, count);
      this.writing++;
      void this.flush(batch).finally(() => {
        this.writing--;
        this.drain();
      });
    }
  }

  private async flush(batch: Waiting[]): Promise<void> {
    let written: (Written | undefined)[];
    try {
      written = await this.write(batch.map((w) => w.acceptance));
    } catch (error) {
      // Retried request by request only when Postgres refused the statement (an Idempotency-Key race):
      // after a lost connection it may have committed, and a retry would answer 500 for stored events.
      if (batch.length === 1 || !refusedByPostgres(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      written = await Promise.all(
        batch.map((w) =>
          this.write([w.acceptance]).then(
            ([one]) => one,
            (single: unknown) => {
              w.reject(single);
              return undefined;
            },
          ),
        ),
      );
    }
    const accepted = batch.flatMap((w, index) => (written[index] ? [{ waiting: w, written: written[index] }] : []));
    // Never throws, and waits for Redis only briefly: a failure to queue is logged there and left to the reconciler.
    await this.enqueuer.enqueue(
      accepted.flatMap(({ waiting, written: byEvent }) =>
        [...byEvent].map(([eventId, deliveries]) => ({
          eventId,
          deliveries,
          maxAttempts: waiting.acceptance.maxAttempts,
          manual: waiting.acceptance.manual,
          traceparent: waiting.acceptance.traceparent,
        })),
      ),
    );
    for (const { waiting, written: byEvent } of accepted) waiting.resolve(byEvent);
  }

  /**
   * One statement for all of them. The deliveries it left out (rare: their endpoint was deleted,
   * disabled or changed since the fan-out cache read it) are found with a second query, and those
   * whose endpoint changed are decided again from its current row (retarget.ts).
   */
  private async write(acceptances: readonly Acceptance[]): Promise<Written[]> {
    const events = acceptances.flatMap((a) => a.events);
    const deliveries = acceptances.flatMap((a) => a.deliveries);
    const inserted = await insertEventsWithDeliveries(this.db, { events, deliveries });
    const exists = inserted === deliveries.length ? undefined : await findExistingDeliveryIds(this.db, deliveries.map((d) => d.id));
    if (exists) {
      const left = deliveries.filter((d) => !exists.has(d.id));
      this.hooks.onStaleTargets?.([...new Set(left.map((d) => d.workspaceId))]);
      const retargeted = await retargetDeliveries(this.db, events, left).catch((error: unknown) => {
        this.hooks.onRetargetError?.(error);
        return new Set<string>();
      });
      for (const id of retargeted) exists.add(id);
    }
    return acceptances.map((acceptance) => {
      const byEvent: Written = new Map(acceptance.events.map((event) => [event.id, []]));
      for (const delivery of acceptance.deliveries) if (!exists || exists.has(delivery.id)) byEvent.get(delivery.eventId)!.push(delivery);
      return byEvent;
    });
  }
}
