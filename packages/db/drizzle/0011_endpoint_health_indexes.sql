-- Endpoint health read every delivery an endpoint was sent in its lookback and joined each to its
-- attempts, and joined every pending delivery to its last attempt, so its cost grew with the
-- endpoint's traffic and backlog (bench/RESULTS.md, "History at scale"). Each attempt now carries the
-- endpoint it counts towards (null for a test delivery's attempts), and two indexes that include what
-- health computes let it read only the window's attempts and the pending deliveries, from the indexes alone.
ALTER TABLE "attempts" ADD COLUMN "stats_endpoint_id" text;--> statement-breakpoint
-- Attempts older than the widest window (7 days) plus the default retry schedule (about 28 hours)
-- are outside every health read: only the last 9 days are filled in, before the index exists.
UPDATE "attempts" a SET "stats_endpoint_id" = d."endpoint_id"
FROM "deliveries" d
WHERE d."id" = a."delivery_id" AND NOT d."test" AND a."attempted_at" >= now() - interval '9 days';--> statement-breakpoint
CREATE INDEX "attempts_stats_endpoint_idx" ON "attempts" USING btree ("stats_endpoint_id","attempted_at") INCLUDE ("status_code","response_time_ms") WHERE "attempts"."stats_endpoint_id" IS NOT NULL;--> statement-breakpoint
-- Pending deliveries are few next to the history, so this partial index is small and quick to build.
CREATE INDEX "deliveries_endpoint_pending_idx" ON "deliveries" USING btree ("endpoint_id") INCLUDE ("attempt_count") WHERE "deliveries"."status" = 'pending' AND NOT "deliveries"."test";
