import { describe, expect, it } from '@jest/globals';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { faultFixture, spawnFaultWorker } from '../../../test-support/fixtures.js';
import { deliveredOnce, deliveryOutcome } from '../../../test-support/ledger.js';
import { waitForWorkers, type ChildApp } from '../../../test-support/processes.js';

// Worker crash: the worker runs as a real process and is killed -9 mid-load, with attempts in
// flight. A new worker finishes everything: every delivery succeeds, every attempt is counted once,
// and a message the receiver gets twice (sent, then the crash lost its record) carries the same
// webhook-id both times.
//
// Recovery of the attempts that were in flight is BullMQ's stalled-job check: their jobs stay
// locked for the lock duration (DISPATCH_REQUEST_TIMEOUT + 10 s, see attemptAbandonedAfterMs) and
// are then moved back to wait by the next check (every 10 s); the claim also refuses a delivery whose
// attempt started less than that long ago. So recovery takes 12-22 s here by design.

const EVENTS = 300;
const CONCURRENCY = 10;
const RECEIVER_LATENCY_MS = 50;
const PATH = '/crash';

// The API in-process, without a worker; the child workers share its database and queue prefix.
const fx = faultFixture({ worker: false, env: { DISPATCH_RETRY_SCHEDULE: '300ms,300ms,300ms' } });

function spawnWorker(): ChildApp {
  return spawnFaultWorker(fx.h, {
    DISPATCH_REQUEST_TIMEOUT: '2s',
    DISPATCH_RECONCILE_GRACE: '2s',
    DISPATCH_WORKER_CONCURRENCY: String(CONCURRENCY),
  });
}

describe('worker crash (kill -9) under load', () => {
  it('a new worker completes every delivery; duplicates carry the same webhook-id', async () => {
    const { h, ws, receiver, ledger } = fx;
    receiver.script(PATH, [{ status: 200, delayMs: RECEIVER_LATENCY_MS }]);
    await createWebhook(h, ws, { url: receiver.url(PATH) });

    const first = spawnWorker();
    await waitForWorkers(h.env, 1, first);
    const eventIds: string[] = [];
    for (let sent = 0; sent < EVENTS; sent += 100) {
      const events = Array.from({ length: 100 }, () => ({ type: 'lead.created', data: example('lead.created') }));
      const res = await h.api.post('/api/events/batch').set(ws.auth).send({ events });
      expect(res.status).toBe(202);
      eventIds.push(...res.body.data.map((e: { id: string }) => e.id));
    }

    await receiver.waitFor(() => receiver.on(PATH).length >= EVENTS / 3, 20_000);
    first.signal('SIGKILL');
    const killedAt = Date.now();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const seenAtKill = receiver.on(PATH).length;
    const inFlightAtKill = await ledger.inFlightCount(ws.id);
    // Mid-way for real: work was left, and attempts were cut off between send and record.
    expect(seenAtKill).toBeLessThan(EVENTS);
    expect(inFlightAtKill).toBeGreaterThan(0);

    const second = spawnWorker();
    expect(await ledger.settle(ws.id, 45_000, () => !second.isRunning())).toBe(0);
    expect({ running: second.isRunning(), output: second.isRunning() ? '' : second.output() }).toEqual({ running: true, output: '' });
    const recoveredMs = Date.now() - killedAt;

    const outcome = await deliveryOutcome(ledger, ws.id, receiver, eventIds, [PATH]);
    expect(outcome).toMatchObject(deliveredOnce(EVENTS));
    // Only an attempt cut off by the crash can be sent again.
    expect(outcome.duplicates).toBeLessThanOrEqual(inFlightAtKill);
    expect(second.isRunning()).toBe(true);
    process.stderr.write(
      `[faults] worker kill -9: ${seenAtKill}/${EVENTS} received before the kill, ${inFlightAtKill} attempt(s) in flight, ` +
        `${outcome.duplicates} duplicate request(s) (same webhook-id), all delivered ${recoveredMs} ms after the kill\n`,
    );
  }, 75_000);
});
