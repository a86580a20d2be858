import { sql } from 'drizzle-orm';
import type { Database } from '../client.js';

export interface DeliveryBacklog {
  /** Seconds since the oldest pending delivery became due (0 when none is due). */
  oldestDueAgeSeconds: number;
  /** Endpoints Dispatch disabled (410 Gone, or failing too long). */
  disabledEndpoints: number;
}

/**
 * Read when metrics are scraped, never per delivery. The oldest due delivery is the first entry of
 * the partial index on pending deliveries (`deliveries_due_id_idx`); its age is taken on the database's
 * clock, so an app host's clock cannot skew it. Endpoints are few next to deliveries and have no
 * index on `disabled_at`: the count reads them all, so sequential scans are allowed for this one
 * transaction. The worker's pool turns them off (createDb's keyedLookupsOnly), and there the count
 * was planned at a cost so high that Postgres JIT-compiled it: about 0.4 s of CPU on every scrape.
 */
export async function readDeliveryBacklog(db: Database): Promise<DeliveryBacklog> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL enable_seqscan = on`);
    const result = await tx.execute<{ oldest_due_age: number | string | null; disabled: number }>(sql`
      SELECT
        GREATEST(0, extract(epoch FROM now() - (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending')))::float8 AS oldest_due_age,
        (SELECT count(*) FROM endpoints WHERE disabled_at IS NOT NULL)::int AS disabled`);
    const row = result.rows[0];
    return { oldestDueAgeSeconds: Number(row?.oldest_due_age ?? 0), disabledEndpoints: Number(row?.disabled ?? 0) };
  });
}
