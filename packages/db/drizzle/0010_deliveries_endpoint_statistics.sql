-- An endpoint belongs to one workspace, so `workspace_id = $1 AND endpoint_id = $2` matches as many rows
-- as `endpoint_id = $2` alone. Without being told, the planner multiplies the two selectivities as if
-- they were independent and expects a tiny fraction of the endpoint's deliveries (bench/RESULTS.md,
-- "History at scale"): on a time window that estimate picked the wrong plan. The functional
-- dependency statistics tell it; ANALYZE builds them now rather than at autovacuum's next visit.
CREATE STATISTICS IF NOT EXISTS "deliveries_workspace_endpoint_stats" (dependencies) ON "workspace_id", "endpoint_id" FROM "deliveries";--> statement-breakpoint
ANALYZE "deliveries";
