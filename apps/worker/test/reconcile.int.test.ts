import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getEventDefinition } from '@dispatch/core';
import { eventually, startHarness, type Harness } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { forgetAllJobs, schedulerRunsKept } from '../../../test-support/queue-backend.js';

// Postgres is the record and the queue only the schedule: deliveries whose jobs are gone (Redis
// flushed, or never added because Redis was unreachable) are still delivered. On either backend.

let receiver: Receiver;
beforeAll(async () => {
  receiver = await new Receiver().start();
});
afterAll(() => receiver.close());

const leadCreated = () => ({ type: 'lead.created', data: structuredClone(getEventDefinition('lead.created').example) });

describe('reconciler', () => {
  let h: Harness;
  afterAll(() => h.close());

  it('re-queues deliveries whose jobs vanished from the queue', async () => {
    h = await startHarness({ worker: false });
    const ws = await h.newWorkspace();
    await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'r', url: receiver.url('/vanished'), triggers: ['lead.created'] });
    const accepted = await Promise.all([1, 2, 3].map(() => h.api.post('/api/events').set(ws.auth).send(leadCreated())));
    expect(accepted.map((r) => r.status)).toEqual([202, 202, 202]);
    // Their jobs reached the queue (on Postgres the first ones may wait for the queue's schema)...
    const jobsIn = async (queue: (typeof h.deps.queues.deliveryShards)[number]) => Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
    // Every delivery shard counted: the endpoint's shard depends on its id (DISPATCH_QUEUE_SHARDS may be set).
    await eventually(async () => (await Promise.all(h.deps.queues.deliveryShards.map(jobsIn))).reduce((a, b) => a + b, 0) >= 3);
    // ...and are gone.
    expect(await forgetAllJobs(h.env)).toBeGreaterThan(0);

    await h.startWorker();
    await receiver.waitFor(() => receiver.on('/vanished').length === 3, 20_000);
    const ids = receiver.on('/vanished').map((r) => r.headers['webhook-id']).sort();
    expect(ids).toEqual(accepted.map((r) => r.body.id).sort());

    // The reconciler has run every second meanwhile; its finished runs do not pile up in the queue.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await schedulerRunsKept(h.env, '{maintenance}', 'reconcile')).toBeLessThanOrEqual(1);
  });
});

describe('API with Redis unreachable', () => {
  let h: Harness;
  afterAll(() => h.close());

  it('still accepts events (202) and they are delivered once the worker runs', async () => {
    h = await startHarness({ worker: false, apiEnv: { REDIS_URL: 'redis://127.0.0.1:1' } });
    const ws = await h.newWorkspace();
    const created = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'r', url: receiver.url('/no-redis'), triggers: ['lead.created'] });
    expect(created.status).toBe(201);
    const accepted = await h.api.post('/api/events').set(ws.auth).send(leadCreated());
    expect(accepted.status).toBe(202);
    expect(accepted.body.deliveries).toBe(1);

    await h.startWorker();
    await receiver.waitFor(() => receiver.on('/no-redis').length === 1, 20_000);
    expect(receiver.on('/no-redis')[0]!.headers['webhook-id']).toBe(accepted.body.id);
  });
});
