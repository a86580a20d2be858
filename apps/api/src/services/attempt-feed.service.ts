import type { AttemptError, AttemptFeedItem, AttemptTrigger } from '@dispatch/core/api';
import { listAttemptFeed, type AttemptFeedRow } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { viewStatus } from '../views/delivery.view.js';
import { iso, isoOrNull } from '../views/time.js';
import type { WorkspaceCaller } from './deliveries.service.js';

// Without `after`, the feed starts with the most recent attempts of this long ago at most.
const RECENT_MS = 24 * 3_600_000;

function feedItem(row: AttemptFeedRow): AttemptFeedItem {
  const lastAttempt = row.lastAttemptId ? { statusCode: row.lastStatusCode } : null;
  return {
    id: row.id,
    deliveryId: row.deliveryId,
    eventId: row.eventId,
    eventType: row.eventType,
    target: { kind: row.endpointKind, id: row.endpointId },
    attemptNo: row.attemptNo,
    trigger: row.trigger as AttemptTrigger,
    statusCode: row.statusCode,
    error: row.error as AttemptError | null,
    responseTimeMs: row.responseTimeMs,
    attemptedAt: iso(row.attemptedAt),
    deliveryStatus: viewStatus({ status: row.deliveryStatus, lastAttempt }),
    nextAttemptAt: row.deliveryStatus === 'pending' ? isoOrNull(row.nextAttemptAt) : null,
  };
}

/** The workspace's attempts after `after` (oldest first); `last` is where the next call goes on from. */
export async function listAttemptFeedPage(deps: ApiDeps, caller: WorkspaceCaller, query: { after?: string | undefined; limit: number }) {
  const rows = await listAttemptFeed(deps.db, { workspaceId: caller.workspaceId, kinds: caller.readableKinds, after: query.after, limit: query.limit, recentMs: RECENT_MS });
  return { data: rows.map(feedItem), last: rows[rows.length - 1]?.id ?? query.after ?? null };
}
