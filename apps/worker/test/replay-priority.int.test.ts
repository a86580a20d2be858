import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { getEventDefinition } from '@dispatch/core';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';

// A large replay must not starve live traffic: replayed attempts run at a lower priority.

let h: Harness;
let receiver: Receiver;
let ws: TestWorkspace;
const REPLAYED = 150;

beforeAll(async () => {
  h = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '100ms', DISPATCH_WORKER_CONCURRENCY: '2' } });
  receiver = await new Receiver().start();
  ws = await h.newWorkspace();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const event = (type: 'lead.created' | 'sale.created') => ({ type, data: structuredClone(getEventDefinition(type).example) });

it('delivers a live event while a large replay is still running', async () => {
  const backlog = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'b', url: receiver.url('/backlog'), triggers: ['lead.created'] });
  await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'l', url: receiver.url('/live'), triggers: ['sale.created'] });
  // A 4xx, not a 5xx: the backlog should fail fast, without the breaker pausing the endpoint.
  receiver.script('/backlog', [{ status: 400 }]);
  const since = new Date(Date.now() - 1000).toISOString();
  await h.api.post('/api/events/batch').set(ws.auth).send({ events: Array.from({ length: REPLAYED }, () => event('lead.created')) });
  await eventually(async () => {
    const dry = await h.api.post(`/api/webhooks-manage/${backlog.body.id}/replay`).set(ws.auth).send({ since, dryRun: true });
    return dry.body.count === REPLAYED;
  }, 30_000);

  receiver.script('/backlog', [{ status: 200, delayMs: 20 }]);
  const replay = await h.api.post(`/api/webhooks-manage/${backlog.body.id}/replay`).set(ws.auth).send({ since });
  expect(replay.body.count).toBe(REPLAYED);
  await eventually(async () => receiver.on('/backlog').length > REPLAYED * 2 + 5);

  await h.api.post('/api/events').set(ws.auth).send(event('sale.created'));
  await receiver.waitFor(() => receiver.on('/live').length === 1);
  const replayedSoFar = receiver.on('/backlog').length - REPLAYED * 2;
  expect(replayedSoFar).toBeLessThan(REPLAYED / 2);
  const done = await eventually(async () => {
    const res = await h.api.get(`/api/webhooks-manage/${backlog.body.id}/replays/${replay.body.replayId}`).set(ws.auth);
    return res.body.status === 'completed' ? res.body : undefined;
  }, 30_000);
  expect(done).toMatchObject({ count: REPLAYED, done: REPLAYED, failed: 0 });
}, 90_000);
