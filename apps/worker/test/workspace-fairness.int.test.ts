import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Ledger } from '../../../test-support/ledger.js';
import { Receiver } from '../../../test-support/receiver.js';

// Fairness between workspaces in one worker: workspace A has many slow endpoints, each under its
// endpoint cap but together enough to take every slot of the worker; workspace B has one healthy
// endpoint. While both have work, A's slow deliveries hold at most half the slots, so B's deliveries
// go through at once instead of waiting for A's requests to finish; A's held-back deliveries still
// all arrive, using no attempt for being held.

const SLOTS = 6;
const SLOW_MS = 2_000;
const A_ENDPOINTS = 6;

let h: Harness;
let a: TestWorkspace;
let b: TestWorkspace;
let receiver: Receiver;
let ledger: Ledger;

beforeAll(async () => {
  receiver = await new Receiver().start();
  h = await startHarness({ env: { DISPATCH_WORKER_CONCURRENCY: String(SLOTS), DISPATCH_REQUEST_TIMEOUT: '3s', DISPATCH_RETRY_SCHEDULE: '1m' } });
  ledger = new Ledger(h.childEnv().DATABASE_URL);
  [a, b] = [await h.newWorkspace(), await h.newWorkspace()];
});
afterAll(async () => {
  await ledger?.close();
  await h?.close();
  await receiver?.close();
});

const lead = () => ({ type: 'lead.created', data: example('lead.created') });

/** The most requests of these paths the receiver was answering at once (each takes `durationMs`). */
function mostAtOnce(paths: string[], durationMs: number): number {
  const starts = receiver.requests.filter((r) => paths.includes(r.path)).map((r) => r.receivedAt);
  return Math.max(0, ...starts.map((start) => starts.filter((other) => other <= start && other > start - durationMs).length));
}

describe('a workspace with many slow endpoints next to another workspace', () => {
  it('holds at most half the worker’s slots, so the other workspace’s deliveries do not wait for it', async () => {
    const slowPaths = Array.from({ length: A_ENDPOINTS }, (_, i) => `/fair/a/${i}`);
    for (const path of slowPaths) {
      receiver.script(path, [{ status: 200, delayMs: SLOW_MS }]);
      await createWebhook(h, a, { url: receiver.url(path) });
    }
    await createWebhook(h, b, { url: receiver.url('/fair/b') });
    // B has had work in this worker, and its endpoint answers fast.
    await h.api.post('/api/events').set(b.auth).send(lead());
    await receiver.waitFor(() => receiver.on('/fair/b').length === 1);

    // Two events of A: 12 slow deliveries, twice the worker's slots.
    const aEvents = await h.api.post('/api/events/batch').set(a.auth).send({ events: [lead(), lead()] });
    expect(aEvents.status).toBe(202);
    await receiver.waitFor(() => receiver.requests.filter((r) => slowPaths.includes(r.path)).length >= SLOTS / 2);

    const bLatencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sentAt = Date.now();
      const res = await h.api.post('/api/events').set(b.auth).send(lead());
      await receiver.waitFor(() => receiver.on('/fair/b').some((r) => r.headers['webhook-id'] === res.body.id), 10_000);
      bLatencies.push(receiver.on('/fair/b').find((r) => r.headers['webhook-id'] === res.body.id)!.receivedAt - sentAt);
    }
    // Each of B's deliveries found a free slot, instead of waiting ~SLOW_MS for one of A's.
    expect(Math.max(...bLatencies)).toBeLessThan(SLOW_MS / 2);

    // All of A's deliveries arrive, each in one attempt, at most half the slots at a time.
    expect(await ledger.settle(a.id, 30_000)).toBe(0);
    const rows = await ledger.deliveries(a.id);
    expect(rows.map((r) => [r.status, r.attemptCount])).toEqual(rows.map(() => ['succeeded', 1]));
    expect(rows).toHaveLength(2 * A_ENDPOINTS);
    expect(mostAtOnce(slowPaths, SLOW_MS)).toBeLessThanOrEqual(SLOTS / 2);
    process.stderr.write(`[fairness] B's deliveries next to A's slow ones: ${bLatencies.join(', ')} ms; A at most ${mostAtOnce(slowPaths, SLOW_MS)} at once\n`);
  }, 60_000);
});
