import { describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { newId } from '@dispatch/core';
import { CLAIM_EARLY_ALLOWANCE_MS, claimDeliveries, findEarlyClaim, recordAttempts, type ClaimedDelivery } from '@dispatch/db';
import { asClaimRequest, attemptRecord, deliveryRowsFixture } from '../../../test-support/delivery-rows.js';

// An attempt is recorded only by the run that owns the delivery: the one whose claim (job id and
// attempt start) is still the row's. Two runs of one job can both hold a claim in turn: a run that
// stalls past the attempt's abandonment (its worker paused, its event loop stuck) and the run that
// claimed the delivery after it. And a run is claimed only when the row says the delivery is due.
// The statements are driven here the way those runs drive them; faults-stalled-run.int.test.ts and
// faults-early-rerun.int.test.ts do the same through real workers.

const fx = deliveryRowsFixture();

const attemptsOf = async (deliveryId: string) =>
  (await fx.h.deps.db.execute<{ id: string; attempt_no: number }>(sql`SELECT id, attempt_no FROM attempts WHERE delivery_id = ${deliveryId}`)).rows;
const deliveryRow = async (id: string) => (await fx.h.deps.db.execute<Record<string, unknown>>(sql`SELECT * FROM deliveries WHERE id = ${id}`)).rows[0]!;

/** The same job's delivery claimed twice: the first run's claim, then (once it counts as abandoned) a second run's. */
async function claimedTwice(): Promise<{ stalled: ClaimedDelivery; replacement: ClaimedDelivery }> {
  const delivery = await fx.rows.newDelivery(await fx.rows.newEndpoint(3));
  const stalled = await fx.rows.claim(delivery);
  // The attempt start has millisecond precision: the second claim must come in a later millisecond.
  await new Promise((r) => setTimeout(r, 5));
  // An abandonment time of 0 stands for "the first run has been gone longer than that".
  const replacement = await fx.rows.claim(delivery, 0);
  expect(replacement.jobId).toBe(stalled.jobId);
  expect(replacement.claimedAt.getTime()).toBeGreaterThan(stalled.claimedAt.getTime());
  return { stalled, replacement };
}

describe('recording an attempt', () => {
  it('a run that lost its claim records nothing and says so, though it records first', async () => {
    const { stalled, replacement } = await claimedTwice();
    const late = attemptRecord(stalled, { statusCode: 500, status: 'pending', retryDelayMs: 60_000, error: null });
    expect(await recordAttempts(fx.h.deps.db, [late])).toEqual([false]);
    // Nothing of it: no attempt, the delivery still the replacement's, the endpoint's failures untouched.
    expect(await attemptsOf(replacement.id)).toEqual([]);
    expect(await deliveryRow(replacement.id)).toMatchObject({ status: 'pending', attempt_count: 0, last_attempt_id: null, job_trigger: 'initial' });
    expect(new Date((await deliveryRow(replacement.id)).attempt_started_at as string)).toEqual(replacement.claimedAt);

    const owned = attemptRecord(replacement, { healthyEndpointId: replacement.endpointId });
    expect(await recordAttempts(fx.h.deps.db, [owned])).toEqual([true]);
    expect(await attemptsOf(replacement.id)).toEqual([{ id: owned.id, attempt_no: 1 }]);
    expect(await deliveryRow(replacement.id)).toMatchObject({ status: 'succeeded', attempt_count: 1, last_attempt_id: owned.id });
  });

  it('a run that lost its claim records nothing after the owner recorded, nor the owner’s record sent twice', async () => {
    const { stalled, replacement } = await claimedTwice();
    const owned = attemptRecord(replacement, { statusCode: 500, status: 'pending', retryDelayMs: 60_000, error: null });
    expect(await recordAttempts(fx.h.deps.db, [owned])).toEqual([true]);
    const late = attemptRecord(stalled, { healthyEndpointId: stalled.endpointId });
    expect(await recordAttempts(fx.h.deps.db, [late])).toEqual([false]);
    expect(await attemptsOf(stalled.id)).toEqual([{ id: owned.id, attempt_no: 1 }]);
    // The late success neither finished the delivery nor reset the endpoint's run of failures.
    expect(await deliveryRow(stalled.id)).toMatchObject({ status: 'pending', attempt_count: 1, last_attempt_id: owned.id, job_trigger: 'retry' });
    const endpoint = (await fx.h.deps.db.execute<{ consecutive_failures: number }>(sql`SELECT consecutive_failures FROM endpoints WHERE id = ${stalled.endpointId}`)).rows[0]!;
    expect(endpoint.consecutive_failures).toBe(3);
    // The owner's record cleared the claim: the same record sent again (a retried statement) takes nothing.
    expect(await recordAttempts(fx.h.deps.db, [{ ...owned, id: newId('attempt') }])).toEqual([false]);
  });

  it('of two records of one claim racing in separate transactions, one is written', async () => {
    const delivery = await fx.rows.newDelivery(await fx.rows.newEndpoint());
    const claimed = await fx.rows.claim(delivery);
    const outcomes = await Promise.all([attemptRecord(claimed), attemptRecord(claimed)].map((r) => recordAttempts(fx.h.deps.db, [r])));
    expect(outcomes.flat().sort()).toEqual([false, true]);
    expect(await attemptsOf(delivery.id)).toHaveLength(1);
  });

  it('keeps one attempt per number: a second row with the same number is refused', async () => {
    const delivery = await fx.rows.newDelivery(await fx.rows.newEndpoint());
    expect(await recordAttempts(fx.h.deps.db, [attemptRecord(await fx.rows.claim(delivery))])).toEqual([true]);
    const duplicate = fx.h.deps.db.execute(sql`
      INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, response_time_ms, attempted_at)
      VALUES (${newId('attempt')}, ${delivery.id}, 1, 'initial', '{}', 1, now())`);
    await expect(duplicate).rejects.toMatchObject({ cause: { code: '23505' } });
  });
});

describe('claiming a delivery', () => {
  it('waits until the row says it is due, and tells the early run how long', async () => {
    const endpointId = await fx.rows.newEndpoint();
    const later = await fx.rows.newDelivery(endpointId, { dueInMs: 60_000 });
    expect(await claimDeliveries(fx.h.deps.db, [asClaimRequest(later)], 45_000)).toEqual([undefined]);
    const early = await findEarlyClaim(fx.h.deps.db, asClaimRequest(later));
    expect(early!.dueInMs).toBeGreaterThan(58_000);
    expect(early!.dueInMs).toBeLessThanOrEqual(60_000);
    // Not the early run's delivery (another job owns it): nothing to wait for.
    expect(await findEarlyClaim(fx.h.deps.db, { deliveryId: later.id, jobId: 'another-job' })).toBeUndefined();

    // Within the allowance for clocks that differ a little, a run counts as on time.
    const almost = await fx.rows.newDelivery(endpointId, { dueInMs: CLAIM_EARLY_ALLOWANCE_MS / 2 });
    expect((await claimDeliveries(fx.h.deps.db, [asClaimRequest(almost)], 45_000))[0]?.id).toBe(almost.id);
    const due = await fx.rows.newDelivery(endpointId);
    expect(await findEarlyClaim(fx.h.deps.db, asClaimRequest(due))).toBeUndefined();
  });
});
