import { expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { findOverdueDeliveries, type OverdueCursor } from '@dispatch/db';
import { deliveryRowsFixture } from '../../../test-support/delivery-rows.js';

// The reconciler pages overdue deliveries in (due time, id) order, each page starting where the last
// one ended: every overdue delivery comes exactly once, also when many share a due time (a burst
// ingested in one millisecond, or a whole backlog whose jobs Redis lost at once).

const fx = deliveryRowsFixture();

it('pages every overdue delivery once, in due-time then id order, ties split across pages', async () => {
  const endpointId = await fx.rows.newEndpoint();
  const created: { id: string }[] = [];
  for (let i = 0; i < 8; i += 1) created.push(await fx.rows.newDelivery(endpointId));
  // Three due times for seven of them (ties of three and two), the eighth not yet overdue.
  const dueAgo = [3_600_000, 3_600_000, 3_600_000, 600_000, 600_000, 1_200_000, 7_200_000];
  const base = Date.now();
  for (const [i, ago] of dueAgo.entries()) {
    await fx.h.deps.db.execute(sql`UPDATE deliveries SET next_attempt_at = ${new Date(base - ago).toISOString()} WHERE id = ${created[i]!.id}`);
  }
  const expected = dueAgo
    .map((ago, i) => ({ due: base - ago, id: created[i]!.id }))
    .sort((a, b) => a.due - b.due || (a.id < b.id ? -1 : 1))
    .map((row) => row.id);

  const seen: string[] = [];
  let after: OverdueCursor | undefined;
  for (;;) {
    const page = await findOverdueDeliveries(fx.h.deps.db, { staleMs: 60_000, attemptStaleMs: 60_000, limit: 2, after });
    if (page.length === 0) break;
    seen.push(...page.map((row) => row.id));
    const last = page[page.length - 1]!;
    after = { nextAttemptAt: last.nextAttemptAt, id: last.id };
  }
  expect(seen).toEqual(expected);
});
