import { and, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import { attempts, deliveries } from '../schema/index.js';

// What the delivery lists and replay's selection mean by a delivery's state and its last attempt's
// status, in one place. Conditions on `attempts` need the last attempt joined on
// `attempts.id = deliveries.last_attempt_id`.

/** Its last attempt (the joined row) failed. */
export const lastAttemptFailed = sql`(${attempts.id} IS NOT NULL AND (${attempts.statusCode} IS NULL OR ${attempts.statusCode} NOT BETWEEN 200 AND 299))`;

/**
 * Still retrying after a failed attempt: shown as `failing` (stored: pending). A pending delivery the
 * schedule has attempted failed last, since any successful attempt ends a delivery, so this is said
 * without a condition on the joined attempt: the planner cannot know the two agree, took the attempt's
 * condition as rare, expected fewer matches than a page and read an endpoint's every pending delivery
 * before sorting (bench/RESULTS.md, "History at scale"). The partial index of unhealthy deliveries
 * serves it for the workspace-wide list.
 */
export const stillFailing = and(eq(deliveries.status, 'pending'), sql`${deliveries.attemptCount} > 0`)!;

/** The last attempt's status: `500`, or a class such as `5xx`. */
export function lastStatusCode(code: string | undefined): SQL | undefined {
  if (code === undefined) return undefined;
  const klass = /^([1-5])xx$/.exec(code);
  if (!klass) return eq(attempts.statusCode, Number(code));
  const floor = Number(klass[1]) * 100;
  return and(gte(attempts.statusCode, floor), lte(attempts.statusCode, floor + 99));
}
