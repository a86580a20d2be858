-- Attempts went with their delivery through a cascading foreign key: a lookup of the delivery for
-- every attempt written, and on delete one cascade query per delivery, which was most of retention's
-- time (bench/RESULTS.md, "History at scale"). Attempts are only written by the statement that updates
-- their delivery, so the key guards nothing there; deleting is done by one statement-level trigger,
-- one set-based DELETE of the deleted deliveries' attempts per statement, whatever deleted them:
-- retention, or an endpoint, link or workspace deleted (their cascades into deliveries fire it too).
CREATE FUNCTION "delete_attempts_of_deleted_deliveries"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "attempts" WHERE "delivery_id" IN (SELECT "id" FROM "deleted_deliveries");
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "deliveries_delete_their_attempts" AFTER DELETE ON "deliveries"
  REFERENCING OLD TABLE AS "deleted_deliveries"
  FOR EACH STATEMENT EXECUTE FUNCTION "delete_attempts_of_deleted_deliveries"();--> statement-breakpoint
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_delivery_id_deliveries_id_fk";
