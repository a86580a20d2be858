import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eq, inArray, sql } from 'drizzle-orm';
import { getEventDefinition } from '@dispatch/core';
import { attempts, deliveries, endpoints, events } from '@dispatch/db';
import { eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { pruneJob } from '../src/jobs/prune.job.js';

let h: Harness;
let receiver: Receiver;
let ws: TestWorkspace;

beforeAll(async () => {
  h = await startHarness();
  receiver = await new Receiver().start();
  ws = await h.newWorkspace();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const DAY = 24 * 60 * 60 * 1000;

it('prunes attempts and finished events past retention, and keeps the rest', async () => {
  const hook = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'p', url: receiver.url('/p'), triggers: ['lead.created'] });
  const data = structuredClone(getEventDefinition('lead.created').example);
  const posted = await h.api.post('/api/events/batch').set(ws.auth).send({ events: [1, 2, 3].map(() => ({ type: 'lead.created', data })) });
  const [oldId, pendingId, recentId] = posted.body.data.map((e: { id: string }) => e.id) as [string, string, string];
  await eventually(async () => {
    const list = await h.api.get(`/api/webhooks-manage/${hook.body.id}/deliveries?status=succeeded`).set(ws.auth);
    return list.body.data.length === 3;
  });
  // Age two events and their attempts past the 30-day retention; one of them still has work pending.
  const aged = new Date(Date.now() - 31 * DAY);
  await h.deps.db.update(events).set({ createdAt: aged }).where(inArray(events.id, [oldId, pendingId]));
  const agedDeliveries = await h.deps.db.select({ id: deliveries.id }).from(deliveries).where(inArray(deliveries.eventId, [oldId, pendingId]));
  await h.deps.db.update(attempts).set({ attemptedAt: aged }).where(inArray(attempts.deliveryId, agedDeliveries.map((d) => d.id)));
  await h.deps.db.update(deliveries).set({ status: 'pending' }).where(eq(deliveries.eventId, pendingId));

  const result = await pruneJob(h.worker!.deps);
  expect(result.attempts).toBeGreaterThanOrEqual(2);
  expect(result.events).toBeGreaterThanOrEqual(1);

  const remaining = await h.deps.db.select({ id: events.id }).from(events).where(inArray(events.id, [oldId, pendingId, recentId]));
  expect(remaining.map((e) => e.id).sort()).toEqual([pendingId, recentId].sort());
  // A pruned event's deliveries go with it (they have no foreign key to cascade through).
  const deliveriesLeft = await h.deps.db.select({ eventId: deliveries.eventId }).from(deliveries).where(inArray(deliveries.eventId, [oldId, pendingId, recentId]));
  expect([...new Set(deliveriesLeft.map((d) => d.eventId))].sort()).toEqual([pendingId, recentId].sort());
  const [{ n }] = (await h.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from attempts where attempted_at < now() - interval '30 days'`)).rows as [{ n: number }];
  expect(n).toBe(0);
  const recent = await h.api.get(`/api/events/${recentId}`).set(ws.auth);
  expect(recent.body.deliveries[0].lastAttempt.statusCode).toBe(200);
});

it('clears rotated-out secrets whose grace period is over, and keeps those still in grace', async () => {
  const rotated = async () => {
    const hook = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'r', url: receiver.url('/r'), triggers: ['lead.created'] });
    const rotation = await h.api.post(`/api/webhooks-manage/${hook.body.id}/rotate-secret`).set(ws.auth).send({ graceSeconds: 3600 });
    expect(rotation.status).toBe(200);
    return hook.body.id as string;
  };
  const [expired, inGrace] = [await rotated(), await rotated()];
  await h.deps.db.update(endpoints).set({ previousSecretExpiresAt: new Date(Date.now() - 1000) }).where(eq(endpoints.id, expired));
  const previous = async (id: string) =>
    (await h.deps.db.select({ sealed: endpoints.previousSecretSealed, expiresAt: endpoints.previousSecretExpiresAt }).from(endpoints).where(eq(endpoints.id, id)))[0]!;
  const kept = await previous(inGrace);

  const result = await pruneJob(h.worker!.deps);
  expect(result.previousSecrets).toBe(1);
  expect(await previous(expired)).toEqual({ sealed: null, expiresAt: null });
  expect(await previous(inGrace)).toEqual(kept);
  expect(kept.sealed).toMatch(/^v2\./);
});
