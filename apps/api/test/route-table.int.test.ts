import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { count, eq, max } from 'drizzle-orm';
import { SCOPES, scopesGranting, type Scope } from '@dispatch/core';
import { apiKeys, attempts, deliveries, endpoints, events, links, replays, workspaces } from '@dispatch/db';
import { bearer, eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { example, expectError } from '../../../test-support/api-helpers.js';
import { API_ROUTES } from '@dispatch/core/api';

// Every route of the contract, walked with every kind of request that must be refused: no key,
// a key without the route's scope, a workspace without `integrations` (outbound mutations), ids of
// another workspace (or of another link / endpoint kind / endpoint of the same workspace), and
// malformed bodies. Each answer has the contract's error shape, and afterwards NOTHING has changed.

type Method = 'get' | 'post' | 'patch' | 'delete';
/** `scope`: the scope the contract asks for; several: any one of them will do (a cross-kind read). */
interface Row { method: Method; path: string; scope: Scope | Scope[]; feature?: true; body?: object; wrong?: object }
const scopesOf = (scope: Scope | readonly Scope[]) => (typeof scope === 'string' ? [scope] : [...scope]);
const scopeName = (scope: Scope | readonly Scope[]) => scopesOf(scope).sort().join(' or ');

const SINK = 'http://127.0.0.1:9/never';
const SINCE = new Date(Date.now() - 3_600_000).toISOString();
const hook = { url: SINK, triggers: ['sale.created'] };
const lead = { type: 'lead.created', data: example('lead.created') };

/** The operations every endpoint kind shares (contract: "Same routes exist under link webhooks and outbound webhooks"). */
const actionRows = (item: string, read: Scope, write: Scope, feature?: true): Row[] => [
  { method: 'post', path: `${item}/test`, scope: write, feature, body: {}, wrong: { event: 5 } },
  { method: 'post', path: `${item}/enable`, scope: write, feature, body: {}, wrong: [] },
  { method: 'post', path: `${item}/rotate-secret`, scope: write, feature, body: { graceSeconds: 0 }, wrong: { graceSeconds: 'soon' } },
  { method: 'get', path: `${item}/deliveries`, scope: read },
  { method: 'get', path: `${item}/deliveries/:deliveryId`, scope: read },
  { method: 'post', path: `${item}/redeliver/:deliveryId`, scope: write, feature, body: {}, wrong: [] },
  { method: 'post', path: `${item}/replay`, scope: write, feature, body: { since: SINCE, status: 'all', dryRun: false }, wrong: { since: 5 } },
  { method: 'get', path: `${item}/stats`, scope: read },
  { method: 'get', path: `${item}/replays/:replayId`, scope: read },
];
const kindRows = (coll: string, idName: string, read: Scope, write: Scope, feature: true | undefined, create: object, patch: object, wrongPatch: object): Row[] => [
  { method: 'post', path: coll, scope: write, feature, body: create, wrong: { ...create, url: 5 } },
  { method: 'get', path: coll, scope: read },
  { method: 'get', path: `${coll}/:${idName}`, scope: read },
  { method: 'patch', path: `${coll}/:${idName}`, scope: write, feature, body: patch, wrong: wrongPatch },
  { method: 'delete', path: `${coll}/:${idName}`, scope: write, feature },
  ...actionRows(`${coll}/:${idName}`, read, write, feature),
];

/** The contract, route by route, with the scope (and feature) that API.md assigns to each. */
const TABLE: Row[] = [
  { method: 'post', path: '/links', scope: 'links:write', body: { url: 'https://acme.com/new' }, wrong: { url: 5 } },
  { method: 'get', path: '/links', scope: 'links:read' },
  { method: 'get', path: '/links/:linkId', scope: 'links:read' },
  { method: 'delete', path: '/links/:linkId', scope: 'links:write' },
  ...kindRows('/links/:linkId/webhooks', 'webhookId', 'links:read', 'links:write', undefined, hook, { name: 'hijacked' }, { triggers: 'lead.created' }),
  ...kindRows('/webhooks-manage', 'id', 'links:read', 'links:write', undefined, { name: 'new', ...hook }, { name: 'hijacked' }, { url: 5 }),
  ...kindRows('/integrations/outbound', 'id', 'webhooks:read', 'webhooks:manage', true, { url: SINK, events: ['sale.created'] }, { description: 'hijacked' }, { enabled: 'yes' }),
  { method: 'get', path: '/integrations/outbound/events', scope: 'webhooks:read' },
  { method: 'post', path: '/events', scope: 'events:write', body: lead, wrong: { type: 5, data: [] } },
  { method: 'post', path: '/events/batch', scope: 'events:write', body: { events: [lead] }, wrong: { events: {} } },
  // events:write grants events:read too (the contract: a key may read the events it can emit).
  { method: 'get', path: '/events', scope: 'events:read' },
  { method: 'get', path: '/events/:eventId', scope: 'events:read' },
  // On-call across the workspace: a key reads (or acts on) the endpoint kinds its scopes allow.
  { method: 'get', path: '/deliveries', scope: ['links:read', 'webhooks:read'] },
  { method: 'get', path: '/deliveries/:deliveryId', scope: ['links:read', 'webhooks:read'] },
  { method: 'post', path: '/deliveries/:deliveryId/redeliver', scope: ['links:write', 'webhooks:manage'], body: {}, wrong: [] },
  { method: 'post', path: '/deliveries/replay', scope: ['links:write', 'webhooks:manage'], body: { since: SINCE, status: 'all', dryRun: true }, wrong: { since: 5 } },
  { method: 'get', path: '/replays/:replayId', scope: ['links:read', 'webhooks:read'] },
  { method: 'get', path: '/attempts', scope: ['links:read', 'webhooks:read'] },
  { method: 'get', path: '/endpoints', scope: ['links:read', 'webhooks:read'] },
  { method: 'get', path: '/endpoints/:endpointId', scope: ['links:read', 'webhooks:read'] },
];
const nameOf = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
const MOUNTED = API_ROUTES.filter((r) => r.access !== 'admin');
const ADMIN_ROUTES = API_ROUTES.filter((r) => r.access === 'admin');

const KINDS = ['wh', 'lwh', 'obw'] as const;
type Kind = (typeof KINDS)[number];
const ITEM: Record<Kind, string> = { wh: '/webhooks-manage/:id', lwh: '/links/:linkId/webhooks/:webhookId', obw: '/integrations/outbound/:id' };
const kindOf = (path: string): Kind => (path.startsWith('/links/:linkId/webhooks') ? 'lwh' : path.startsWith('/integrations/outbound') ? 'obw' : 'wh');

let h: Harness;
let receiver: Receiver;
let A: TestWorkspace; // the workspace whose real ids fill every path
let B: TestWorkspace; // another workspace: every scope, integrations
let C: TestWorkspace; // another workspace: every scope, no integrations
/** Keys of A lacking every scope that grants any of a row's scopes, by the scopes' names. */
const lacking = new Map<string, Record<string, string>>();
const fx = { linkId: '', otherLinkId: '', eventId: '', obwUrl: '' } as { linkId: string; otherLinkId: string; eventId: string; obwUrl: string } & Record<
  Kind,
  { id: string; deliveryId: string; replayId: string }
>;

/** `swap`: the linkId of another link, the endpoint id of another kind, or the delivery/replay of another endpoint (all of A). */
type Swap = 'link' | 'endpoint' | 'child';
function urlOf(path: string, swap?: Swap): string {
  const kind = kindOf(path);
  const own = fx[kind];
  const other = fx[KINDS[(KINDS.indexOf(kind) + 1) % KINDS.length]!];
  const endpointId = swap === 'endpoint' ? other.id : own.id;
  const child = swap === 'child' ? other : own;
  const values: Record<string, string> = {
    linkId: swap === 'link' ? fx.otherLinkId : fx.linkId,
    eventId: fx.eventId,
    workspaceId: A.id,
    keyId: 'key_01J00000000000000000000000',
    id: endpointId,
    webhookId: endpointId,
    endpointId: own.id,
    deliveryId: child.deliveryId,
    replayId: child.replayId,
  };
  return `/api${path.replace(/:(\w+)/g, (_, name: string) => values[name] ?? `(${name}?)`)}`;
}

type BodyKind = 'valid' | 'raw' | 'wrong' | 'unknown';
function send(row: Row, auth: Record<string, string>, swap?: Swap, bodyKind: BodyKind = 'valid') {
  const req = h.api[row.method](urlOf(row.path, swap)).set(auth);
  if (bodyKind === 'raw') return req.set('content-type', 'application/json').send('{"url": ');
  const body = bodyKind === 'wrong' ? row.wrong : bodyKind === 'unknown' ? { ...row.body, unexpected: true } : row.body;
  return body === undefined ? req : req.send(body);
}

async function getOk(path: string, auth = A.auth) {
  const res = await h.api.get(path).set(auth);
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  return res.body as Record<string, unknown>;
}

async function dbState(workspaceId: string) {
  const { db } = h.deps;
  const one = async <T>(rows: Promise<T[]>) => (await rows)[0];
  return {
    workspace: await one(db.select({ features: workspaces.features, updatedAt: workspaces.updatedAt }).from(workspaces).where(eq(workspaces.id, workspaceId))),
    apiKeys: await one(db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.workspaceId, workspaceId))),
    links: await one(db.select({ n: count() }).from(links).where(eq(links.workspaceId, workspaceId))),
    endpoints: await one(db.select({ n: count(), last: max(endpoints.updatedAt) }).from(endpoints).where(eq(endpoints.workspaceId, workspaceId))),
    events: await one(db.select({ n: count() }).from(events).where(eq(events.workspaceId, workspaceId))),
    deliveries: await one(db.select({ n: count(), last: max(deliveries.updatedAt) }).from(deliveries).where(eq(deliveries.workspaceId, workspaceId))),
    attempts: await one(
      db.select({ n: count() }).from(attempts).innerJoin(deliveries, eq(attempts.deliveryId, deliveries.id)).where(eq(deliveries.workspaceId, workspaceId)),
    ),
    replays: await one(db.select({ n: count(), last: max(replays.updatedAt) }).from(replays).where(eq(replays.workspaceId, workspaceId))),
  };
}

/** What A's owner sees through the API (secrets masked), A's rows, and what reached the receiver. */
async function snapshotOfA() {
  const api: Record<string, unknown> = {};
  const paths = ['/links', '/links/:linkId', `/links/${fx.otherLinkId}`, '/links/:linkId/webhooks', '/webhooks-manage', '/integrations/outbound', '/events', '/events/:eventId', '/deliveries', '/endpoints', '/attempts'];
  for (const k of KINDS) paths.push(ITEM[k], `${ITEM[k]}/deliveries`, `${ITEM[k]}/deliveries/:deliveryId`, `${ITEM[k]}/replays/:replayId`, `${ITEM[k]}/stats`);
  for (const path of paths) api[path] = await getOk(urlOf(path));
  return { api, db: await dbState(A.id), received: receiver.requests.length };
}
const snapshotAll = async () => ({ A: await snapshotOfA(), B: await dbState(B.id), C: await dbState(C.id) });
let before: Awaited<ReturnType<typeof snapshotAll>>;

beforeAll(async () => {
  // Every route is called with no key and with an unknown key from one address: the failed-authentication
  // throttle (auth-throttle.int.test.ts) would answer 429 past its burst, which is not what is checked here.
  h = await startHarness({ env: { DISPATCH_AUTH_FAILURE_LIMIT: '1000000' } });
  receiver = await new Receiver().start();
  [A, B, C] = [await h.newWorkspace(['integrations']), await h.newWorkspace(['integrations']), await h.newWorkspace([])];
  const post = async (path: string, body: object, status = 201) => {
    const res = await h.api.post(`/api${path}`).set(A.auth).send(body);
    expect({ path, status: res.status }).toEqual({ path, status });
    return res.body as { id: string; replayId: string; count: number; deliveries: number };
  };
  fx.linkId = (await post('/links', { url: 'https://acme.com/a' })).id;
  fx.otherLinkId = (await post('/links', { url: 'https://acme.com/b' })).id;
  fx.obwUrl = receiver.url('/obw');
  const created = {
    wh: await post('/webhooks-manage', { name: 'wh', url: receiver.url('/wh'), triggers: ['lead.created'] }),
    lwh: await post(`/links/${fx.linkId}/webhooks`, { url: receiver.url('/lwh'), triggers: ['lead.created'] }),
    obw: await post('/integrations/outbound', { url: fx.obwUrl, events: ['lead.created'] }),
  };
  for (const k of KINDS) fx[k] = { id: created[k].id, deliveryId: '', replayId: '' };
  const since = new Date(Date.now() - 60_000).toISOString();
  const event = await post('/events', { type: 'lead.created', data: { ...example('lead.created'), linkId: fx.linkId } }, 202);
  expect(event.deliveries).toBe(3);
  fx.eventId = event.id;
  for (const k of KINDS) {
    const base = urlOf(ITEM[k]).slice('/api'.length);
    const delivery = await eventually(async () => ((await getOk(`/api${base}/deliveries`)).data as { id: string; status: string }[]).find((d) => d.status === 'succeeded'));
    fx[k].deliveryId = delivery.id;
    const replay = await post(`${base}/replay`, { since, status: 'all', dryRun: false }, 202);
    expect(replay.count).toBe(1);
    fx[k].replayId = replay.replayId;
  }
  for (const k of KINDS) {
    await eventually(async () => {
      const replay = await getOk(urlOf(`${ITEM[k]}/replays/:replayId`));
      const delivery = await getOk(urlOf(`${ITEM[k]}/deliveries/:deliveryId`));
      return replay.status === 'completed' && delivery.status === 'succeeded' && delivery.attemptCount === 2 && delivery.nextAttemptAt === null;
    });
  }
  await receiver.waitFor(() => receiver.requests.length === 6);
  // Lacking a scope means lacking every scope that grants it (events:write grants events:read).
  for (const row of TABLE) {
    if (lacking.has(scopeName(row.scope))) continue;
    const needed = scopesOf(row.scope);
    lacking.set(scopeName(row.scope), bearer(await A.keyWith(SCOPES.filter((s) => !needed.some((one) => scopesGranting(one).includes(s))))));
  }
  before = await snapshotAll();
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

it('the table is the mounted API: every non-admin route, with the contract scope, feature gate and body', () => {
  const describeRoute = (r: { method: string; path: string; access: unknown; body?: unknown }) => {
    const access = r.access as { scope: string; feature?: string };
    return [nameOf(r), scopeName(access.scope as Scope | Scope[]), access.feature ?? null, r.body !== undefined];
  };
  const expected = TABLE.map((r) => [nameOf(r), scopeName(r.scope), r.feature ? 'integrations' : null, r.body !== undefined]);
  const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
  expect(MOUNTED.map(describeRoute).sort(byName)).toEqual(expected.sort(byName));
  expect(new Set(TABLE.map(nameOf)).size).toBe(TABLE.length);
  expect(Object.keys(COLLECTION).sort()).toEqual(TABLE.filter((r) => !r.path.includes(':')).map(nameOf).sort());
});

interface Case { name: string; row: Row; auth: () => Record<string, string>; swap?: Swap; body?: BodyKind; status: number; code: string }
const CASES: Case[] = [];
const UNKNOWN_KEY = bearer(`dsp_${'A'.repeat(43)}`);
for (const row of TABLE) {
  const n = nameOf(row);
  const add = (label: string, c: Omit<Case, 'name' | 'row'>) => CASES.push({ name: `${c.status} ${label}: ${n}`, row, ...c });
  add('without Authorization', { auth: () => ({}), status: 401, code: 'unauthorized' });
  add('with an unknown key', { auth: () => UNKNOWN_KEY, status: 401, code: 'unauthorized' });
  add(`with every scope but ${scopeName(row.scope)}`, { auth: () => lacking.get(scopeName(row.scope))!, status: 403, code: 'forbidden' });
  if (row.feature) add('in a workspace without integrations', { auth: () => C.auth, status: 403, code: 'feature_not_enabled' });
  if (row.path.includes(':')) {
    add("with another workspace's key", { auth: () => B.auth, status: 404, code: 'not_found' });
    if (!row.feature) add("with the key of another workspace without integrations", { auth: () => C.auth, status: 404, code: 'not_found' });
    if (/:(id|webhookId)\b/.test(row.path)) add('with the id of another kind of endpoint of A', { auth: () => A.auth, swap: 'endpoint', status: 404, code: 'not_found' });
    if (row.path.includes(':webhookId')) add('through another link of A', { auth: () => A.auth, swap: 'link', status: 404, code: 'not_found' });
    // Under an endpoint's path only: across the workspace (/deliveries/:deliveryId) another endpoint's delivery is A's own.
    if (/:(deliveryId|replayId)/.test(row.path) && /:(id|webhookId)\b/.test(row.path)) add("with another endpoint's delivery/replay", { auth: () => A.auth, swap: 'child', status: 404, code: 'not_found' });
  }
  if (row.body) {
    add('with malformed JSON', { auth: () => A.auth, body: 'raw', status: 400, code: 'bad_request' });
    add(`with wrong types ${JSON.stringify(row.wrong)}`, { auth: () => A.auth, body: 'wrong', status: 400, code: 'bad_request' });
    add('with an unknown field', { auth: () => A.auth, body: 'unknown', status: 400, code: 'bad_request' });
  }
}
// Operator routes: no token, or a workspace key in place of the operator token.
for (const r of ADMIN_ROUTES) {
  const row: Row = { method: r.method, path: r.path, scope: 'links:read', body: { features: [] } };
  CASES.push({ name: `401 without Authorization: ${nameOf(r)}`, row, auth: () => ({}), status: 401, code: 'unauthorized' });
  CASES.push({ name: `401 with a workspace key: ${nameOf(r)}`, row, auth: () => A.auth, status: 401, code: 'unauthorized' });
}

describe('every refused request', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await send(c.row, c.auth(), c.swap, c.body);
    expectError(res, c.status, c.code);
  });

  it('changed nothing: A seen through the API, row counts of A, B and C, requests received', async () => {
    expect(await snapshotAll()).toEqual(before);
  });
});

// Collection routes (no id in the path) address no resource of A, so another workspace is not
// refused there: instead it must see none of A's data, and what it creates or emits stays in B.
const aIds = () => [A.id, fx.linkId, fx.otherLinkId, fx.eventId, ...KINDS.flatMap((k) => Object.values(fx[k]))];
const expectNoneOfA = (body: unknown) => {
  const text = JSON.stringify(body);
  for (const id of aIds()) expect(text).not.toContain(id);
};
const createInB = async (path: string, body: object) => {
  const res = await h.api.post(path).set(B.auth).send(body);
  expect(res.status).toBe(201);
  expectNoneOfA(res.body);
};
const COLLECTION: Record<string, () => Promise<void>> = {
  // Before B emits its own events below (whose data names A's link id: a string B chose).
  'GET /events': async () => expectNoneOfA(await getOk('/api/events', B.auth)),
  'POST /events': async () => {
    const res = await h.api.post('/api/events').set(B.auth).send({ type: 'lead.created', data: { ...example('lead.created'), linkId: fx.linkId }, linkId: fx.linkId });
    expect({ status: res.status, deliveries: res.body.deliveries }).toEqual({ status: 202, deliveries: 0 });
  },
  'POST /events/batch': async () => {
    const res = await h.api.post('/api/events/batch').set(B.auth).send({ events: [{ type: 'lead.created', data: { ...example('lead.created'), linkId: fx.linkId } }] });
    expect({ status: res.status, deliveries: res.body.data?.[0]?.deliveries }).toEqual({ status: 202, deliveries: 0 });
  },
  'GET /links': async () => expectNoneOfA(await getOk('/api/links', B.auth)),
  'GET /webhooks-manage': async () => expectNoneOfA(await getOk('/api/webhooks-manage', B.auth)),
  'GET /integrations/outbound': async () => expectNoneOfA(await getOk('/api/integrations/outbound', B.auth)),
  // The catalog is global (no workspace data): B sees exactly what A sees.
  'GET /integrations/outbound/events': async () => expect(await getOk('/api/integrations/outbound/events', B.auth)).toEqual(await getOk('/api/integrations/outbound/events')),
  'GET /deliveries': async () => expectNoneOfA(await getOk('/api/deliveries', B.auth)),
  'GET /attempts': async () => expectNoneOfA(await getOk('/api/attempts', B.auth)),
  'GET /endpoints': async () => expectNoneOfA(await getOk('/api/endpoints', B.auth)),
  // A replay across B's workspace takes nothing of A's.
  'POST /deliveries/replay': async () => {
    const res = await h.api.post('/api/deliveries/replay').set(B.auth).send({ since: SINCE, status: 'all', dryRun: true });
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { count: 0, dryRun: true } });
  },
  'POST /links': () => createInB('/api/links', { url: 'https://acme.com/b-owned' }),
  'POST /webhooks-manage': () => createInB('/api/webhooks-manage', { name: 'b', ...hook }),
  // A's URL is no conflict in B: a 409 would reveal that another workspace uses it.
  'POST /integrations/outbound': () => createInB('/api/integrations/outbound', { url: fx.obwUrl, events: ['sale.created'] }),
};

describe("collection routes from another workspace see none of A's data", () => {
  it.each(Object.keys(COLLECTION))('%s', async (name) => {
    await COLLECTION[name]!();
  });

  it('and A is still unchanged', async () => {
    expect(await snapshotOfA()).toEqual(before.A);
  });
});
