ALTER TABLE "deliveries" ADD COLUMN "manual_job_id" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "manual_queued_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "manual_started_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "manual_attempt_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "deliveries_manual_queued_idx" ON "deliveries" USING btree ("manual_queued_at") WHERE "deliveries"."manual_job_id" IS NOT NULL;