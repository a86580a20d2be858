import { expect, it } from '@jest/globals';
import { eq, inArray, sql } from 'drizzle-orm';
import { getEventDefinition } from '@dispatch/core';
import { attempts, deliveries, endpoints, events } from '@dispatch/db';
import { harnessFixture } from '../../../test-support/fixtures.js';
import { eventually } from '../../../test-support/harness.js';
import { pruneJob } from '../src/jobs/prune.job.js';

const fx = harnessFixture();

const DAY = 24 * 60 * 60 * 1000;

it('prunes attempts and finished events past retention, and keeps the rest', async () => {
  const hook = await fx.h.api.post('/api/webhooks-manage').set(fx.ws.auth).send({ name: 'p', url: fx.receiver.url('/p'), triggers: ['lead.created'] });
  const data = structuredClone(getEventDefinition('lead.created').example);
  const posted = await fx.h.api.post('/api/events/batch').set(fx.ws.auth).send({ events: [1, 2, 3].map(() => ({ type: 'lead.created', data })) });
  const [oldId, pendingId, recentId] = posted.body.data.map((e: { id: string }) => e.id) as [string, string, string];
  await eventually(async () => {
    const list = await fx.h.api.get(`/api/webhooks-manage/${hook.body.id}/deliveries?status=succeeded`).set(fx.ws.auth);
    return list.body.data.length === 3;
  });
  // Age two events and their attempts past the 30-day retention; one of them still has work pending.
  const aged = new Date(Date.now() - 31 * DAY);
  await fx.h.deps.db.update(events).set({ createdAt: aged }).where(inArray(events.id, [oldId, pendingId]));
  const agedDeliveries = await fx.h.deps.db.select({ id: deliveries.id }).from(deliveries).where(inArray(deliveries.eventId, [oldId, pendingId]));
  await fx.h.deps.db.update(attempts).set({ attemptedAt: aged }).where(inArray(attempts.deliveryId, agedDeliveries.map((d) => d.id)));
  await fx.h.deps.db.update(deliveries).set({ status: 'pending' }).where(eq(deliveries.eventId, pendingId));

  const result = await pruneJob(fx.h.worker!.deps);
  expect(result.attempts).toBeGreaterThanOrEqual(2);
  expect(result.events).toBeGreaterThanOrEqual(1);

  const remaining = await fx.h.deps.db.select({ id: events.id }).from(events).where(inArray(events.id, [oldId, pendingId, recentId]));
  expect(remaining.map((e) => e.id).sort()).toEqual([pendingId, recentId].sort());
  // A pruned event's deliveries go with it (they have no foreign key to cascade through).
  const deliveriesLeft = await fx.h.deps.db.select({ eventId: deliveries.eventId }).from(deliveries).where(inArray(deliveries.eventId, [oldId, pendingId, recentId]));
  expect([...new Set(deliveriesLeft.map((d) => d.eventId))].sort()).toEqual([pendingId, recentId].sort());
  const [{ n }] = (await fx.h.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from attempts where attempted_at < now() - interval '30 days'`)).rows as [{ n: number }];
  expect(n).toBe(0);
  const recent = await fx.h.api.get(`/api/events/${recentId}`).set(fx.ws.auth);
  expect(recent.body.deliveries[0].lastAttempt.statusCode).toBe(200);
});

it('clears rotated-out secrets whose grace period is over, and keeps those still in grace', async () => {
  const rotated = async () => {
    const hook = await fx.h.api.post('/api/webhooks-manage').set(fx.ws.auth).send({ name: 'r', url: fx.receiver.url('/r'), triggers: ['lead.created'] });
    const rotation = await fx.h.api.post(`/api/webhooks-manage/${hook.body.id}/rotate-secret`).set(fx.ws.auth).send({ graceSeconds: 3600 });
    expect(rotation.status).toBe(200);
    return hook.body.id as string;
  };
  const [expired, inGrace] = [await rotated(), await rotated()];
  await fx.h.deps.db.update(endpoints).set({ previousSecretExpiresAt: new Date(Date.now() - 1000) }).where(eq(endpoints.id, expired));
  const previous = async (id: string) =>
    (await fx.h.deps.db.select({ sealed: endpoints.previousSecretSealed, expiresAt: endpoints.previousSecretExpiresAt }).from(endpoints).where(eq(endpoints.id, id)))[0]!;
  const kept = await previous(inGrace);

  const result = await pruneJob(fx.h.worker!.deps);
  expect(result.previousSecrets).toBe(1);
  expect(await previous(expired)).toEqual({ sealed: null, expiresAt: null });
  expect(await previous(inGrace)).toEqual(kept);
  expect(kept.sealed).toMatch(/^v2\./);
});
