import { describe, expect, it } from '@jest/globals';
import { EndpointGuard, type AttemptSignal } from './endpoint-guard.js';

function guardAt(start = 1_000_000) {
  const clock = { now: start };
  const guard = new EndpointGuard({ perEndpoint: 2, pauseMs: 5_000, requestTimeoutMs: 15_000 }, () => clock.now);
  return { guard, clock };
}
const ok: AttemptSignal = { responseTimeMs: 5, statusCode: 200, error: null, retryAfterMs: null };
const slowOk: AttemptSignal = { ...ok, responseTimeMs: 2_000 };
const timeout: AttemptSignal = { responseTimeMs: 15_000, statusCode: null, error: 'timeout', retryAfterMs: null };
const throttled = (retryAfterMs: number | null = null): AttemptSignal => ({ responseTimeMs: 5, statusCode: 503, error: null, retryAfterMs });

describe('EndpointGuard concurrency cap', () => {
  it('caps an endpoint of unknown or slow latency at perEndpoint, per endpoint', () => {
    const { guard } = guardAt();
    expect(guard.admit('a').admitted).toBe(true);
    expect(guard.admit('a').admitted).toBe(true);
    expect(guard.admit('a').admitted).toBe(false);
    expect(guard.admit('b').admitted).toBe(true);
    guard.record('a', slowOk);
    expect(guard.admit('a').admitted).toBe(false);
  });

  it('frees a slot on release, once', () => {
    const { guard } = guardAt();
    const first = guard.admit('a');
    guard.admit('a');
    if (!first.admitted) throw new Error('expected admission');
    first.release();
    first.release();
    expect(guard.admit('a').admitted).toBe(true);
    expect(guard.admit('a').admitted).toBe(false);
  });

  it('does not cap a fast endpoint, unless one of its requests is stuck', () => {
    const { guard, clock } = guardAt();
    guard.record('a', ok);
    for (let i = 0; i < 10; i++) expect(guard.admit('a').admitted).toBe(true);
    clock.now += 1_500;
    const held = guard.admit('a');
    // Held until the stuck request must have timed out (it started at 1,000,000), back spread after that.
    expect(held).toEqual({ admitted: false, heldUntil: 1_000_000 + 15_000, retryAt: expect.any(Number) });
    if (!held.admitted) expect(held.retryAt).toBeGreaterThanOrEqual(held.heldUntil);
  });

  it('holds jobs behind a stuck request until that request must have timed out', () => {
    const { guard, clock } = guardAt();
    guard.admit('a');
    guard.admit('a');
    clock.now += 3_000;
    const held = guard.admit('a');
    // The first request started 3 s ago with a 15 s timeout: no slot frees up for another 12 s.
    if (held.admitted) throw new Error('expected the job to be held');
    expect(held.retryAt - clock.now).toBeGreaterThanOrEqual(12_000);
    expect(held.retryAt - clock.now).toBeLessThanOrEqual(12_000 * 2);
  });
});

describe('EndpointGuard circuit breaker', () => {
  it('opens on a throttling answer for the pause (or Retry-After, if longer), then lets one probe through', () => {
    const { guard, clock } = guardAt();
    guard.record('a', throttled(8_000));
    const held = guard.admit('a');
    expect(held.admitted).toBe(false);
    if (!held.admitted) expect(held.retryAt).toBeGreaterThanOrEqual(clock.now + 8_000);
    clock.now += 8_001;
    const probe = guard.admit('a');
    expect(probe.admitted).toBe(true);
    expect(guard.admit('a').admitted).toBe(false);
    guard.record('a', ok);
    if (probe.admitted) probe.release();
    expect(guard.admit('a').admitted).toBe(true);
  });

  it('opens after three timeouts in a row, not before, and a success resets the run', () => {
    const { guard } = guardAt();
    guard.record('a', timeout);
    guard.record('a', timeout);
    guard.record('a', ok);
    guard.record('a', timeout);
    guard.record('a', timeout);
    expect(guard.isOpen('a')).toBe(false);
    guard.record('a', timeout);
    expect(guard.isOpen('a')).toBe(true);
  });

  it('opens after three 5xx answers or broken connections in a row, never on 4xx', () => {
    const { guard } = guardAt();
    const status = (statusCode: number): AttemptSignal => ({ ...ok, statusCode });
    for (let i = 0; i < 10; i++) guard.record('a', status(400));
    expect(guard.isOpen('a')).toBe(false);
    guard.record('a', status(500));
    guard.record('a', { ...ok, statusCode: null, error: 'network_error' });
    expect(guard.isOpen('a')).toBe(false);
    guard.record('a', status(500));
    expect(guard.isOpen('a')).toBe(true);
  });

  it('doubles the pause when the probe fails, and ignores failures that were already in flight', () => {
    const { guard, clock } = guardAt();
    guard.record('a', throttled());
    guard.record('a', throttled());
    clock.now += 5_001;
    expect(guard.admit('a').admitted).toBe(true);
    guard.record('a', throttled());
    clock.now += 9_000;
    expect(guard.isOpen('a')).toBe(true);
    clock.now += 1_001;
    expect(guard.isOpen('a')).toBe(false);
  });

  it('lets operator-requested attempts through an open breaker', () => {
    const { guard } = guardAt();
    guard.record('a', throttled());
    expect(guard.admit('a').admitted).toBe(false);
    expect(guard.admit('a', { ignoreBreaker: true }).admitted).toBe(true);
  });
});

describe('EndpointGuard admitsNow', () => {
  it('says whether a scheduled job would go, without taking a slot or starting the probe', () => {
    const { guard, clock } = guardAt();
    const first = guard.admit('a');
    guard.admit('a');
    expect(guard.admitsNow('a')).toBe(false);
    if (first.admitted) first.release();
    expect(guard.admitsNow('a')).toBe(true);
    expect(guard.admitsNow('a')).toBe(true);

    guard.record('b', throttled());
    expect(guard.admitsNow('b')).toBe(false);
    clock.now += 5_000;
    expect(guard.admitsNow('b')).toBe(true);
    // Asking did not use up the probe: the next job is it, and the one after waits behind it.
    expect(guard.admit('b').admitted).toBe(true);
    expect(guard.admit('b').admitted).toBe(false);
  });
});

describe('EndpointGuard breaker changes', () => {
  const failure: AttemptSignal = { responseTimeMs: 5, statusCode: 500, error: null, retryAfterMs: null };

  it('says when the breaker opens (and until when) and when a success closes it', () => {
    const { guard } = guardAt();
    expect(guard.record('a', failure)).toBeUndefined();
    expect(guard.record('a', failure)).toBeUndefined();
    expect(guard.record('a', failure)).toEqual({ state: 'open', until: 1_000_000 + 5_000, pauseMs: 5_000 });
    expect(guard.tripped()).toEqual(['a']);
    expect(guard.record('a', ok)).toEqual({ state: 'closed' });
    expect(guard.isTripped('a')).toBe(false);
    // A success of an endpoint whose breaker never opened changes nothing.
    expect(guard.record('b', ok)).toBeUndefined();
  });

  it('closes an open breaker on a success made through it (an operator attempt), not on a 4xx', () => {
    const { guard } = guardAt();
    guard.record('a', throttled());
    expect(guard.record('a', { ...ok, statusCode: 404 })).toBeUndefined();
    expect(guard.isOpen('a')).toBe(true);
    expect(guard.record('a', ok)).toEqual({ state: 'closed' });
    expect(guard.admit('a').admitted).toBe(true);
  });

  it('closes a breaker on a success seen elsewhere, and says whether it was open', () => {
    const { guard } = guardAt();
    guard.record('a', throttled());
    expect(guard.close('a')).toBe(true);
    expect(guard.admit('a').admitted).toBe(true);
    expect(guard.close('a')).toBe(false);
  });
});
