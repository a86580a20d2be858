import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inArray } from 'drizzle-orm';
import { deliveries } from '@dispatch/db';
import { JOB_PRIORITIES, workspacePauseKey } from '@dispatch/queue';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Ledger } from '../../../test-support/ledger.js';
import { Receiver } from '../../../test-support/receiver.js';

// Fairness between workspaces in one worker: workspace A has many slow endpoints, each under its
// endpoint cap but together enough to take every slot of the worker; workspace B has one healthy
// endpoint. While both have work, A's slow deliveries hold at most half the slots, so B's deliveries
// go through at once instead of waiting for A's requests to finish; A's held-back deliveries still
// all arrive, using no attempt for being held. Once every request of A is stuck, the worker
// publishes the hold, and the API queues A's new deliveries for then, behind live traffic.

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
  h = await startHarness({ env: { DISPATCH_WORKER_CONCURRENCY: String(SLOTS), DISPATCH_REQUEST_TIMEOUT: '5s', DISPATCH_RETRY_SCHEDULE: '1m' } });
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

  it('once every slow request is stuck, has the API queue the workspace’s new deliveries for later, and the other’s at once', async () => {
    const [slow, other] = [await h.newWorkspace(), await h.newWorkspace()];
    const stuckPaths = Array.from({ length: A_ENDPOINTS }, (_, i) => `/fair/stuck/${i}`);
    for (const path of stuckPaths) {
      receiver.script(path, [{ status: 200, delayMs: 4_000 }]);
      await createWebhook(h, slow, { url: receiver.url(path) });
    }
    await createWebhook(h, other, { url: receiver.url('/fair/other') });
    await h.api.post('/api/events').set(other.auth).send(lead());
    await receiver.waitFor(() => receiver.on('/fair/other').length === 1);

    await h.api.post('/api/events').set(slow.auth).send(lead());
    const key = workspacePauseKey(slow.id);
    const published = await eventually(async () => (await h.deps.queues.endpointPauses.read([key]))[0]! || undefined, 5_000);
    await eventually(async () => h.deps.endpointPauses.pausedUntil(key) === published, 2_000);

    const [held, live] = [await h.api.post('/api/events').set(slow.auth).send(lead()), await h.api.post('/api/events').set(other.auth).send(lead())];
    const rows = await h.deps.db.select().from(deliveries).where(inArray(deliveries.eventId, [held.body.id, live.body.id]));
    for (const row of rows.filter((r) => r.eventId === held.body.id)) {
      const job = (await h.deps.queues.deliveries.getJob(row.jobId!))!;
      expect({ state: await job.getState(), priority: job.priority, started: job.attemptsStarted }).toEqual({ state: 'delayed', priority: JOB_PRIORITIES.held, started: 0 });
      expect(job.timestamp + job.delay).toBeGreaterThanOrEqual(published);
    }
    await receiver.waitFor(() => receiver.on('/fair/other').some((r) => r.headers['webhook-id'] === live.body.id), 2_000);
    // The hold is taken back once the workspace's requests answer, and everything arrives.
    expect(await ledger.settle(slow.id, 40_000)).toBe(0);
    await eventually(async () => (await h.deps.queues.endpointPauses.read([key]))[0] === 0, 5_000);
  }, 60_000);
});
