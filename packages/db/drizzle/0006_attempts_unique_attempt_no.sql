-- Attempts recorded twice under one number (a stalled run and its replacement both recorded, before the
-- record statement checked the claim) would stop the unique index below from being built. One row per
-- (delivery, attempt number) stays: the one the delivery's state was written with (its last_attempt_id),
-- else the earliest. The others were the same message sent again (same webhook-id, which receivers
-- deduplicate on); the attempt that counts toward the schedule is the one kept.
DELETE FROM "attempts" AS a
USING (
  SELECT dup.id, row_number() OVER (
           PARTITION BY dup.delivery_id, dup.attempt_no
           ORDER BY (dup.id = d.last_attempt_id) IS TRUE DESC, dup.attempted_at, dup.id
         ) AS rank
  FROM "attempts" AS dup
  JOIN "deliveries" AS d ON d.id = dup.delivery_id
  WHERE (dup.delivery_id, dup.attempt_no) IN (
    SELECT delivery_id, attempt_no FROM "attempts" GROUP BY delivery_id, attempt_no HAVING count(*) > 1
  )
) AS ranked
WHERE a.id = ranked.id AND ranked.rank > 1;--> statement-breakpoint
DROP INDEX "attempts_delivery_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "attempts_delivery_attempt_uidx" ON "attempts" USING btree ("delivery_id","attempt_no");
