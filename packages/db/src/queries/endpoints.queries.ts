import { and, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { endpoints, type EndpointKind } from '../schema/index.js';
import { cursorCondition, newestFirst, toPage, type Page, type PageInput } from './pagination.js';

/** Which endpoints a caller may see: its workspace, one kind, and for link webhooks one link. */
export interface EndpointScope {
  workspaceId: string;
  kind: EndpointKind;
  linkId?: string | undefined;
}

// Sealed secrets and headers are deliberately absent: API reads can never leak them (custom
// headers are read as their masked map).
const endpointColumns = {
  id: endpoints.id,
  workspaceId: endpoints.workspaceId,
  kind: endpoints.kind,
  linkId: endpoints.linkId,
  name: endpoints.name,
  description: endpoints.description,
  url: endpoints.url,
  eventTypes: endpoints.eventTypes,
  filter: endpoints.filter,
  headersMasked: endpoints.headersMasked,
  enabled: endpoints.enabled,
  secretHint: endpoints.secretHint,
  previousSecretExpiresAt: endpoints.previousSecretExpiresAt,
  disabledAt: endpoints.disabledAt,
  disabledReason: endpoints.disabledReason,
  consecutiveFailures: endpoints.consecutiveFailures,
  createdAt: endpoints.createdAt,
  updatedAt: endpoints.updatedAt,
};
export type EndpointRow = { [K in keyof typeof endpointColumns]: (typeof endpoints.$inferSelect)[K] };

function inScope(scope: EndpointScope, id?: string) {
  return and(
    eq(endpoints.workspaceId, scope.workspaceId),
    eq(endpoints.kind, scope.kind),
    scope.linkId === undefined ? undefined : eq(endpoints.linkId, scope.linkId),
    id === undefined ? undefined : eq(endpoints.id, id),
  );
}

export async function insertEndpoint(db: Db, values: typeof endpoints.$inferInsert): Promise<EndpointRow> {
  const [row] = await db.insert(endpoints).values(values).returning(endpointColumns);
  return row!;
}

export async function findEndpoint(db: Db, scope: EndpointScope, id: string): Promise<EndpointRow | undefined> {
  const [row] = await db.select(endpointColumns).from(endpoints).where(inScope(scope, id));
  return row;
}

export async function listEndpoints(db: Db, scope: EndpointScope, page: PageInput): Promise<Page<EndpointRow>> {
  const rows = await db
    .select(endpointColumns)
    .from(endpoints)
    .where(and(inScope(scope), cursorCondition(endpoints.id, page.cursor)))
    .orderBy(newestFirst(endpoints.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export type EndpointPatch = Partial<
  Pick<typeof endpoints.$inferInsert, 
    | 'name'
    | 'description'
    | 'url'
    | 'urlNormalized'
    | 'eventTypes'
    | 'filter'
    | 'headersSealed'
    | 'headersMasked'
    | 'plaintextHeaders'
    | 'enabled'
    | 'disabledAt'
    | 'disabledReason'
    | 'consecutiveFailures'
    | 'failingSince'
  >
>;

/**
 * `updated_at` is the version the API's fan-out cache is checked against (insertEventsWithDeliveries),
 * so every update moves it forward, also two in the same millisecond or from a host whose clock is behind.
 */
export async function updateEndpoint(db: Db, scope: EndpointScope, id: string, patch: EndpointPatch): Promise<EndpointRow | undefined> {
  const [row] = await db
    .update(endpoints)
    .set({ ...patch, updatedAt: sql`greatest(now(), ${endpoints.updatedAt} + interval '1 millisecond')` })
    .where(inScope(scope, id))
    .returning(endpointColumns);
  return row;
}

export async function deleteEndpoint(db: Db, scope: EndpointScope, id: string): Promise<boolean> {
  const rows = await db.delete(endpoints).where(inScope(scope, id)).returning({ id: endpoints.id });
  return rows.length > 0;
}

/** Clears the disabled state and the failure run, so the auto-disable rule starts from zero. */
export async function enableEndpoint(db: Db, scope: EndpointScope, id: string): Promise<EndpointRow | undefined> {
  const [row] = await db
    .update(endpoints)
    .set({ disabledAt: null, disabledReason: null, consecutiveFailures: 0, failingSince: null, updatedAt: sql`now()` })
    .where(inScope(scope, id))
    .returning(endpointColumns);
  return row;
}

/**
 * Makes `secretSealed` the signing secret. The old one keeps signing beside it until the grace period
 * ends (no grace: it stops at once). A rotation during a grace period drops the oldest secret.
 */
export async function rotateEndpointSecret(
  db: Db,
  scope: EndpointScope,
  id: string,
  input: { secretSealed: string; secretHint: string; graceMs: number },
): Promise<EndpointRow | undefined> {
  const keepPrevious = input.graceMs > 0;
  const [row] = await db
    .update(endpoints)
    .set({
      previousSecretSealed: keepPrevious ? sql`${endpoints.secretSealed}` : null,
      previousSecretExpiresAt: keepPrevious ? sql`now() + make_interval(secs => ${input.graceMs / 1000})` : null,
      secretSealed: input.secretSealed,
      secretHint: input.secretHint,
      updatedAt: sql`now()`,
    })
    .where(inScope(scope, id))
    .returning(endpointColumns);
  return row;
}

/** Which endpoints a cross-kind list shows (on-call's views): one workspace's, or every workspace's. */
export interface EndpointListFilter {
  workspaceId?: string | undefined;
  /** The kinds the caller may read. */
  kinds: readonly EndpointKind[];
  health?: 'failing' | 'disabled' | 'paused' | undefined;
  /** With `health: 'paused'`: the endpoints whose deliveries a worker holds back now. */
  pausedIds?: readonly string[];
}

// Unhealthy endpoints come first: failing in a row, or disabled; then newest first. Ids of different
// kinds have different prefixes (`wh_`, `lwh_`, `obw_`), so across kinds the time is created_at, with
// the id to break ties. The cursor carries all three: `<rank>:<created_at ms>:<id>`.
const unhealthy = sql<boolean>`(${endpoints.consecutiveFailures} > 0 OR ${endpoints.disabledAt} IS NOT NULL)`;

function healthCondition(filter: EndpointListFilter): SQL | undefined {
  if (filter.health === 'failing') return and(sql`${endpoints.consecutiveFailures} > 0`, isNull(endpoints.disabledAt));
  if (filter.health === 'disabled') return or(isNotNull(endpoints.disabledAt), eq(endpoints.enabled, false));
  if (filter.health === 'paused') return inArray(endpoints.id, [...(filter.pausedIds ?? [])]);
  return undefined;
}

function rankCursor(cursor: string | undefined): SQL | undefined {
  const match = cursor ? /^([01]):(\d+):(.+)$/.exec(cursor) : null;
  if (!match) return cursor ? sql`false` : undefined;
  const after = and(sql`(${endpoints.createdAt}, ${endpoints.id}) < (${new Date(Number(match[2]))}, ${match[3]})`);
  return match[1] === '1' ? or(sql`NOT ${unhealthy}`, and(unhealthy, after)) : and(sql`NOT ${unhealthy}`, after);
}

/** Endpoints of every kind asked for, unhealthy first, then newest first (whatever their kind). */
export async function listEndpointsAcross(db: Db, filter: EndpointListFilter, page: PageInput): Promise<Page<EndpointRow>> {
  if (filter.kinds.length === 0 || (filter.health === 'paused' && (filter.pausedIds ?? []).length === 0)) return { data: [], nextCursor: null };
  const rows = await db
    .select({ ...endpointColumns, unhealthy })
    .from(endpoints)
    .where(
      and(
        filter.workspaceId === undefined ? undefined : eq(endpoints.workspaceId, filter.workspaceId),
        inArray(endpoints.kind, [...filter.kinds]),
        healthCondition(filter),
        rankCursor(page.cursor),
      ),
    )
    .orderBy(desc(unhealthy), desc(endpoints.createdAt), desc(endpoints.id))
    .limit(page.limit + 1);
  const data = rows.slice(0, page.limit);
  const last = data[data.length - 1];
  return {
    data: data.map(({ unhealthy: _rank, ...row }) => row),
    nextCursor: rows.length > page.limit && last ? `${last.unhealthy ? 1 : 0}:${last.createdAt.getTime()}:${last.id}` : null,
  };
}

/** One endpoint of any of `kinds` by its id, within the workspace. */
export async function findEndpointAcross(db: Db, input: { workspaceId: string; id: string; kinds: readonly EndpointKind[] }): Promise<EndpointRow | undefined> {
  if (input.kinds.length === 0) return undefined;
  const [row] = await db
    .select(endpointColumns)
    .from(endpoints)
    .where(and(eq(endpoints.workspaceId, input.workspaceId), eq(endpoints.id, input.id), inArray(endpoints.kind, [...input.kinds])));
  return row;
}
