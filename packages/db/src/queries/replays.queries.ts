import { and, eq, inArray, like, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { replays } from '../schema/index.js';

export type ReplayRow = typeof replays.$inferSelect;

/** Inserts the replay, or returns the one already made with the same arguments (`created: false`). */
// `argsKey` is unique within the workspace; it names the endpoint (or the workspace's filters) and
// the arguments, so the same request finds the same replay.
export async function insertReplay(db: Db, values: typeof replays.$inferInsert): Promise<{ row: ReplayRow; created: boolean }> {
  const [inserted] = await db.insert(replays).values(values).onConflictDoNothing({ target: [replays.workspaceId, replays.argsKey] }).returning();
  if (inserted) return { row: inserted, created: true };
  const [existing] = await db
    .select()
    .from(replays)
    .where(and(eq(replays.workspaceId, values.workspaceId), eq(replays.argsKey, values.argsKey)));
  return { row: existing!, created: false };
}

/**
 * An open-ended replay (no `until`) is the same request as an earlier one only while that one is
 * queued or running: once it finished, asking again is a new replay, which also takes what failed
 * since. Its key is `keyPrefix` + its id; the calls for one prefix take turns on a transaction-scoped
 * advisory lock, so concurrent calls still make one replay.
 */
export async function insertOpenEndedReplay(
  db: Db,
  values: typeof replays.$inferInsert & { id: string },
  keyPrefix: string,
): Promise<{ row: ReplayRow; created: boolean }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`replay:${values.workspaceId}:${keyPrefix}`}, 0))`);
    const [active] = await tx
      .select()
      .from(replays)
      .where(and(eq(replays.workspaceId, values.workspaceId), like(replays.argsKey, `${keyPrefix}%`), inArray(replays.status, ['queued', 'running'])))
      .limit(1);
    if (active) return { row: active, created: false };
    const [inserted] = await tx.insert(replays).values({ ...values, argsKey: `${keyPrefix}${values.id}` }).returning();
    return { row: inserted!, created: true };
  });
}

/** A replay of the workspace; of one endpoint when `endpointId` is given. */
export async function findReplay(db: Db, input: { workspaceId: string; endpointId?: string; replayId: string }): Promise<ReplayRow | undefined> {
  const [row] = await db
    .select()
    .from(replays)
    .where(
      and(
        eq(replays.id, input.replayId),
        eq(replays.workspaceId, input.workspaceId),
        input.endpointId === undefined ? undefined : eq(replays.endpointId, input.endpointId),
      ),
    );
  return row;
}

export async function findReplayById(db: Db, replayId: string): Promise<ReplayRow | undefined> {
  const [row] = await db.select().from(replays).where(eq(replays.id, replayId));
  return row;
}

/** The worker fixed the set: its size is the count progress is measured against. */
export async function startReplay(db: Db, replayId: string, count: number): Promise<void> {
  await db
    .update(replays)
    .set({ count, status: count === 0 ? 'completed' : 'running', updatedAt: sql`now()` })
    .where(eq(replays.id, replayId));
}

/** One replayed delivery finished its attempt. */
export async function recordReplayOutcome(db: Db, replayId: string, succeeded: boolean): Promise<void> {
  await db.execute(sql`
    UPDATE ${replays} SET done = done + 1, failed = failed + ${succeeded ? 0 : 1},
      status = CASE WHEN done + 1 >= count THEN 'completed' ELSE status END, updated_at = now()
    WHERE id = ${replayId}`);
}

/** Replays accepted but never started (their job was lost with Redis): the reconciler queues them again. */
export async function findStaleQueuedReplays(db: Db, staleMs: number): Promise<string[]> {
  const rows = await db
    .select({ id: replays.id })
    .from(replays)
    .where(and(eq(replays.status, 'queued'), sql`${replays.createdAt} < now() - make_interval(secs => ${staleMs / 1000})`))
    .limit(1000);
  return rows.map((r) => r.id);
}
