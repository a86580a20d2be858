ALTER TABLE "endpoints" ALTER COLUMN "headers" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "endpoints" ALTER COLUMN "headers" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "endpoints" ADD COLUMN "headers_sealed" text;--> statement-breakpoint
ALTER TABLE "endpoints" ADD COLUMN "headers_masked" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "endpoints_previous_secret_expires_idx" ON "endpoints" USING btree ("previous_secret_expires_at") WHERE "endpoints"."previous_secret_expires_at" IS NOT NULL;--> statement-breakpoint
-- Data fix (custom SQL below drizzle's statements). Custom headers are secrets from now on. SQL cannot
-- seal them (that needs the encryption key): reads show the masked map at once, and migrate.js (apps/api)
-- seals the plaintext left in "headers" right after the migrations and sets it NULL. The mask is
-- core's maskHeaderValue (custom-headers.ts): 8 bullets, then the last 4 characters only of a value of
-- 20 characters or more. Stored attempts keep their header names with masked values, except Dispatch's
-- own headers. Each statement can run again: a masked value starts with the bullets and is left alone.
UPDATE "endpoints" SET "headers" = NULL WHERE "headers" = '{}'::jsonb;--> statement-breakpoint
UPDATE "endpoints" e SET "headers_masked" = (
  SELECT COALESCE(jsonb_object_agg(h.key, CASE
    WHEN h.value LIKE '••••••••%' THEN h.value
    WHEN length(h.value) >= 20 THEN '••••••••' || right(h.value, 4)
    ELSE '••••••••' END), '{}'::jsonb)
  FROM jsonb_each_text(e."headers") h)
WHERE e."headers" IS NOT NULL;--> statement-breakpoint
UPDATE "attempts" a SET "request_headers" = (
  SELECT jsonb_object_agg(h.key, CASE
    WHEN lower(h.key) IN ('content-type', 'user-agent') OR lower(h.key) LIKE 'webhook-%' OR lower(h.key) LIKE 'svix-%' THEN h.value
    WHEN h.value LIKE '••••••••%' THEN h.value
    WHEN length(h.value) >= 20 THEN '••••••••' || right(h.value, 4)
    ELSE '••••••••' END)
  FROM jsonb_each_text(a."request_headers") h)
WHERE EXISTS (
  SELECT 1 FROM jsonb_each_text(a."request_headers") h
  WHERE NOT (lower(h.key) IN ('content-type', 'user-agent') OR lower(h.key) LIKE 'webhook-%' OR lower(h.key) LIKE 'svix-%')
    AND h.value NOT LIKE '••••••••%');
