import { idBoundsAt } from '@dispatch/core';
import type { DeliveryStatus, EndpointKind } from '@dispatch/core/api';
import type { Db } from '../client.js';
import { clientOf } from './named-statements.js';

// The workspace's attempts in the order they were made (attempt ids are time-sortable), for
// following them as they happen (`dispatch tail`). Attempts have no workspace column: each is joined
// to its delivery, which says the workspace and what the attempt was of.

export interface AttemptFeedRow {
  id: string;
  deliveryId: string;
  attemptNo: number;
  trigger: string;
  statusCode: number | null;
  error: string | null;
  responseTimeMs: number;
  attemptedAt: Date;
  eventId: string;
  eventType: string;
  endpointKind: EndpointKind;
  endpointId: string;
  deliveryStatus: DeliveryStatus;
  nextAttemptAt: Date | null;
  /** The delivery's last attempt's status (null without an answer), to tell failing from pending. */
  lastStatusCode: number | null;
  lastAttemptId: string | null;
}

const COLUMNS = `a.id, a.delivery_id, a.attempt_no, a.trigger, a.status_code, a.error, a.response_time_ms, a.attempted_at,
  d.event_id, d.event_type, d.endpoint_kind, d.endpoint_id, d.status, d.next_attempt_at, d.last_attempt_id, la.status_code AS last_status_code`;
const FROM = `FROM attempts a JOIN deliveries d ON d.id = a.delivery_id LEFT JOIN attempts la ON la.id = d.last_attempt_id
  WHERE d.workspace_id = $1 AND d.endpoint_kind = ANY($2::text[])`;

function toRow(row: Record<string, unknown>): AttemptFeedRow {
  return {
    id: row.id as string,
    deliveryId: row.delivery_id as string,
    attemptNo: row.attempt_no as number,
    trigger: row.trigger as string,
    statusCode: (row.status_code as number | null) ?? null,
    error: (row.error as string | null) ?? null,
    responseTimeMs: row.response_time_ms as number,
    attemptedAt: row.attempted_at as Date,
    eventId: row.event_id as string,
    eventType: row.event_type as string,
    endpointKind: row.endpoint_kind as EndpointKind,
    endpointId: row.endpoint_id as string,
    deliveryStatus: row.status as DeliveryStatus,
    nextAttemptAt: (row.next_attempt_at as Date | null) ?? null,
    lastStatusCode: (row.last_status_code as number | null) ?? null,
    lastAttemptId: (row.last_attempt_id as string | null) ?? null,
  };
}

/**
 * Attempts after `after` (oldest first), or without it the most recent ones of the last `recentMs`
 * (still oldest first, so a follower prints them in order and continues from the last).
 */
export async function listAttemptFeed(
  db: Db,
  input: { workspaceId: string; kinds: readonly EndpointKind[]; after?: string | undefined; limit: number; recentMs: number },
): Promise<AttemptFeedRow[]> {
  if (input.kinds.length === 0) return [];
  const client = clientOf(db);
  if (input.after !== undefined) {
    const result = await client.query<Record<string, unknown>>({
      text: `SELECT ${COLUMNS} ${FROM} AND a.id > $3 ORDER BY a.id LIMIT $4`,
      values: [input.workspaceId, [...input.kinds], input.after, input.limit],
    });
    return result.rows.map(toRow);
  }
  const result = await client.query<Record<string, unknown>>({
    text: `SELECT ${COLUMNS} ${FROM} AND a.id >= $3 ORDER BY a.id DESC LIMIT $4`,
    values: [input.workspaceId, [...input.kinds], idBoundsAt('attempt', Date.now() - input.recentMs).lowest, input.limit],
  });
  return result.rows.map(toRow).reverse();
}
