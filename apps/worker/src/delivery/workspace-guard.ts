import { heldJobReturnsAt } from '@dispatch/queue';
import { admitInto, FAST_MS, MAX_HOLD_MS, MIN_HOLD_MS, STUCK_MS, type Admission } from './endpoint-guard.js';

// Keeps one workspace from taking every slot of a worker. The endpoint guard caps each endpoint, but
// a workspace with many slow endpoints (each hanging until the request timeout, each under its own
// cap) can still fill all the slots, and every other workspace's deliveries then wait for those
// requests to time out.
//
// The rule, per worker process: while deliveries of more than one workspace have reached the worker
// in the last CONTENDED_MS, a workspace whose deliveries are slow may hold at most
// slots / (slowWorkspaces + 1) of its slots, where slowWorkspaces counts the slow workspaces holding
// slots (itself included). So the slow ones share their part equally, and at least that much again
// stays free for everyone else, however many slow workspaces there are. "Slow" is the endpoint
// guard's rule applied to the workspace: its recent response times average FAST_MS or more, or one of
// its requests has been in flight for over STUCK_MS. A fast workspace is never held back (it gives its
// slots back quickly, and holding it back would only slow it down), nor is a lone workspace: a
// single-tenant install, or a quiet moment, keeps every slot. What an operator asks for (test,
// redeliver) is never held back but counts. Jobs queued without a workspace id run as before.
//
// Held-back jobs use no attempt: they come back (spread, behind live traffic) when a slot of their
// workspace should have freed up. The state is per process, like the endpoint guard's: no Redis or
// Postgres call per job.

/** How recently another workspace's delivery must have reached this worker for slots to be shared. */
const CONTENDED_MS = 60_000;
const EWMA_WEIGHT = 0.2;

interface Seen {
  id: string;
  at: number;
}

export class WorkspaceGuard {
  /** Start times of the deliveries in flight, per workspace, oldest first. */
  private readonly active = new Map<string, number[]>();
  private readonly latency = new Map<string, number>();
  // The two workspaces seen last (always two different ones): enough to tell whether any workspace
  // other than a given one was seen lately, in constant time.
  private latest: Seen | undefined;
  private previous: Seen | undefined;

  private readonly slots: number;
  private readonly requestTimeoutMs: number;

  constructor(options: { slots: number; requestTimeoutMs: number }, private readonly now: () => number = Date.now) {
    this.slots = options.slots;
    this.requestTimeoutMs = options.requestTimeoutMs;
  }

  admit(workspaceId: string | undefined, options: { always?: boolean } = {}): Admission {
    if (workspaceId === undefined) return { admitted: true, release: () => {} };
    const now = this.now();
    this.see(workspaceId, now);
    const running = this.active.get(workspaceId) ?? [];
    const until = options.always ? undefined : this.heldUntil(workspaceId, running, now);
    if (until !== undefined) return { admitted: false, heldUntil: until, retryAt: heldJobReturnsAt(until, now) };
    return admitInto(this.active, workspaceId, now);
  }

  /** Whether a job of the workspace would be admitted now (nothing is taken). */
  admitsNow(workspaceId: string): boolean {
    return this.heldUntil(workspaceId, this.active.get(workspaceId) ?? [], this.now()) === undefined;
  }

  /** Until when the workspace's next job is held back, or undefined when it may go now. */
  private heldUntil(workspaceId: string, running: number[], now: number): number | undefined {
    if (running.length === 0 || !this.contended(workspaceId, now) || this.isFast(workspaceId, running, now)) return undefined;
    if (running.length < this.share(workspaceId, now)) return undefined;
    return now + this.holdMs(workspaceId, running, now);
  }

  /** Feeds a response time of one of the workspace's deliveries. */
  record(workspaceId: string | undefined, responseTimeMs: number): void {
    if (workspaceId === undefined) return;
    const previous = this.latency.get(workspaceId);
    this.latency.set(workspaceId, previous === undefined ? responseTimeMs : previous + EWMA_WEIGHT * (responseTimeMs - previous));
  }

  /** Slots the workspace may hold while it is slow and others are waiting (at least one). */
  private share(workspaceId: string, now: number): number {
    let slow = 1;
    for (const [id, running] of this.active) if (id !== workspaceId && !this.isFast(id, running, now)) slow++;
    return Math.max(1, Math.floor(this.slots / (slow + 1)));
  }

  private see(workspaceId: string, now: number): void {
    if (this.latest?.id === workspaceId) this.latest.at = now;
    else {
      this.previous = this.latest;
      this.latest = { id: workspaceId, at: now };
    }
  }

  private contended(workspaceId: string, now: number): boolean {
    const other = this.latest?.id === workspaceId ? this.previous : this.latest;
    return other !== undefined && now - other.at < CONTENDED_MS;
  }

  private isFast(workspaceId: string, running: number[], now: number): boolean {
    const average = this.latency.get(workspaceId);
    return average !== undefined && average < FAST_MS && (running.length === 0 || now - running[0]! <= STUCK_MS);
  }

  /**
   * About when one of its slots should free up (coming back sooner would only find the same slots
   * taken, and every return costs a fetch and a move in Redis). Every request of it stuck: when its
   * oldest one should answer by its response times so far, or time out when none is known (at least
   * MAX_HOLD_MS). Otherwise about one of its response times, or, while none is known yet, until its
   * oldest request has either answered or counts as stuck.
   */
  private holdMs(workspaceId: string, running: number[], now: number): number {
    const oldest = running[0]!;
    const newest = running[running.length - 1]!;
    const latency = this.latency.get(workspaceId);
    if (now - newest > STUCK_MS) return Math.max(oldest + Math.min(latency ?? this.requestTimeoutMs, this.requestTimeoutMs) - now, MAX_HOLD_MS);
    const expected = latency ?? oldest + STUCK_MS - now;
    return Math.min(Math.max(expected, MIN_HOLD_MS), MAX_HOLD_MS);
  }
}
