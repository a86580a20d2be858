import { describe, expect, it } from '@jest/globals';
import { WorkspaceGuard } from './workspace-guard.js';

const SLOTS = 6;

function guardAt(start = 1_000_000) {
  const clock = { now: start };
  const guard = new WorkspaceGuard({ slots: SLOTS, requestTimeoutMs: 15_000 }, () => clock.now);
  return { guard, clock };
}

/** Another workspace, fast, whose delivery just went through this worker. */
function otherFastWorkspace(guard: WorkspaceGuard, id = 'ws_fast'): void {
  guard.record(id, 5);
  const admission = guard.admit(id);
  if (admission.admitted) admission.release();
}

/** Admits jobs of the workspace until one is held back; returns how many were admitted. */
function fill(guard: WorkspaceGuard, workspaceId: string, upTo = SLOTS * 2): number {
  for (let admitted = 0; admitted < upTo; admitted++) if (!guard.admit(workspaceId).admitted) return admitted;
  return upTo;
}

describe('WorkspaceGuard', () => {
  it('never holds back a workspace alone in the worker, slow or not (a single-tenant install keeps every slot)', () => {
    const { guard } = guardAt();
    expect(fill(guard, 'ws_a')).toBe(SLOTS * 2);
  });

  it('holds a slow workspace to half the slots while another has work, and gives them back as they free up', () => {
    const { guard, clock } = guardAt();
    otherFastWorkspace(guard);
    const first = guard.admit('ws_a');
    expect(fill(guard, 'ws_a')).toBe(SLOTS / 2 - 1);
    clock.now += 2_000;
    const held = guard.admit('ws_a');
    // Every request stuck, none answered yet: held until the oldest one must have timed out, back spread after.
    expect(held).toEqual({ admitted: false, heldUntil: 1_000_000 + 15_000, retryAt: expect.any(Number) });
    if (!held.admitted) expect(held.retryAt).toBeGreaterThanOrEqual(held.heldUntil);
    // Once its requests are known to take 4 s, until the oldest one should have answered.
    guard.record('ws_a', 4_000);
    expect(guard.admit('ws_a')).toMatchObject({ admitted: false, heldUntil: 1_000_000 + 4_000 });
    if (first.admitted) first.release();
    expect(guard.admit('ws_a').admitted).toBe(true);
    expect(guard.admit('ws_a').admitted).toBe(false);
    // The other workspace is not held back by any of this.
    expect(fill(guard, 'ws_fast', SLOTS / 2)).toBe(SLOTS / 2);
  });

  it('holds back only briefly while some of the workspace’s requests are still moving', () => {
    const { guard, clock } = guardAt();
    otherFastWorkspace(guard);
    guard.admit('ws_a');
    clock.now += 1_500;
    // One stuck request and fresh ones: a slot may free up soon. Nothing known of its response times
    // yet: held until its oldest request counts as stuck.
    fill(guard, 'ws_a');
    const start = 1_000_000;
    const { guard: fresh, clock: freshClock } = guardAt(start);
    otherFastWorkspace(fresh);
    fill(fresh, 'ws_a');
    freshClock.now += 300;
    expect(fresh.admit('ws_a')).toMatchObject({ admitted: false, heldUntil: start + 1_000 });
    // With a known response time (slow, 600 ms), about that long.
    fresh.record('ws_a', 600);
    expect(fresh.admit('ws_a')).toMatchObject({ admitted: false, heldUntil: start + 300 + 600 });
    guard.record('ws_a', 2_000);
    expect(guard.admit('ws_a')).toMatchObject({ admitted: false, heldUntil: clock.now + 1_000 });
  });

  it('counts a workspace with no response time yet as slow', () => {
    const { guard } = guardAt();
    guard.admit('ws_b');
    guard.admit('ws_a');
    // Both slow (nothing known yet) and holding slots: each may hold slots / 3.
    expect(fill(guard, 'ws_a')).toBe(SLOTS / 3 - 1);
  });

  it('shares among several slow workspaces so that a part as large as each one’s stays free', () => {
    const { guard } = guardAt();
    otherFastWorkspace(guard);
    // Two slow workspaces holding slots: each may hold slots / 3.
    guard.admit('ws_a');
    guard.admit('ws_b');
    expect(fill(guard, 'ws_a')).toBe(SLOTS / 3 - 1);
    expect(fill(guard, 'ws_b')).toBe(SLOTS / 3 - 1);
  });

  it('does not hold back a fast workspace, nor what an operator asks for, nor jobs without a workspace id', () => {
    const { guard } = guardAt();
    otherFastWorkspace(guard);
    guard.admit('ws_a');
    guard.record('ws_a', 20);
    expect(fill(guard, 'ws_a')).toBe(SLOTS * 2);

    guard.admit('ws_slow');
    expect(fill(guard, 'ws_slow')).toBe(SLOTS / 2 - 1);
    expect(guard.admit('ws_slow', { always: true }).admitted).toBe(true);
    for (let i = 0; i < SLOTS * 2; i++) expect(guard.admit(undefined).admitted).toBe(true);
  });

  it('counts a workspace as slow once its average response time is slow, or a request is stuck', () => {
    const { guard } = guardAt();
    otherFastWorkspace(guard);
    guard.admit('ws_a');
    guard.record('ws_a', 2_000);
    expect(fill(guard, 'ws_a')).toBe(SLOTS / 2 - 1);

    const { guard: other, clock: otherClock } = guardAt();
    otherFastWorkspace(other);
    other.record('ws_a', 5);
    other.admit('ws_a');
    expect(other.admit('ws_a').admitted).toBe(true);
    otherClock.now += 1_500;
    expect(fill(other, 'ws_a')).toBe(SLOTS / 2 - 2);
  });

  it('stops sharing once no other workspace has had work in the worker for a minute', () => {
    const { guard, clock } = guardAt();
    otherFastWorkspace(guard);
    guard.admit('ws_a');
    expect(fill(guard, 'ws_a')).toBe(SLOTS / 2 - 1);
    clock.now += 61_000;
    expect(guard.admit('ws_a').admitted).toBe(true);
  });
});
