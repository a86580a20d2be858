-- The reconciler pages pending deliveries in (next_attempt_at, id) order; an index on next_attempt_at
-- alone made each page gather and sort every overdue row. Pending rows are few, so the partial index
-- is small and quick to build.
CREATE INDEX "deliveries_due_id_idx" ON "deliveries" USING btree ("next_attempt_at","id") WHERE "deliveries"."status" = 'pending';--> statement-breakpoint
DROP INDEX "deliveries_due_idx";
