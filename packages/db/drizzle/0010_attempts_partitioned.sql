-- Attempts become a table partitioned by ranges of id, a day each (see the schema for why id). The
-- existing table is not copied: it becomes the partition of every id before tomorrow (UTC), and
-- retention drops it whole once its newest attempt is past retention. Then a partition for each of the
-- next seven days, and a default one so an attempt is recorded even if the worker's maintenance has
-- not created its day yet (it creates them a week ahead, attempt-partitions.queries.ts).
--
-- A partitioned table's unique index must include the partition key, so (delivery_id, attempt_no) is
-- no longer unique in the database; the record statement keeps it so (see the schema).
CREATE FUNCTION pg_temp.attempt_id_floor(day timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  -- The smallest attempt id made at that instant (core's idBoundsAt: Crockford base32 of the epoch ms).
  SELECT 'att_' || string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',
           ((floor(extract(epoch FROM day) * 1000)::bigint >> (5 * (9 - i))) & 31)::int + 1, 1), '' ORDER BY i)
         || repeat('0', 16)
  FROM generate_series(0, 9) AS i
$$;--> statement-breakpoint
ALTER TABLE "attempts" RENAME TO "attempts_before_partitioning";--> statement-breakpoint
ALTER TABLE "attempts_before_partitioning" RENAME CONSTRAINT "attempts_pkey" TO "attempts_before_partitioning_pkey";--> statement-breakpoint
ALTER TABLE "attempts_before_partitioning" RENAME CONSTRAINT "attempts_delivery_id_deliveries_id_fk" TO "attempts_before_partitioning_delivery_id_fk";--> statement-breakpoint
ALTER INDEX "attempts_attempted_at_idx" RENAME TO "attempts_before_partitioning_attempted_at_idx";--> statement-breakpoint
-- A unique index cannot stand for the parent's plain one; the plain one is built in its place on attach.
DROP INDEX "attempts_delivery_attempt_uidx";--> statement-breakpoint
CREATE TABLE "attempts" (
	"id" text NOT NULL,
	"delivery_id" text NOT NULL,
	"attempt_no" integer NOT NULL,
	"trigger" text NOT NULL,
	"request_headers" jsonb NOT NULL,
	"status_code" integer,
	"response_headers" jsonb,
	"response_body" text,
	"response_body_truncated" boolean DEFAULT false NOT NULL,
	"response_body_size" integer,
	"response_time_ms" integer NOT NULL,
	"timings" jsonb,
	"error" text,
	"attempted_at" timestamp(3) with time zone NOT NULL,
	CONSTRAINT "attempts_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "attempts_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE cascade ON UPDATE no action
) PARTITION BY RANGE ("id");--> statement-breakpoint
CREATE INDEX "attempts_delivery_attempt_idx" ON "attempts" USING btree ("delivery_id","attempt_no");--> statement-breakpoint
CREATE INDEX "attempts_attempted_at_idx" ON "attempts" USING btree ("attempted_at");--> statement-breakpoint
DO $$
DECLARE
  tomorrow timestamptz := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 day';
BEGIN
  EXECUTE format('ALTER TABLE "attempts" ATTACH PARTITION "attempts_before_partitioning" FOR VALUES FROM (MINVALUE) TO (%L)',
                 pg_temp.attempt_id_floor(tomorrow));
  FOR d IN 0..6 LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "attempts" FOR VALUES FROM (%L) TO (%L)',
                   'attempts_p' || to_char((tomorrow + d * interval '1 day') AT TIME ZONE 'UTC', 'YYYYMMDD'),
                   pg_temp.attempt_id_floor(tomorrow + d * interval '1 day'),
                   pg_temp.attempt_id_floor(tomorrow + (d + 1) * interval '1 day'));
  END LOOP;
END $$;--> statement-breakpoint
CREATE TABLE "attempts_default" PARTITION OF "attempts" DEFAULT;
