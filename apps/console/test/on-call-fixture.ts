import { expect } from '@jest/globals';
import type { Response } from 'supertest';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';

// What on-call finds when they open the console: a workspace with one failing endpoint ("orders",
// its receiver answering 500) beside healthy endpoints of every kind, one event each way.

export const BROKEN = { status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"orders database is down"}' };
export const FIXED = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"received":true}' };
export const OUTBOUND_TOKEN = 'Bearer outbound-token-never-shown';

export interface OnCallFixture {
  h: Harness;
  ws: TestWorkspace;
  receiver: Receiver;
  orders: { id: string; url: string };
  audit: { id: string };
  link: { id: string };
  clicks: { id: string };
  zapier: { id: string };
  /** The lead.created event that orders fails on. */
  eventId: string;
  /** Its delivery to orders: two attempts answered 500, still retrying. */
  failingDeliveryId: string;
  /** The API's answer body to a GET (with the workspace's key unless told). */
  get(path: string, auth?: Record<string, string>): Promise<Response['body']>;
  close(): Promise<void>;
}

export async function startOnCallFixture(): Promise<OnCallFixture> {
  // One quick retry, then the next one 10 minutes away: the orders delivery stays `failing` (still
  // retrying) for the whole test, as it would while on-call looks at it.
  const h = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '200ms,10m' } });
  const receiver = await new Receiver().start();
  receiver.script('/orders', [BROKEN]);
  const ws = await h.newWorkspace();
  const get = async (path: string, auth: Record<string, string> = ws.auth) => (await h.api.get(path).set(auth)).body;
  const post = async (path: string, body: object) => {
    const res = await h.api.post(path).set(ws.auth).send(body);
    expect(res.status).toBeLessThan(300);
    return res.body;
  };
  // Healthy endpoints of every kind beside the failing one, created after it: the API still lists it first.
  const orders = await createWebhook(h, ws, { name: 'orders', url: receiver.url('/orders'), triggers: ['lead.created'] });
  const audit = await createWebhook(h, ws, { name: 'audit', url: receiver.url('/audit'), triggers: ['lead.created'] });
  const link = await post('/api/links', { url: 'https://acme.example/pricing' });
  const clicks = await post(`/api/links/${link.id}/webhooks`, { name: 'clicks', url: receiver.url('/clicks'), triggers: ['link.clicked'] });
  const zapier = await post('/api/integrations/outbound', { url: receiver.url('/zap'), events: ['link.clicked'], description: 'zapier', headers: { Authorization: OUTBOUND_TOKEN } });

  const eventId = (await post('/api/events', { type: 'lead.created', data: example('lead.created') })).id;
  await post('/api/events', { type: 'link.clicked', data: { ...example('link.clicked'), linkId: link.id }, linkId: link.id });
  const failing = await eventually(async () => {
    const [delivery] = (await get(`/api/deliveries?targetId=${orders.id}&status=failing`)).data;
    return delivery?.attemptCount === 2 ? delivery : undefined;
  });
  await eventually(async () => ((await get('/api/deliveries?status=succeeded')).data.length === 3 ? true : undefined));
  return {
    h,
    ws,
    receiver,
    orders,
    audit,
    link,
    clicks,
    zapier,
    eventId,
    failingDeliveryId: failing.id,
    get,
    close: async () => {
      await receiver.close();
      await h.close();
    },
  };
}
