import { describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { QUEUES, redisConnection } from '@dispatch/queue';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { eventually } from '../../../test-support/harness.js';
import { faultFixture, spawnFaultWorker } from '../../../test-support/fixtures.js';
import { miscounted } from '../../../test-support/ledger.js';
import { waitForWorkers, type ChildApp } from '../../../test-support/processes.js';

// A stalled run and its replacement: a worker process is stopped (SIGSTOP) in the middle of an
// attempt, for longer than the attempt may take. Its job's lock expires, a second worker's stalled-job
// check hands the job to that worker, which claims the delivery again and sends. The first worker is
// resumed while the second's request is in flight, so it finishes its own attempt and records first.
// Only the replacement, which owns the delivery now, may record: the stopped run's attempt is not
// written, the attempt recorded is the replacement's (its webhook-timestamp), counted once, and the
// stopped run schedules nothing.

const REQUEST_TIMEOUT_MS = 2_000;
const PATH = '/stalled';

const fx = faultFixture();

function spawnWorker(): ChildApp {
  return spawnFaultWorker(fx.h, {
    DISPATCH_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms`,
    DISPATCH_RECONCILE_GRACE: '1s',
    DISPATCH_WORKER_CONCURRENCY: '2',
  });
}

describe('a worker stopped mid-attempt past its claim, then resumed', () => {
  it('records nothing: the attempt recorded is its replacement’s, once', async () => {
    const { h, ws, receiver, ledger } = fx;
    // The stopped run's request gets its 200 a little later (it reads it, or times out, on resuming);
    // the replacement's answer takes long enough to resume the first worker before it.
    receiver.script(PATH, [
      { status: 200, delayMs: 500 },
      { status: 200, delayMs: 1_500 },
    ]);
    await createWebhook(h, ws, { url: receiver.url(PATH) });
    const stalled = spawnWorker();
    await waitForWorkers(h.redisUrl, h.prefix, 1, stalled);

    const accepted = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
    expect(accepted.status).toBe(202);
    await receiver.waitFor(() => receiver.on(PATH).length === 1);
    stalled.signal('SIGSTOP');
    const stoppedAt = Date.now();

    const replacement = spawnWorker();
    await receiver.waitFor(() => receiver.on(PATH).length === 2, 40_000);
    stalled.signal('SIGCONT');
    const takenOverMs = Date.now() - stoppedAt;

    expect(await ledger.settle(ws.id, 10_000)).toBe(0);
    // Long enough for the resumed run to have finished whatever it was going to do.
    await new Promise((r) => setTimeout(r, 1_500));
    const rows = await ledger.deliveries(ws.id);
    expect(rows).toMatchObject([{ status: 'succeeded', attemptCount: 1, attempts: 1 }]);
    expect(miscounted(rows)).toEqual([]);
    const [attempt] = await ledger.attempts(ws.id);
    const [first, second] = receiver.on(PATH);
    expect(first!.headers['webhook-timestamp']).not.toBe(second!.headers['webhook-timestamp']);
    expect(attempt!.timestamp).toBe(second!.headers['webhook-timestamp']);
    // Nothing was scheduled by the stopped run: no further request, and no job left for the delivery.
    expect(receiver.on(PATH)).toHaveLength(2);
    expect(stalled.output()).toContain('attempt not recorded: this run no longer owned the delivery');
    const queue = new Queue(QUEUES.deliveries, { connection: redisConnection(h.redisUrl), prefix: h.prefix });
    try {
      await eventually(async () => {
        const counts = await queue.getJobCounts('active', 'wait', 'delayed', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      }, 5_000);
    } finally {
      await queue.close();
    }
    expect({ stalled: stalled.isRunning(), replacement: replacement.isRunning() }).toEqual({ stalled: true, replacement: true });
    process.stderr.write(`[faults] worker stopped mid-attempt: taken over after ${takenOverMs} ms; only the replacement's attempt recorded\n`);
  }, 75_000);
});
