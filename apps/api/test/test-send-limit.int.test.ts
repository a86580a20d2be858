import { expect, it } from '@jest/globals';
import { bearer, type Harness } from '../../../test-support/harness.js';
import { withHarness } from '../../../test-support/fixtures.js';
import type { Receiver } from '../../../test-support/receiver.js';
import { createWebhook, example, expectError } from '../../../test-support/api-helpers.js';

// Issue 18, item 5b: POST …/test makes a real request from a worker to a URL of the caller's choosing,
// so each API key may send only a few: a burst of 10, then one every 10 s, across the three kinds of
// endpoint (the route is declared once), with 429 + retry-after beyond.

let h: Harness;
let receiver: Receiver;
withHarness((fixture) => ({ h, receiver } = fixture));

it('limits test sends per API key, on every kind of endpoint; other keys and refused tests are not counted', async () => {
  const ws = await h.newWorkspace();
  const hook = await createWebhook(h, ws, { url: receiver.url('/wh'), triggers: ['lead.created'] });
  const link = (await h.api.post('/api/links').set(ws.auth).send({ url: 'https://acme.com/l' })).body as { id: string };
  const linkHook = (await h.api.post(`/api/links/${link.id}/webhooks`).set(ws.auth).send({ url: receiver.url('/lwh'), triggers: ['lead.created'] })).body as { id: string };
  const outbound = (await h.api.post('/api/integrations/outbound').set(ws.auth).send({ url: receiver.url('/obw'), events: ['lead.created'] })).body as { id: string };
  const paths = [`/api/webhooks-manage/${hook.id}/test`, `/api/links/${link.id}/webhooks/${linkHook.id}/test`, `/api/integrations/outbound/${outbound.id}/test`];

  const statuses: number[] = [];
  for (let i = 0; i < 10; i += 1) statuses.push((await h.api.post(paths[i % 3]!).set(ws.auth).send({})).status);
  expect(statuses).toEqual(Array(10).fill(200));
  for (const path of paths) {
    const res = await h.api.post(path).set(ws.auth).send({});
    expectError(res, 429, 'rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(5);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(10);
  }
  expect(receiver.requests).toHaveLength(10);

  // Another key of the same workspace has its own budget; the workspace's other routes are untouched.
  const other = bearer(await ws.keyWith(['links:write', 'webhooks:manage']));
  expect((await h.api.post(paths[1]!).set(other).send({})).status).toBe(200);
  expect((await h.api.post('/api/events').set(ws.auth).send({ type: 'payout.paid', data: example('payout.paid') })).status).toBe(202);

  // A test that is refused (an endpoint that is not the caller's) sends nothing and spends nothing.
  const third = bearer(await ws.keyWith(['links:write']));
  for (let i = 0; i < 12; i += 1) expectError(await h.api.post('/api/webhooks-manage/wh_01J00000000000000000000000/test').set(third).send({}), 404, 'not_found');
  expect((await h.api.post(paths[0]!).set(third).send({})).status).toBe(200);
  expect(receiver.requests).toHaveLength(12);
}, 60_000);
