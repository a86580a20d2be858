import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { createWebhook, example, type WebhookBody } from '../../../test-support/api-helpers.js';

// Replay idempotency: with an explicit `until` the same arguments always give the same replay; an
// open-ended one (no `until`, "until now") is the same request only while it is queued or running.

let h: Harness;
let receiver: Receiver;
let ws: TestWorkspace;
let hook: WebhookBody;
let base: string;

beforeAll(async () => {
  h = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '100ms' } });
  receiver = await new Receiver().start();
  ws = await h.newWorkspace();
  hook = await createWebhook(h, ws, { url: receiver.url('/replays') });
  base = `/api/webhooks-manage/${hook.id}`;
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const replay = async (body: object) => {
  const res = await h.api.post(`${base}/replay`).set(ws.auth).send(body);
  expect(res.status).toBe(202);
  return res.body as { replayId: string; count: number };
};
const progress = async (replayId: string) => (await h.api.get(`${base}/replays/${replayId}`).set(ws.auth)).body as { status: string; count: number; done: number };
const completed = (replayId: string) => eventually(async () => ((await progress(replayId)).status === 'completed' ? progress(replayId) : undefined));

/**
 * Emits `n` events whose deliveries fail for good (a 4xx, so no breaker pause), and waits for those
 * deliveries (not a count of the list: an earlier test's replay may still be turning others around).
 */
async function failedDeliveries(n: number) {
  receiver.script('/replays', [{ status: 400 }]);
  const eventIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
    expect(res.status).toBe(202);
    eventIds.push(res.body.id as string);
  }
  await eventually(async () => {
    const events = await Promise.all(eventIds.map(async (id) => (await h.api.get(`/api/events/${id}`).set(ws.auth)).body as { deliveries: { status: string }[] }));
    return events.every((event) => event.deliveries.length === 1 && event.deliveries[0]!.status === 'failed');
  });
  receiver.script('/replays', [{ status: 200 }]);
}

it('an open-ended replay answers the same while it is queued, and a new one (with what failed since) once it finished', async () => {
  const since = new Date(Date.now() - 1000).toISOString();
  await failedDeliveries(2);
  // No worker: the replay stays queued.
  await h.stopWorker();
  const first = await replay({ since });
  expect(first.count).toBe(2);
  expect(await replay({ since })).toEqual(first);
  expect((await progress(first.replayId)).status).toBe('queued');

  await h.startWorker();
  expect(await completed(first.replayId)).toMatchObject({ count: 2, done: 2 });
  await failedDeliveries(1);
  const next = await replay({ since });
  expect(next.replayId).not.toBe(first.replayId);
  expect(next.count).toBe(1);
  expect(await completed(next.replayId)).toMatchObject({ count: 1, done: 1 });
  // The first one is still there, finished, with its own figures.
  expect(await progress(first.replayId)).toMatchObject({ status: 'completed', count: 2, done: 2 });
});

it('a replay with an explicit until stays the same replay for the same arguments, also after it finished', async () => {
  const since = new Date(Date.now() - 1000).toISOString();
  await failedDeliveries(1);
  const until = new Date().toISOString();
  const first = await replay({ since, until });
  expect(first.count).toBe(1);
  expect(await replay({ since, until })).toEqual(first);
  await completed(first.replayId);
  expect(await replay({ since, until })).toEqual(first);
  // Other arguments are another replay.
  expect((await replay({ since, until, status: 'all' })).replayId).not.toBe(first.replayId);
});

it('concurrent open-ended calls with the same arguments make one replay', async () => {
  const since = new Date(Date.now() - 1000).toISOString();
  await failedDeliveries(1);
  await h.stopWorker();
  try {
    const answers = await Promise.all(Array.from({ length: 5 }, () => replay({ since })));
    expect(new Set(answers.map((a) => a.replayId)).size).toBe(1);
  } finally {
    await h.startWorker();
  }
});
