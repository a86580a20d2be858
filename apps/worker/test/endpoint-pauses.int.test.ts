import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { inArray } from 'drizzle-orm';
import { getEventDefinition } from '@dispatch/core';
import { deliveries } from '@dispatch/db';
import { JOB_PRIORITIES } from '@dispatch/queue';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';

// When a worker's breaker pauses an endpoint it publishes until when, and the API queues that
// endpoint's new deliveries as delayed jobs due then (behind live traffic), instead of live jobs
// the worker would fetch only to park them again. Its neighbours' deliveries are not held, and
// neither is what an operator asks for.

let h: Harness;
let receiver: Receiver;
let ws: TestWorkspace;
const PAUSE_MS = 4_000;

beforeAll(async () => {
  h = await startHarness({ env: { DISPATCH_BREAKER_PAUSE: `${PAUSE_MS}ms`, DISPATCH_RETRY_SCHEDULE: '100ms,100ms' } });
  receiver = await new Receiver().start();
  ws = await h.newWorkspace();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const hook = async (path: string) =>
  (await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: path, url: receiver.url(path), triggers: ['lead.created'] })).body.id as string;
const leads = (count: number) => Array.from({ length: count }, () => ({ type: 'lead.created', data: structuredClone(getEventDefinition('lead.created').example) }));

it("queues a paused endpoint's new deliveries for the end of its pause, and its neighbours' at once", async () => {
  const down = await hook('/down');
  await hook('/up');
  receiver.script('/down', [{ status: 503 }]);

  // A 503 opens the breaker at once; the worker publishes the pause and the API learns it.
  const startedAt = Date.now();
  await h.api.post('/api/events').set(ws.auth).send(leads(1)[0]);
  const published = await eventually(async () => (await h.deps.queues.endpointPauses.read([down]))[0]! || undefined);
  expect(published).toBeGreaterThan(startedAt);
  expect(published).toBeLessThanOrEqual(Date.now() + PAUSE_MS);
  await eventually(async () => h.deps.endpointPauses.pausedUntil(down) === published);
  const downRequestsBefore = receiver.on('/down').length;

  const batch = await h.api.post('/api/events/batch').set(ws.auth).send({ events: leads(5) });
  expect(batch.status).toBe(202);
  const eventIds = (batch.body.data as { id: string }[]).map((e) => e.id);
  const rows = await h.deps.db.select().from(deliveries).where(inArray(deliveries.eventId, eventIds));
  const held = rows.filter((row) => row.endpointId === down);
  expect(held).toHaveLength(5);
  for (const row of held) {
    const job = await h.deps.queues.deliveriesFor(row.endpointId).getJob(row.jobId!);
    expect(await job!.getState()).toBe('delayed');
    expect(job!.priority).toBe(JOB_PRIORITIES.held);
    // Queued delayed by the API: no worker ever took it (a job a worker parks itself has started once).
    expect(job!.attemptsStarted).toBe(0);
    // Due after the pause, spread over at most one more pause.
    expect(job!.timestamp + job!.delay).toBeGreaterThanOrEqual(published);
    expect(job!.timestamp + job!.delay).toBeLessThanOrEqual(published + PAUSE_MS + 100);
  }
  // The healthy neighbour gets every event at once, and nobody fetched the held jobs meanwhile.
  await receiver.waitFor(() => receiver.on('/up').length === 6, 3_000);
  expect(Date.now()).toBeLessThan(published);
  expect(receiver.on('/down').length).toBe(downRequestsBefore);

  // Once the endpoint recovers, the held deliveries go out after the pause.
  receiver.script('/down', [{ status: 200 }]);
  const succeeded = await eventually(async () => {
    const list = await h.api.get(`/api/webhooks-manage/${down}/deliveries?status=succeeded&limit=100`).set(ws.auth);
    return list.body.data.length === 6 ? list.body.data : undefined;
  }, 20_000);
  expect(succeeded).toHaveLength(6);
  expect(Math.min(...receiver.on('/down').slice(downRequestsBefore).map((r) => r.receivedAt))).toBeGreaterThanOrEqual(published);
}, 30_000);

it('sends a test delivery to a paused endpoint at once', async () => {
  const paused = await hook('/paused');
  receiver.script('/paused', [{ status: 503 }]);
  await h.api.post('/api/events').set(ws.auth).send(leads(1)[0]);
  await eventually(async () => (await h.deps.queues.endpointPauses.read([paused]))[0]! > Date.now() || undefined);
  await eventually(async () => h.deps.endpointPauses.pausedUntil(paused) > 0);

  receiver.script('/paused', [{ status: 200 }]);
  const before = receiver.on('/paused').length;
  const test = await h.api.post(`/api/webhooks-manage/${paused}/test`).set(ws.auth).send({});
  expect(test.status).toBeLessThan(300);
  await receiver.waitFor(() => receiver.on('/paused').length > before, 3_000);
  expect(receiver.on('/paused')[before]!.headers['webhook-id']).toBe(test.body.delivery.eventId);
  // Its success closed the breaker: the delivery held back by the pause follows at once.
  await receiver.waitFor(() => receiver.on('/paused').length === before + 2, 3_000);
});

it('withdraws a pause published behind a stuck request as soon as that request finishes', async () => {
  // Its own harness: one request at a time per endpoint, so a second job waits behind the first.
  const own = await startHarness({ env: { DISPATCH_ENDPOINT_CONCURRENCY: '1', DISPATCH_REQUEST_TIMEOUT: '6s' } });
  try {
    const space = await own.newWorkspace();
    const created = await own.api.post('/api/webhooks-manage').set(space.auth).send({ name: 'slow', url: receiver.url('/slow'), triggers: ['lead.created'] });
    const slow = created.body.id as string;
    receiver.script('/slow', [{ status: 200, delayMs: 2_500 }, { status: 200 }]);
    await own.api.post('/api/events').set(space.auth).send(leads(1)[0]);
    await eventually(async () => receiver.on('/slow').length === 1);
    // Stuck for over a second: the next job is held until the first must have timed out (6 s).
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await own.api.post('/api/events').set(space.auth).send(leads(1)[0]);
    const published = await eventually(async () => (await own.deps.queues.endpointPauses.read([slow]))[0]! || undefined);
    const firstSentAt = receiver.on('/slow')[0]!.receivedAt;
    expect(published).toBeGreaterThan(firstSentAt + 5_000);

    // The first answers at ~2.5 s: the pause is gone long before it would have ended.
    await eventually(async () => (await own.deps.queues.endpointPauses.read([slow]))[0] === 0, 5_000);
    expect(Date.now()).toBeLessThan(published - 2_000);
  } finally {
    await own.close();
  }
}, 30_000);
