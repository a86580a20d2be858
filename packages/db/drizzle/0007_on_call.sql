DROP INDEX "replays_endpoint_args_uidx";--> statement-breakpoint
DROP INDEX "replays_workspace_idx";--> statement-breakpoint
ALTER TABLE "replays" ALTER COLUMN "endpoint_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "replays" ADD COLUMN "filters" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "events_workspace_idx" ON "events" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "deliveries_workspace_idx" ON "deliveries" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "deliveries_workspace_unhealthy_idx" ON "deliveries" USING btree ("workspace_id","id") WHERE "deliveries"."status" = 'failed' OR ("deliveries"."status" = 'pending' AND "deliveries"."attempt_count" > 0);--> statement-breakpoint
-- Replay keys were unique per endpoint; now per workspace (a replay may span the workspace). The
-- endpoint's id goes in front of each existing key, as new per-endpoint keys have it.
UPDATE "replays" SET "args_key" = "endpoint_id" || ':' || "args_key" WHERE "endpoint_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "replays_workspace_args_uidx" ON "replays" USING btree ("workspace_id","args_key");--> statement-breakpoint
CREATE INDEX "replays_endpoint_idx" ON "replays" USING btree ("endpoint_id");