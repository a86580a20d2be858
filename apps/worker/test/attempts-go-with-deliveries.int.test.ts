import { expect, it } from '@jest/globals';
import { inArray } from 'drizzle-orm';
import { getEventDefinition } from '@dispatch/core';
import { attempts, deliveries, events } from '@dispatch/db';
import { harnessFixture } from '../../../test-support/fixtures.js';
import { eventually } from '../../../test-support/harness.js';
import { pruneJob } from '../src/jobs/prune.job.js';

// Attempts have no foreign key to their delivery (migration 0012): a trigger deletes them with it,
// whatever deletes the delivery. Each case leaves attempts that nothing else would delete.

const fx = harnessFixture();
const DAY = 24 * 60 * 60 * 1000;

/** A webhook, made by `create`, that has had one attempt for each of `count` lead events (of `linkId`). */
async function attemptedDeliveries(create: () => Promise<{ id: string }>, count: number, linkId?: string) {
  const hook = await create();
  const data = { ...structuredClone(getEventDefinition('lead.created').example), ...(linkId ? { linkId } : {}) };
  const posted = await fx.h.api.post('/api/events/batch').set(fx.ws.auth).send({ events: Array.from({ length: count }, () => ({ type: 'lead.created', data })) });
  expect(posted.status).toBe(202);
  const eventIds = posted.body.data.map((e: { id: string }) => e.id) as string[];
  return eventually(async () => {
    const rows = await fx.h.deps.db.select({ id: deliveries.id, endpointId: deliveries.endpointId }).from(deliveries).where(inArray(deliveries.eventId, eventIds));
    const own = rows.filter((d) => d.endpointId === hook.id).map((d) => d.id);
    const made = own.length ? await fx.h.deps.db.select({ id: attempts.id }).from(attempts).where(inArray(attempts.deliveryId, own)) : [];
    return own.length === count && made.length === count && { hookId: hook.id, deliveryIds: own, eventIds };
  });
}

const attemptsOf = async (deliveryIds: string[]) => (await fx.h.deps.db.select({ id: attempts.id }).from(attempts).where(inArray(attempts.deliveryId, deliveryIds))).length;

it('deletes a deleted webhook’s attempts', async () => {
  const created = await attemptedDeliveries(async () => (await fx.h.api.post('/api/webhooks-manage').set(fx.ws.auth).send({ name: 'gone', url: fx.receiver.url('/gone'), triggers: ['lead.created'] })).body, 2);
  expect((await fx.h.api.delete(`/api/webhooks-manage/${created.hookId}`).set(fx.ws.auth)).status).toBe(204);
  expect(await attemptsOf(created.deliveryIds)).toBe(0);
});

it('deletes the attempts of a deleted link’s webhooks', async () => {
  const link = (await fx.h.api.post('/api/links').set(fx.ws.auth).send({ url: 'https://acme.com/gone' })).body as { id: string };
  const created = await attemptedDeliveries(async () => {
    const hook = await fx.h.api.post(`/api/links/${link.id}/webhooks`).set(fx.ws.auth).send({ url: fx.receiver.url('/link-gone'), triggers: ['lead.created'] });
    return hook.body;
  }, 2, link.id);
  expect((await fx.h.api.delete(`/api/links/${link.id}`).set(fx.ws.auth)).status).toBe(204);
  expect(await attemptsOf(created.deliveryIds)).toBe(0);
});

it('deletes the attempts of the deliveries retention removes, however recent the attempts', async () => {
  const created = await attemptedDeliveries(async () => (await fx.h.api.post('/api/webhooks-manage').set(fx.ws.auth).send({ name: 'old', url: fx.receiver.url('/old'), triggers: ['lead.created'] })).body, 1);
  // The event is past retention; its delivery's attempt is not (a retry made late), so only the event's prune removes it.
  await fx.h.deps.db.update(events).set({ createdAt: new Date(Date.now() - 31 * DAY) }).where(inArray(events.id, created.eventIds));
  await pruneJob(fx.h.worker!.deps);
  expect(await fx.h.deps.db.select({ id: deliveries.id }).from(deliveries).where(inArray(deliveries.id, created.deliveryIds))).toEqual([]);
  expect(await attemptsOf(created.deliveryIds)).toBe(0);
});
