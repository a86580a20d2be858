import { expect, it } from '@jest/globals';
import { createWebhook, example } from '../../../test-support/api-helpers.js';
import { harnessFixture } from '../../../test-support/fixtures.js';
import { eventually } from '../../../test-support/harness.js';

// What an operator reads in the worker's log, captured from the harness's log stream: each failed
// attempt at info and each breaker change and auto-disable at warn, under the ids the API shows,
// and never a secret. The endpoint fails three times in a row: that opens its breaker and (after
// failing for at least 1 ms) disables it; a redelivery once the receiver is fixed closes the breaker.

const lines: string[] = [];
const fx = harnessFixture({
  env: { LOG_LEVEL: 'info', DISPATCH_RETRY_SCHEDULE: '100ms,100ms,100ms', DISPATCH_BREAKER_PAUSE: '2s', DISPATCH_DISABLE_AFTER: '1ms', DISPATCH_DISABLE_AFTER_FAILURES: '3' },
  logDestination: { write: (line: string) => void lines.push(line) },
});

type Line = Record<string, unknown> & { level: number; msg: string };
const logged = () => lines.map((line) => JSON.parse(line) as Line);
const INFO = 30;
const WARN = 40;

it('logs failed attempts at info and breaker changes and auto-disable at warn, with the API’s ids and no secret', async () => {
  const hook = await createWebhook(fx.h, fx.ws, { url: fx.receiver.url('/logged') });
  fx.receiver.script('/logged', [{ status: 500, body: 'down' }]);
  const event = await fx.h.api.post('/api/events').set(fx.ws.auth).send({ type: 'lead.created', data: example('lead.created') });
  expect(event.status).toBe(202);
  const failed = await eventually(async () => {
    const found = logged().filter((l) => l.msg === 'attempt failed' && l.endpointId === hook.id);
    return found.length === 3 && logged().some((l) => l.msg === 'endpoint disabled after failing too long') ? found : undefined;
  });
  const deliveries = (await fx.h.api.get(`/api/webhooks-manage/${hook.id}/deliveries`).set(fx.ws.auth)).body as { data: { id: string }[] };
  const deliveryId = deliveries.data[0]!.id;
  const detail = (await fx.h.api.get(`/api/deliveries/${deliveryId}`).set(fx.ws.auth)).body as { eventId: string; nextAttemptAt: string };

  expect(failed[0]).toMatchObject({ level: INFO, deliveryId, endpointId: hook.id, eventId: event.body.id, attemptNo: 1, trigger: 'initial', statusCode: 500, error: null });
  expect(failed.map((l) => [l.attemptNo, l.trigger])).toEqual([[1, 'initial'], [2, 'retry'], [3, 'retry']]);
  expect(Date.parse(failed[0]!.nextAttemptAt as string)).toBeGreaterThan(Date.parse(event.body.createdAt ?? 0));
  // The third failure: the delivery waits for its last retry, when the API says.
  expect(Math.abs(Date.parse(failed[2]!.nextAttemptAt as string) - Date.parse(detail.nextAttemptAt))).toBeLessThan(1_000);
  expect(detail.eventId).toBe(event.body.id);
  const opened = logged().find((l) => l.msg === 'circuit breaker opened: the endpoint is paused');
  expect(opened).toMatchObject({ level: WARN, endpointId: hook.id, statusCode: 500 });
  expect(Date.parse(opened!.pausedUntil as string)).toBeGreaterThan(Date.now());
  expect(logged().find((l) => l.msg === 'endpoint disabled after failing too long')).toMatchObject({ level: WARN, endpointId: hook.id, deliveryId });

  fx.receiver.script('/logged', [{ status: 200 }]);
  expect((await fx.h.api.post(`/api/webhooks-manage/${hook.id}/redeliver/${deliveryId}`).set(fx.ws.auth)).status).toBe(202);
  const closed = await eventually(async () => logged().find((l) => l.msg === 'circuit breaker closed: an attempt succeeded'));
  expect(closed).toMatchObject({ level: WARN, endpointId: hook.id, deliveryId, trigger: 'redeliver' });

  // No secret in any line: the webhook secret, the API key, the signatures sent, the encryption key.
  const text = lines.join('\n');
  const signatures = fx.receiver.on('/logged').map((r) => String(r.headers['webhook-signature']).split(',')[1]!);
  const secrets = [hook.secret, hook.secret.replace(/^whsec_/, ''), fx.ws.key, fx.h.env.DISPATCH_ENCRYPTION_KEY!, ...signatures];
  for (const secret of secrets) expect(text).not.toContain(secret);
});
