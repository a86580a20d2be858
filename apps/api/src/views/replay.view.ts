import type { Replay } from '@dispatch/core/api';
import type { ReplayRow } from '@dispatch/db';
import { iso } from './time.js';

export function replayView(row: ReplayRow): Replay {
  return {
    id: row.id,
    status: row.status,
    selection: row.statusFilter,
    count: row.count,
    done: row.done,
    succeeded: row.done - row.failed,
    failed: row.failed,
    since: iso(row.since),
    until: iso(row.until),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
