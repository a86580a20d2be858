import pg from 'pg';
import type { Receiver } from './receiver.js';

// What the fault tests assert after the fault: read straight from the test run's Postgres (never
// through the service under test or a proxy in front of it) and from what the receiver saw.

export interface DeliveryRow {
  id: string;
  eventId: string;
  endpointId: string;
  status: string;
  attemptCount: number;
  attempts: number;
  distinctAttemptNos: number;
}

export class Ledger {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  }

  async deliveries(workspaceId: string): Promise<DeliveryRow[]> {
    const { rows } = await this.pool.query(
      // Every attempt recorded: the schedule's and the operator's (which the schedule does not count).
      `SELECT d.id, d.event_id, d.endpoint_id, d.status, d.attempt_count + d.manual_attempt_count AS attempt_count,
              count(a.id)::int AS attempts, count(DISTINCT a.attempt_no)::int AS distinct_attempt_nos
       FROM deliveries d LEFT JOIN attempts a ON a.delivery_id = d.id
       WHERE d.workspace_id = $1 GROUP BY d.id ORDER BY d.id`,
      [workspaceId],
    );
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      endpointId: r.endpoint_id,
      status: r.status,
      attemptCount: r.attempt_count,
      attempts: r.attempts,
      distinctAttemptNos: r.distinct_attempt_nos,
    }));
  }

  async pendingCount(workspaceId: string): Promise<number> {
    // An operator's attempt asked for is still to come, whatever the delivery's state.
    const { rows } = await this.pool.query(
      `SELECT count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND (status = 'pending' OR manual_job_id IS NOT NULL)`,
      [workspaceId],
    );
    return rows[0].n;
  }

  /**
   * Waits up to `timeoutMs` for the workspace to have no pending delivery (or for `stop` to say
   * there is no point waiting); returns how many are still pending, so a failure shows the number.
   */
  async settle(workspaceId: string, timeoutMs: number, stop: () => boolean = () => false): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = await this.pendingCount(workspaceId);
      if (pending === 0 || stop() || Date.now() > deadline) return pending;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Deliveries claimed for an attempt that has not been recorded yet. */
  async inFlightCount(workspaceId: string): Promise<number> {
    const { rows } = await this.pool.query(
      `SELECT count(*)::int AS n FROM deliveries WHERE workspace_id = $1 AND status = 'pending' AND attempt_started_at IS NOT NULL`,
      [workspaceId],
    );
    return rows[0].n;
  }

  async eventIds(workspaceId: string): Promise<string[]> {
    const { rows } = await this.pool.query(`SELECT id FROM events WHERE workspace_id = $1`, [workspaceId]);
    return rows.map((r) => r.id);
  }

  /** Attempts recorded for these deliveries, as `deliveryId/attemptNo` keys with their webhook-timestamp. */
  async attempts(workspaceId: string): Promise<{ deliveryId: string; eventId: string; endpointId: string; attemptNo: number; timestamp: string }[]> {
    const { rows } = await this.pool.query(
      `SELECT a.delivery_id, d.event_id, d.endpoint_id, a.attempt_no, a.request_headers->>'webhook-timestamp' AS ts
       FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.workspace_id = $1`,
      [workspaceId],
    );
    return rows.map((r) => ({ deliveryId: r.delivery_id, eventId: r.event_id, endpointId: r.endpoint_id, attemptNo: r.attempt_no, timestamp: r.ts }));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Attempts that are counted wrong: a delivery whose attempt_count differs from its attempts rows,
 * or with an attempt_no recorded twice. Empty when every attempt is counted exactly once.
 */
export function miscounted(rows: readonly DeliveryRow[]): DeliveryRow[] {
  return rows.filter((r) => r.attempts !== r.attemptCount || r.distinctAttemptNos !== r.attempts);
}

export interface ReceiptReport {
  /** `eventId path` pairs that the receiver never got. */
  missing: string[];
  /** Requests beyond the first for the same (event, path). */
  duplicates: number;
  /** Requests whose webhook-id differs from the message they carry. */
  mismatchedIds: number;
}

/** Checks that the receiver got every event on every path, and that repeats carry the message's webhook-id. */
export function receipts(receiver: Receiver, eventIds: readonly string[], paths: readonly string[]): ReceiptReport {
  const seen = new Map<string, number>();
  let mismatchedIds = 0;
  for (const request of receiver.requests) {
    if (!paths.includes(request.path)) continue;
    const messageId = (JSON.parse(request.body) as { id: string }).id;
    if (request.headers['webhook-id'] !== messageId) mismatchedIds += 1;
    const key = `${messageId} ${request.path}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const missing = eventIds.flatMap((id) => paths.map((path) => `${id} ${path}`)).filter((key) => !seen.has(key));
  const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  return { missing, duplicates, mismatchedIds };
}

export interface DeliveryOutcome extends ReceiptReport {
  deliveries: number;
  /** Deliveries not `succeeded`. */
  notSucceeded: DeliveryRow[];
  miscounted: DeliveryRow[];
}

/** What became of a workspace's messages: its deliveries in Postgres, and what the receiver got on `paths`. */
export async function deliveryOutcome(
  ledger: Ledger, workspaceId: string, receiver: Receiver, eventIds: readonly string[], paths: readonly string[],
): Promise<DeliveryOutcome> {
  const rows = await ledger.deliveries(workspaceId);
  return { deliveries: rows.length, notSucceeded: rows.filter((r) => r.status !== 'succeeded'), miscounted: miscounted(rows), ...receipts(receiver, eventIds, paths) };
}

/** For `toMatchObject`: every one of `deliveries` succeeded, each attempt counted once, nothing missing, repeats only with the same webhook-id. */
export const deliveredOnce = (deliveries: number) => ({ deliveries, notSucceeded: [], miscounted: [], missing: [], mismatchedIds: 0 });
