import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { endpoints } from '../schema/index.js';

// Re-sealing: every sealed value (webhook secret, previous secret, custom headers) moved under the
// key ring's first key, and plaintext custom headers left by an upgrade sealed. `currentPrefix` is
// what every value sealed under the first key starts with (SecretBox.currentPrefix).

/** Sealed values and plaintext custom headers (total), and those already under the first key (current). */
export async function countSealedValues(db: Db, input: { currentPrefix: string }): Promise<{ total: number; current: number }> {
  const p = input.currentPrefix;
  const result = await db.execute<{ total: number; current: number }>(sql`
    SELECT (count(*) + count(previous_secret_sealed) + count(headers_sealed) + count(headers))::int AS total,
           (count(*) FILTER (WHERE starts_with(secret_sealed, ${p}))
            + count(*) FILTER (WHERE starts_with(previous_secret_sealed, ${p}))
            + count(*) FILTER (WHERE starts_with(headers_sealed, ${p})))::int AS current
    FROM ${endpoints}`);
  const row = result.rows[0]!;
  return { total: Number(row.total), current: Number(row.current) };
}

export interface EndpointToReseal {
  id: string;
  secretSealed: string;
  previousSecretSealed: string | null;
  headersSealed: string | null;
  plaintextHeaders: Record<string, string> | null;
}

/**
 * Locks up to `limit` endpoints with a value not under the first key (or, with
 * `plaintextHeadersOnly`, with plaintext custom headers), in id order. Call inside a transaction:
 * the rows stay locked until it ends, and rows another re-seal holds are skipped, so two of them
 * never take the same row and neither waits for the other.
 */
export async function lockEndpointsToReseal(
  tx: Db,
  input: { currentPrefix: string; limit: number; plaintextHeadersOnly?: boolean },
): Promise<EndpointToReseal[]> {
  const p = input.currentPrefix;
  const stale = input.plaintextHeadersOnly
    ? sql`headers IS NOT NULL`
    : sql`NOT starts_with(secret_sealed, ${p}) OR NOT starts_with(previous_secret_sealed, ${p})
          OR NOT starts_with(headers_sealed, ${p}) OR headers IS NOT NULL`;
  const result = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, secret_sealed, previous_secret_sealed, headers_sealed, headers
    FROM ${endpoints}
    WHERE ${stale}
    ORDER BY id
    LIMIT ${input.limit}
    FOR UPDATE SKIP LOCKED`);
  return result.rows.map((row) => ({
    id: row.id as string,
    secretSealed: row.secret_sealed as string,
    previousSecretSealed: (row.previous_secret_sealed as string | null) ?? null,
    headersSealed: (row.headers_sealed as string | null) ?? null,
    plaintextHeaders: (row.headers as Record<string, string> | null) ?? null,
  }));
}

export type ResealedColumns = Partial<Pick<typeof endpoints.$inferInsert, 'secretSealed' | 'previousSecretSealed' | 'headersSealed' | 'headersMasked' | 'plaintextHeaders'>>;

/** Writes re-sealed values of a locked row. `updated_at` stays: nothing a user sees has changed. */
export async function writeResealedEndpoint(tx: Db, id: string, columns: ResealedColumns): Promise<void> {
  await tx.update(endpoints).set(columns).where(eq(endpoints.id, id));
}
