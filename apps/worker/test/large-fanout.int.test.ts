import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook as SvixWebhook } from 'svix';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { sql } from 'drizzle-orm';
import { INLINE_FANOUT_LIMIT } from '@dispatch/api/testing';
import { createWebhook, example, type WebhookBody } from '../../../test-support/api-helpers.js';
import { eventually, startHarness, type Harness } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';

// An event to more endpoints than the API queues inside the request: the API writes every delivery
// with the event, and the queueing is the fan-out job's. The reconciler is kept out of the way (it
// would queue what the fan-out job missed), so the deliveries arrive only if the fan-out job works.

let h: Harness;
let receiver: Receiver;

beforeAll(async () => {
  h = await startHarness({ env: { DISPATCH_RECONCILE_INTERVAL: '1h', DISPATCH_RECONCILE_GRACE: '1h' } });
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

describe('an event to more endpoints than the API queues itself', () => {
  it('reaches every endpoint exactly once, signed with its own secret', async () => {
    const count = INLINE_FANOUT_LIMIT + 100;
    const ws = await h.newWorkspace();
    const hooks: WebhookBody[] = [];
    for (let i = 0; i < count; i += 25) {
      const group = Array.from({ length: Math.min(25, count - i) }, (_, j) => createWebhook(h, ws, { url: receiver.url(`/big/${i + j}`) }));
      hooks.push(...(await Promise.all(group)));
    }

    const emitted = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
    expect(emitted.status).toBe(202);
    expect(emitted.body.deliveries).toBe(count);

    const arrived = () => receiver.requests.filter((r) => r.path.startsWith('/big/'));
    await receiver.waitFor(() => arrived().length >= count, 60_000);
    // Every delivery recorded as succeeded, so no retry (a duplicate) can still be on its way.
    await eventually(async () => {
      const rows = await h.deps.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM deliveries WHERE event_id = ${emitted.body.id} AND status = 'succeeded'`);
      return rows.rows[0]?.n === count;
    }, 30_000);

    expect(arrived()).toHaveLength(count);
    hooks.forEach((hook, i) => {
      const requests = receiver.on(`/big/${i}`);
      expect(requests).toHaveLength(1);
      const { headers, body } = requests[0]! as { headers: Record<string, string>; body: string };
      expect(headers['webhook-id']).toBe(emitted.body.id);
      expect(() => new SvixWebhook(hook.secret).verify(body, headers)).not.toThrow();
      expect(() => new StandardWebhook(hook.secret).verify(body, headers)).not.toThrow();
    });
  }, 120_000);
});
