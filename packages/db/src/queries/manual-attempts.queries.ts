import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { EndpointKind, ReplaySelection } from '@dispatch/core/api';
import { operatorJobId } from '@dispatch/core';
import type { Db } from '../client.js';
import { attempts, deliveries } from '../schema/index.js';
import { deliveriesCreatedWithin } from './created-within.js';
import { lastStatusCode, stillFailing } from './delivery-conditions.js';

// Attempts an operator asks for (redeliver, replay). Each is queued beside the delivery's schedule
// (the row's manual_* columns, see schema/deliveries.ts): the scheduled job keeps its id, its due
// time and its attempt count, so an operator's attempt never costs the schedule. A new request
// takes over one that is queued and not started (its job then finds it no longer owns the attempt).

export type RedeliverResult = { outcome: 'queued'; jobId: string } | { outcome: 'not_found' } | { outcome: 'in_flight' };

/** Queues an operator's attempt of the same message now, whatever the delivery's state; its schedule is untouched. */
export async function scheduleRedelivery(
  db: Db,
  input: { workspaceId: string; endpointId: string; deliveryId: string; inFlightMs: number },
): Promise<RedeliverResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        manualAttemptCount: deliveries.manualAttemptCount,
        inFlight: sql<boolean>`(${deliveries.manualStartedAt} IS NOT NULL AND ${deliveries.manualStartedAt} > now() - make_interval(secs => ${input.inFlightMs / 1000}))`,
      })
      .from(deliveries)
      .where(and(eq(deliveries.id, input.deliveryId), eq(deliveries.workspaceId, input.workspaceId), eq(deliveries.endpointId, input.endpointId)))
      .for('update');
    if (!row) return { outcome: 'not_found' };
    if (row.inFlight) return { outcome: 'in_flight' };
    const jobId = operatorJobId(input.deliveryId, row.manualAttemptCount + 1, 'redeliver');
    await tx
      .update(deliveries)
      .set({ manualJobId: jobId, manualQueuedAt: sql`now()`, manualStartedAt: null, replayId: null, updatedAt: sql`now()` })
      .where(eq(deliveries.id, input.deliveryId));
    return { outcome: 'queued', jobId };
  });
}

export interface ReplayCriteria {
  workspaceId: string;
  /** One endpoint's deliveries; else the workspace's, narrowed by the filters below. */
  endpointId?: string | null | undefined;
  /** The endpoint kinds the replay may touch (the caller's write scopes). */
  targetKinds: readonly EndpointKind[];
  eventType?: string | undefined;
  /** The last attempt's status: `500` or a class such as `5xx`. */
  statusCode?: string | undefined;
  since: Date;
  until: Date;
  selection: ReplaySelection;
  limit: number;
}

// What each selection re-sends. `failing` is everything not delivered whose last attempt failed:
// finished (failed) or still retrying. Pending deliveries that have not failed are on their way.
function selected(selection: ReplaySelection): SQL | undefined {
  if (selection === 'failed') return eq(deliveries.status, 'failed');
  if (selection === 'failing') return or(eq(deliveries.status, 'failed'), stillFailing);
  return or(inArray(deliveries.status, ['failed', 'succeeded', 'cancelled']), stillFailing);
}

function replayable(criteria: ReplayCriteria) {
  return and(
    eq(deliveries.workspaceId, criteria.workspaceId),
    criteria.endpointId ? eq(deliveries.endpointId, criteria.endpointId) : undefined,
    inArray(deliveries.endpointKind, [...criteria.targetKinds]),
    criteria.eventType ? eq(deliveries.eventType, criteria.eventType) : undefined,
    eq(deliveries.test, false),
    selected(criteria.selection),
    lastStatusCode(criteria.statusCode),
    deliveriesCreatedWithin(criteria.since, criteria.until),
  );
}

/** The deliveries a replay would take, joined to their last attempt (selections and filters read it). */
const replayCandidates = (db: Db, criteria: ReplayCriteria) =>
  db
    .select({ id: deliveries.id, endpointId: deliveries.endpointId, manualAttemptCount: deliveries.manualAttemptCount })
    .from(deliveries)
    .leftJoin(attempts, eq(attempts.id, deliveries.lastAttemptId))
    .where(replayable(criteria));

export async function countReplayable(db: Db, criteria: ReplayCriteria): Promise<number> {
  if (criteria.targetKinds.length === 0) return 0;
  const capped = replayCandidates(db, criteria).limit(criteria.limit).as('capped');
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(capped);
  return row?.n ?? 0;
}

export interface ReplayedDelivery {
  id: string;
  endpointId: string;
  jobId: string;
}

/**
 * Hands the matching deliveries (oldest first, at most `limit`) to operator's attempts: one each,
 * beside their schedule (a delivery still retrying keeps it; a finished one gets just the one).
 */
export async function markForReplay(db: Db, replayId: string, criteria: ReplayCriteria): Promise<ReplayedDelivery[]> {
  if (criteria.targetKinds.length === 0) return [];
  return db.transaction(async (tx) => {
    const rows = await replayCandidates(tx, criteria)
      // Ids sort by creation time (created-within.ts), and the indexes hold ids, not created_at.
      .orderBy(deliveries.id)
      .limit(criteria.limit)
      .for('update', { of: deliveries, skipLocked: true });
    const marked = rows.map((row) => ({ id: row.id, endpointId: row.endpointId, jobId: operatorJobId(row.id, row.manualAttemptCount + 1, 'replay') }));
    if (marked.length === 0) return [];
    await tx.execute(sql`
      UPDATE ${deliveries} AS d SET manual_job_id = u.job_id, manual_queued_at = now(), manual_started_at = NULL,
        replay_id = ${replayId}, updated_at = now()
      FROM unnest(${sql.param(marked.map((m) => m.id))}::text[], ${sql.param(marked.map((m) => m.jobId))}::text[]) AS u(id, job_id)
      WHERE d.id = u.id`);
    return marked;
  });
}
