ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_event_id_events_id_fk";
--> statement-breakpoint
DROP INDEX "deliveries_endpoint_created_idx";