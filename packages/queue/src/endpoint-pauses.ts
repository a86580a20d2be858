// Endpoint pauses: a worker whose guard holds an endpoint back for a while (its breaker is open, or
// its requests hang until the timeout) publishes until when. The API then queues that endpoint's new
// deliveries as delayed jobs due at that moment, instead of live jobs that a worker would only fetch
// and park again one by one, spending CPU and queue calls that healthy endpoints' deliveries need.
// A hint only: lost (Redis flushed) or stale, the worker's own guard still decides; it expires by itself.
// Kept where the queue backend keeps its jobs (a Redis hash, or a table in the queue's Postgres
// schema), so a Postgres-only install needs no Redis for it.

/**
 * A workspace held back by a worker (its slow deliveries hold its share of the worker's slots, every
 * one of them stuck) is published the same way, under this key: its new deliveries are queued for then.
 */
export const workspacePauseKey = (workspaceId: string) => `workspace:${workspaceId}`;

/** Only holds at least this long are published: a short hold (a busy endpoint) ends before it would matter. */
export const PUBLISHED_HOLD_MIN_MS = 1_000;

/**
 * When a job held back until `until` should come back: spread over one more hold period (at least
 * 100 ms), so a paused endpoint's backlog does not return all at the same instant and queue in front
 * of every healthy endpoint's jobs.
 */
export function heldJobReturnsAt(until: number, now: number): number {
  return until + Math.floor(Math.random() * Math.max(100, until - now));
}

/** The published pauses, by key (an endpoint id, or workspacePauseKey). Times are epoch ms. */
export interface EndpointPauses {
  publish(endpointId: string, until: number): Promise<void>;
  /** Takes a pause back before its end (the endpoint's stuck request finished). */
  forget(endpointId: string): Promise<void>;
  /** Until when each endpoint is paused (epoch ms; 0 when it is not), as published. */
  read(endpointIds: readonly string[], now?: number): Promise<number[]>;
  /** The pauses that have not ended, by key (only a few are kept: live pauses, and ended ones until swept). */
  live(now?: number): Promise<Map<string, number>>;
  /** How many endpoints are paused now. */
  countLive(now?: number): Promise<number>;
  /** Drops the pauses that have ended (run periodically, so only live ones are kept); how many went. */
  forgetEnded(now?: number): Promise<number>;
}

/** A stored `until` as read: a time past counts as no pause. */
export const liveUntil = (until: number, now: number) => (until > now ? until : 0);
