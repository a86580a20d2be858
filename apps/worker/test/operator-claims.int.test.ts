import { describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { newId } from '@dispatch/core';
import { claimOperatorAttempt, recordAttempts, recordOperatorAttempt, scheduleRedelivery, type ClaimedOperatorAttempt } from '@dispatch/db';
import { attemptRecord, deliveryRowsFixture } from '../../../test-support/delivery-rows.js';

// An operator's attempt and the scheduled run of the same delivery can be in flight together: each
// under its own claim, recorded by the statements the worker uses, driven here the way two racing
// runs drive them. Neither takes the other's attempt number, and only the owner of a claim records.

const fx = deliveryRowsFixture();
const STALE_MS = 45_000;

const attemptNos = async (deliveryId: string) =>
  (await fx.h.deps.db.execute<{ attempt_no: number; trigger: string }>(sql`SELECT attempt_no, trigger FROM attempts WHERE delivery_id = ${deliveryId} ORDER BY attempt_no`)).rows;
const row = async (id: string) =>
  (await fx.h.deps.db.execute<Record<string, unknown>>(sql`SELECT status, attempt_count, manual_attempt_count, manual_job_id FROM deliveries WHERE id = ${id}`)).rows[0]!;

async function askOperatorAttempt(delivery: { id: string }, endpointId: string): Promise<string> {
  const asked = await scheduleRedelivery(fx.h.deps.db, { workspaceId: fx.ws.id, endpointId, deliveryId: delivery.id, inFlightMs: STALE_MS });
  if (asked.outcome !== 'queued') throw new Error(`not queued: ${asked.outcome}`);
  return asked.jobId;
}

const operatorRecord = (claimed: ClaimedOperatorAttempt, succeeded: boolean) => {
  const { status: _status, retryDelayMs: _delay, ...record } = attemptRecord(claimed, { trigger: 'redeliver', statusCode: succeeded ? 200 : 500 });
  return { ...record, id: newId('attempt'), succeeded };
};

describe('an operator attempt beside a scheduled run', () => {
  it('both in flight and both failing: each records, under attempt numbers of its own', async () => {
    const endpointId = await fx.rows.newEndpoint();
    const delivery = await fx.rows.newDelivery(endpointId);
    const scheduled = await fx.rows.claim(delivery);
    const operator = (await claimOperatorAttempt(fx.h.deps.db, { deliveryId: delivery.id, jobId: await askOperatorAttempt(delivery, endpointId) }, STALE_MS))!;
    expect(operator.scheduledJobId).toBe(delivery.jobId);

    const [scheduledRecorded, operatorRecorded] = await Promise.all([
      recordAttempts(fx.h.deps.db, [attemptRecord(scheduled, { statusCode: 500, status: 'pending', retryDelayMs: 60_000 })]),
      recordOperatorAttempt(fx.h.deps.db, operatorRecord(operator, false)),
    ]);
    expect(scheduledRecorded).toEqual([true]);
    expect(operatorRecorded).toMatchObject({ previousStatus: 'pending', status: 'pending' });
    expect((await attemptNos(delivery.id)).map((a) => a.attempt_no)).toEqual([1, 2]);
    expect(await row(delivery.id)).toEqual({ status: 'pending', attempt_count: 1, manual_attempt_count: 1, manual_job_id: null });
  });

  it("an operator's success ends the delivery: the scheduled run in flight records nothing", async () => {
    const endpointId = await fx.rows.newEndpoint();
    const delivery = await fx.rows.newDelivery(endpointId);
    const scheduled = await fx.rows.claim(delivery);
    const operator = (await claimOperatorAttempt(fx.h.deps.db, { deliveryId: delivery.id, jobId: await askOperatorAttempt(delivery, endpointId) }, STALE_MS))!;
    expect(await recordOperatorAttempt(fx.h.deps.db, operatorRecord(operator, true))).toMatchObject({ attemptNo: 1, status: 'succeeded' });
    expect(await recordAttempts(fx.h.deps.db, [attemptRecord(scheduled, { statusCode: 500, status: 'pending', retryDelayMs: 60_000 })])).toEqual([false]);
    expect(await attemptNos(delivery.id)).toEqual([{ attempt_no: 1, trigger: 'redeliver' }]);
    expect(await row(delivery.id)).toMatchObject({ status: 'succeeded', attempt_count: 0, manual_attempt_count: 1 });
  });

  it('an operator attempt in flight is not claimed twice nor asked again; abandoned, a new request takes it over and the abandoned run records nothing', async () => {
    const endpointId = await fx.rows.newEndpoint();
    const delivery = await fx.rows.newDelivery(endpointId);
    const first = await askOperatorAttempt(delivery, endpointId);
    // Same attempt to come, same trigger: the same job (adding it again is a no-op).
    expect(await askOperatorAttempt(delivery, endpointId)).toBe(first);
    const claimed = (await claimOperatorAttempt(fx.h.deps.db, { deliveryId: delivery.id, jobId: first }, STALE_MS))!;
    // In flight: a second claim of the same job, or a new request, gets nothing.
    expect(await claimOperatorAttempt(fx.h.deps.db, { deliveryId: delivery.id, jobId: first }, STALE_MS)).toBeUndefined();
    expect((await scheduleRedelivery(fx.h.deps.db, { workspaceId: fx.ws.id, endpointId, deliveryId: delivery.id, inFlightMs: STALE_MS })).outcome).toBe('in_flight');
    // Abandoned (an abandonment time of 0 stands for "gone longer than that"): a new request takes it
    // over; the abandoned run then records nothing, and the job that runs again claims it afresh.
    await new Promise((r) => setTimeout(r, 5));
    const again = await scheduleRedelivery(fx.h.deps.db, { workspaceId: fx.ws.id, endpointId, deliveryId: delivery.id, inFlightMs: 0 });
    expect(again).toEqual({ outcome: 'queued', jobId: first });
    expect(await recordOperatorAttempt(fx.h.deps.db, operatorRecord(claimed, true))).toBeUndefined();
    expect(await attemptNos(delivery.id)).toEqual([]);
    expect(await row(delivery.id)).toMatchObject({ status: 'pending', manual_attempt_count: 0, manual_job_id: first });
    const rerun = (await claimOperatorAttempt(fx.h.deps.db, { deliveryId: delivery.id, jobId: first }, STALE_MS))!;
    expect(await recordOperatorAttempt(fx.h.deps.db, operatorRecord(rerun, false))).toMatchObject({ attemptNo: 1, status: 'pending' });
  });
});
