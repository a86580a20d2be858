import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { getEventDefinition } from '@dispatch/core';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';

// A slow or failing endpoint must not hold back the others. With 8 worker slots, an endpoint that
// hangs until the timeout could take all of them; the per-endpoint cap leaves it 2, and the breaker
// parks the rest of its deliveries after a run of timeouts. The numbers (healthy p99 alone and with
// bad neighbours) are measured by `pnpm bench`; this test proves the behaviour.

let h: Harness;
let receiver: Receiver;
let ws: TestWorkspace;
const EVENTS = 40;

beforeAll(async () => {
  h = await startHarness({
    env: {
      DISPATCH_WORKER_CONCURRENCY: '8',
      DISPATCH_ENDPOINT_CONCURRENCY: '2',
      DISPATCH_REQUEST_TIMEOUT: '8s',
      DISPATCH_RETRY_SCHEDULE: '100ms,100ms',
      DISPATCH_BREAKER_PAUSE: '5s',
    },
  });
  receiver = await new Receiver().start();
  ws = await h.newWorkspace();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const hook = (path: string, type: string) =>
  h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: path, url: receiver.url(path), triggers: [type] });
const events = (type: 'lead.created' | 'sale.created' | 'link.clicked') =>
  Array.from({ length: EVENTS }, () => ({ type, data: structuredClone(getEventDefinition(type).example) }));

it('delivers to a healthy endpoint while its neighbours hang and fail', async () => {
  await hook('/hangs', 'lead.created');
  await hook('/fails', 'sale.created');
  const healthy = await hook('/healthy', 'link.clicked');
  receiver.script('/hangs', [{ status: 200, delayMs: 60_000 }]);
  receiver.script('/fails', [{ status: 503 }]);

  await h.api.post('/api/events/batch').set(ws.auth).send({ events: [...events('lead.created'), ...events('sale.created')] });
  // The bad endpoints now hold every slot they are allowed; live traffic to the healthy one follows.
  await eventually(async () => receiver.on('/hangs').length >= 2 && receiver.on('/fails').length >= 1);
  const sentAt = Date.now();
  await h.api.post('/api/events/batch').set(ws.auth).send({ events: events('link.clicked') });
  await receiver.waitFor(() => receiver.on('/healthy').length === EVENTS, 10_000);
  const healthyDoneMs = Date.now() - sentAt;

  // All healthy deliveries landed before the first hanging attempt could even time out...
  expect(healthyDoneMs).toBeLessThan(8_000);
  // ...and the hanging endpoint never had more than its cap of requests open at once.
  expect(receiver.on('/hangs').length).toBeLessThanOrEqual(2);
  // The failing one is throttled by the breaker instead of being hammered 3 times per event.
  expect(receiver.on('/fails').length).toBeLessThan(EVENTS);
  await eventually(async () => {
    const list = await h.api.get(`/api/webhooks-manage/${healthy.body.id}/deliveries?status=succeeded&limit=100`).set(ws.auth);
    return list.body.data.length === EVENTS;
  });
});
