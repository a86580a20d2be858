import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { replays } from '../schema/index.js';

export type ReplayRow = typeof replays.$inferSelect;

/** Inserts the replay, or returns the one already made with the same arguments (`created: false`). */
export async function insertReplay(db: Db, values: typeof replays.$inferInsert): Promise<{ row: ReplayRow; created: boolean }> {
  const [inserted] = await db.insert(replays).values(values).onConflictDoNothing({ target: [replays.endpointId, replays.argsKey] }).returning();
  if (inserted) return { row: inserted, created: true };
  const [existing] = await db
    .select()
    .from(replays)
    .where(and(eq(replays.endpointId, values.endpointId), eq(replays.argsKey, values.argsKey)));
  return { row: existing!, created: false };
}

export async function findReplay(db: Db, input: { workspaceId: string; endpointId: string; replayId: string }): Promise<ReplayRow | undefined> {
  const [row] = await db
    .select()
    .from(replays)
    .where(and(eq(replays.id, input.replayId), eq(replays.workspaceId, input.workspaceId), eq(replays.endpointId, input.endpointId)));
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
