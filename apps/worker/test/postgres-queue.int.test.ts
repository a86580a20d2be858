import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { getEventDefinition } from '@dispatch/core';
import { queueSchemaName, type EndpointPauses } from '@dispatch/queue';
import { startHarness, type Harness } from '../../../test-support/harness.js';
import { freePort } from '../../../test-support/private-redis.js';
import { queueBackendOf } from '../../../test-support/queue-backend.js';
import { Receiver } from '../../../test-support/receiver.js';

// DISPATCH_QUEUE_BACKEND=postgres: BullMQ's Postgres backend holds the jobs, and nothing connects to
// Redis. REDIS_URL points at a port this test holds open and counts connections on: deliveries flow,
// both processes are ready, and not one connection reaches it.

let receiver: Receiver;
let h: Harness;
let trap: Server;
let redisConnections = 0;

beforeAll(async () => {
  receiver = await new Receiver().start();
  const port = await freePort();
  trap = createServer((socket) => {
    redisConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(port, '127.0.0.1', resolve));
  h = await startHarness({ env: { DISPATCH_QUEUE_BACKEND: 'postgres', REDIS_URL: `redis://127.0.0.1:${port}` } });
});
afterAll(async () => {
  await h.close();
  await receiver.close();
  await new Promise((resolve) => trap.close(resolve));
});

describe('the Postgres queue backend', () => {
  it('delivers signed requests without any connection to Redis, with its jobs in Postgres', async () => {
    const ws = await h.newWorkspace();
    const created = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'pg', url: receiver.url('/pg'), triggers: ['lead.created'] });
    expect(created.status).toBe(201);
    const data = structuredClone(getEventDefinition('lead.created').example);
    const accepted = await Promise.all([1, 2, 3].map(() => h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data })));
    expect(accepted.map((r) => r.status)).toEqual([202, 202, 202]);

    await receiver.waitFor(() => receiver.on('/pg').length === 3);
    for (const request of receiver.on('/pg')) {
      expect(() => new StandardWebhook(created.body.secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    }
    expect(receiver.on('/pg').map((r) => r.headers['webhook-id']).sort()).toEqual(accepted.map((r) => r.body.id).sort());

    // The queue's tables are in the prefix's schema of the system's own database.
    const client = new pg.Client({ connectionString: h.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [queueSchemaName(h.prefix)]);
      expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['job', 'migration', 'dispatch_endpoint_pause']));
    } finally {
      await client.end();
    }
    expect(redisConnections).toBe(0);
  });

  it('reports the API and the worker ready on Postgres alone', async () => {
    const api = await h.api.get('/readyz');
    expect(api.status).toBe(200);
    expect(api.body).toEqual({ status: 'ok', checks: { postgres: 'ok', queue: 'ok' } });
    const worker = await fetch(`http://127.0.0.1:${h.worker!.healthPort}/readyz`);
    expect(worker.status).toBe(200);
    expect(await worker.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', queue: 'ok', workers: 'ok' } });
    expect(redisConnections).toBe(0);
  });
});

// The same public methods on both backends, read back as the API reads them. Under a prefix of their
// own: the harness's worker sweeps ended pauses under its prefix all the time.
describe.each(['redis', 'postgres'] as const)('endpoint pauses on %s', (kind) => {
  const backend = () =>
    queueBackendOf({
      ...h.env,
      DISPATCH_QUEUE_BACKEND: kind,
      DISPATCH_QUEUE_PREFIX: `${h.prefix}_pauses`,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    });
  let close: () => Promise<void>;
  let pauses: EndpointPauses;
  beforeAll(() => {
    const b = backend();
    const queue = b.queue('{pause-test}');
    pauses = b.endpointPauses(queue);
    close = async () => {
      await pauses.forgetEnded(Number.MAX_SAFE_INTEGER);
      await queue.close();
      await b.close();
    };
  });
  afterAll(() => close());

  it('publishes, reads, lists, takes back and sweeps pauses', async () => {
    const now = Date.now();
    await pauses.publish('ep_a', now + 5_000);
    await pauses.publish('ep_b', now + 10_000);
    await pauses.publish('ep_ended', now - 1);
    await pauses.publish('ep_a', now + 7_000);
    expect(await pauses.read(['ep_a', 'ep_b', 'ep_ended', 'ep_never'], now)).toEqual([now + 7_000, now + 10_000, 0, 0]);
    expect(await pauses.read([], now)).toEqual([]);
    expect(await pauses.live(now)).toEqual(new Map([['ep_a', now + 7_000], ['ep_b', now + 10_000]]));
    expect(await pauses.countLive(now)).toBe(2);
    await pauses.forget('ep_b');
    expect(await pauses.read(['ep_b'], now)).toEqual([0]);
    expect(await pauses.forgetEnded(now)).toBe(1);
    expect(await pauses.forgetEnded(now)).toBe(0);
    expect(await pauses.countLive(now + 7_000)).toBe(0);
  });
});
