import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parseConfig } from '@dispatch/core';
import { startWorker, workerConfigSchema, type WorkerRuntime } from '@dispatch/worker/testing';
import { pino } from 'pino';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { harnessFixture } from '../../../test-support/fixtures.js';
import { eventually } from '../../../test-support/harness.js';

// Two workers on one database and one queue prefix, each with its own breakers (endpoint-guard.ts).
// Both trip on an endpoint answering 500; then one attempt succeeds, in whichever worker takes it:
// within 1 s the other worker's breaker is closed too, and the jobs both held back come back at
// once instead of after the 30 s pause. The next scheduled retry is an hour away throughout.

const fx = harnessFixture({
  env: {
    DISPATCH_RETRY_SCHEDULE: '1h',
    DISPATCH_BREAKER_PAUSE: '30s',
    // One request of the endpoint at a time per worker: the rest are held back briefly and the
    // other worker takes them, so both see the failures.
    DISPATCH_ENDPOINT_CONCURRENCY: '1',
  },
});
let second: WorkerRuntime;

beforeAll(async () => {
  second = await startWorker(parseConfig(workerConfigSchema, fx.h.env), pino({ level: 'silent' }));
});
afterAll(async () => {
  await second?.close();
});

interface Delivery {
  id: string;
  status: string;
  attemptCount: number;
}

it('a success seen by one worker closes the breaker in the other within 1 s, and held-back jobs come back at once', async () => {
  const hook = await createWebhook(fx.h, fx.ws, { url: fx.receiver.url('/flaky') });
  // Slow enough that neither worker counts the endpoint as fast (which would lift the cap of one).
  fx.receiver.script('/flaky', [{ status: 500, body: 'down', delayMs: 300 }]);
  const guards = [fx.h.worker!.deps.endpointGuard, second.deps.endpointGuard];
  for (let i = 0; i < 14; i++) {
    expect((await fx.h.api.post('/api/events').set(fx.ws.auth).send({ type: 'lead.created', data: example('lead.created') })).status).toBe(202);
  }
  await eventually(async () => guards.every((guard) => guard.isOpen(hook.id)), 20_000);

  const list = async () => ((await fx.h.api.get(`/api/webhooks-manage/${hook.id}/deliveries?limit=100`).set(fx.ws.auth)).body as { data: Delivery[] }).data;
  const before = await list();
  const heldBack = before.filter((d) => d.attemptCount === 0).map((d) => d.id);
  const failing = before.find((d) => d.status === 'failing')!;
  expect(heldBack.length).toBeGreaterThan(0);

  fx.receiver.script('/flaky', [{ status: 200 }]);
  expect((await fx.h.api.post(`/api/webhooks-manage/${hook.id}/redeliver/${failing.id}`).set(fx.ws.auth)).status).toBe(202);
  await eventually(async () => (await list()).find((d) => d.id === failing.id)?.status === 'succeeded', 5_000, 10);
  const succeededAt = Date.now();
  // Only one worker made that attempt: the other learns of it through the published pause.
  await eventually(async () => guards.every((guard) => !guard.isTripped(hook.id)), 2_000, 10);
  expect(Date.now() - succeededAt).toBeLessThan(1_000);

  // Held back until the pause's end (30 s away), they are delivered now.
  await eventually(async () => {
    const now = await list();
    return heldBack.every((id) => now.find((d) => d.id === id)?.status === 'succeeded');
  }, 5_000);
  expect(await fx.h.deps.queues.endpointPauses.read([hook.id])).toEqual([0]);
});
