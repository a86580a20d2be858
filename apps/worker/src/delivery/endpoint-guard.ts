import { breakerSignal, RETRY_AFTER_CAP_MS, type AttemptError } from '@dispatch/core';
import { heldJobReturnsAt } from '@dispatch/queue';

// Keeps one bad endpoint from holding back the others, inside one worker process:
// - a concurrency cap per endpoint, so a receiver that hangs until the timeout can occupy at most
//   `perEndpoint` of the worker's slots. An endpoint that answers fast (latency average under
//   FAST_MS, nothing in flight for longer than STUCK_MS) is not capped: holding back jobs of a healthy
//   receiver with a backlog would only slow it down;
// - a circuit breaker that opens at once when the receiver throttles, and on a run of failures (what
//   each answer means is core's breakerSignal), so the endpoint's queued deliveries wait (without
//   using an attempt) instead of piling on. An endpoint answering 500 to everything at once is cheap
//   per request but would otherwise cost two attempts per event of worker time taken from healthy
//   endpoints. After the pause one probe goes through; its success closes the breaker, its failure
//   doubles the pause. An answer that is a verdict on the message (4xx) closes it like a success.
// The state is per process on purpose: it needs no coordination and costs no Redis round trip per
// delivery; with N workers an endpoint sees at most N probes.

const FAILURES_TO_OPEN = 3;
const MAX_PAUSE_MS = 60_000;
export const FAST_MS = 250;
export const STUCK_MS = 1_000;
// A held-back job comes back after about one request's time of its endpoint (bounded), so jobs of
// a briefly saturated endpoint return soon. Behind a stuck request a job waits until that request
// must have timed out: no slot can free up before, and coming back every second would only churn
// the queue.
export const MIN_HOLD_MS = 50;
export const MAX_HOLD_MS = 1_000;
// Held-back jobs return spread over one more hold period (heldJobReturnsAt), not all at the same
// instant: an endpoint tripped for 5 s at 200 events/s has 1,000 jobs parked, and had they all come
// back within a second they would have queued in front of every healthy endpoint's jobs (the
// neighbours scenario of `pnpm bench` measures it; see bench/RESULTS.md).
const EWMA_WEIGHT = 0.2;

type BreakerState = { kind: 'closed'; failures: number } | { kind: 'open'; until: number; pauseMs: number } | { kind: 'probing'; pauseMs: number };

/** How an attempt's outcome changed an endpoint's breaker. */
export type BreakerChange = { state: 'open'; until: number; pauseMs: number } | { state: 'closed' };

/** Not admitted: held back until `heldUntil`, to be retried at `retryAt` (spread after it). */
export type Admission = { admitted: true; release: () => void } | { admitted: false; heldUntil: number; retryAt: number };

export interface AttemptSignal {
  responseTimeMs: number;
  statusCode: number | null;
  error: AttemptError | null;
  retryAfterMs: number | null;
}

/**
 * Admits a request of `key` started at `now` into `active` (start times in flight, per key, oldest
 * first): its admission's `release` takes it out again, once, and forgets a key left with none.
 * The endpoint and the workspace guards keep their slots this way.
 */
export function admitInto(active: Map<string, number[]>, key: string, now: number): Admission & { admitted: true } {
  const running = active.get(key) ?? [];
  running.push(now);
  active.set(key, running);
  let released = false;
  return {
    admitted: true,
    release: () => {
      if (released) return;
      released = true;
      const index = running.indexOf(now);
      if (index >= 0) running.splice(index, 1);
      if (running.length === 0 && active.get(key) === running) active.delete(key);
    },
  };
}

export class EndpointGuard {
  /** Start times of the requests in flight, per endpoint. */
  private readonly active = new Map<string, number[]>();
  /** Moving average of response times, per endpoint. */
  private readonly latency = new Map<string, number>();
  private readonly breakers = new Map<string, BreakerState>();

  private readonly perEndpoint: number;
  private readonly pauseMs: number;
  private readonly requestTimeoutMs: number;

  constructor(options: { perEndpoint: number; pauseMs: number; requestTimeoutMs: number }, private readonly now: () => number = Date.now) {
    this.perEndpoint = options.perEndpoint;
    this.pauseMs = options.pauseMs;
    this.requestTimeoutMs = options.requestTimeoutMs;
  }

  admit(endpointId: string, options: { ignoreBreaker?: boolean } = {}): Admission {
    const now = this.now();
    const until = this.heldUntil(endpointId, now, options.ignoreBreaker === true);
    if (until !== undefined) return { admitted: false, heldUntil: until, retryAt: heldJobReturnsAt(until, now) };
    return admitInto(this.active, endpointId, now);
  }

  /** Whether a scheduled job of the endpoint would be admitted now (nothing is taken). */
  admitsNow(endpointId: string): boolean {
    const now = this.now();
    return this.heldUntil(endpointId, now, false, false) === undefined;
  }

  /** Until when the endpoint's jobs are held back, or undefined when one may go now. */
  private heldUntil(endpointId: string, now: number, ignoreBreaker: boolean, opensProbe = true): number | undefined {
    const breaker = ignoreBreaker ? undefined : this.breakers.get(endpointId);
    if (breaker?.kind === 'open') {
      if (now < breaker.until) return breaker.until;
      if (opensProbe) this.breakers.set(endpointId, { kind: 'probing', pauseMs: breaker.pauseMs });
    }
    const running = this.active.get(endpointId) ?? [];
    const probing = breaker?.kind === 'probing' && running.length > 0;
    if (probing || (running.length >= this.perEndpoint && !this.isFast(endpointId, running, now))) {
      return now + this.holdMs(endpointId, running, now);
    }
    return undefined;
  }

  private isFast(endpointId: string, running: number[], now: number): boolean {
    const average = this.latency.get(endpointId);
    return average !== undefined && average < FAST_MS && !running.some((startedAt) => now - startedAt > STUCK_MS);
  }

  private holdMs(endpointId: string, running: number[], now: number): number {
    const oldest = Math.min(...running);
    if (now - oldest > STUCK_MS) return Math.max(oldest + this.requestTimeoutMs - now, MAX_HOLD_MS);
    return Math.min(Math.max(this.latency.get(endpointId) ?? MIN_HOLD_MS, MIN_HOLD_MS), MAX_HOLD_MS);
  }

  /**
   * Feeds the outcome of an attempt to the endpoint's breaker; answers how the breaker changed, if it
   * opened or closed. A success closes it even while open: an operator's attempt goes through an open
   * breaker, and its success is the probe's.
   */
  record(endpointId: string, signal: AttemptSignal): BreakerChange | undefined {
    const previous = this.latency.get(endpointId);
    this.latency.set(endpointId, previous === undefined ? signal.responseTimeMs : previous + EWMA_WEIGHT * (signal.responseTimeMs - previous));
    const state = this.breakers.get(endpointId) ?? { kind: 'closed', failures: 0 };
    const meaning = breakerSignal(signal.statusCode, signal.error);
    if (meaning === 'ok' || (meaning === 'verdict' && state.kind !== 'open')) {
      this.breakers.delete(endpointId);
      return state.kind === 'closed' ? undefined : { state: 'closed' };
    }
    // Attempts that were already in flight when it opened do not lengthen the pause.
    if (state.kind === 'open') return undefined;
    if (meaning === 'verdict') return undefined;
    const pauseMs = state.kind === 'closed' ? this.pauseMs : Math.min(state.pauseMs * 2, Math.max(MAX_PAUSE_MS, this.pauseMs));
    const failures = state.kind === 'closed' ? state.failures + 1 : FAILURES_TO_OPEN;
    if (meaning === 'failure' && failures < FAILURES_TO_OPEN) {
      this.breakers.set(endpointId, { kind: 'closed', failures });
      return undefined;
    }
    const pause = Math.min(Math.max(pauseMs, signal.retryAfterMs ?? 0), RETRY_AFTER_CAP_MS);
    const until = this.now() + pause;
    this.breakers.set(endpointId, { kind: 'open', until, pauseMs });
    return { state: 'open', until, pauseMs: pause };
  }

  /** Whether the endpoint's breaker is open or probing: its scheduled jobs are being held back. */
  isTripped(endpointId: string): boolean {
    return (this.breakers.get(endpointId)?.kind ?? 'closed') !== 'closed';
  }

  /** The endpoints whose breaker is open or probing. */
  tripped(): string[] {
    return [...this.breakers].flatMap(([endpointId, state]) => (state.kind === 'closed' ? [] : [endpointId]));
  }

  /** Closes the endpoint's breaker (a success was seen elsewhere); false when it was not open. */
  close(endpointId: string): boolean {
    if (!this.isTripped(endpointId)) return false;
    this.breakers.delete(endpointId);
    return true;
  }

  /** For logs and tests. */
  isOpen(endpointId: string): boolean {
    const state = this.breakers.get(endpointId);
    return state?.kind === 'open' && this.now() < state.until;
  }
}
