import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, bearer, eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { example, expectError } from '../../../test-support/api-helpers.js';

// The on-call views over the real API, worker and receiver: the workspace's deliveries with their
// filters (failing first of all), one delivery by its id alone, endpoints of every kind with their
// health, stats, the events list, the attempt feed and the operator's view across workspaces.

interface Delivery { id: string; status: string; eventId: string; eventType: string; target: { kind: string; id: string }; lastAttempt: { statusCode: number | null } | null }
interface Page<T> { data: T[]; nextCursor: string | null }

let h: Harness;
let receiver: Receiver;
let ws: TestWorkspace;
let other: TestWorkspace;
const ids = { link: '', ok: '', down: '', linkHook: '', outbound: '', otherDown: '' };
const events: { id: string; type: string; createdAt: string }[] = [];

const get = async <T>(path: string, auth = ws.auth) => {
  const res = await h.api.get(path).set(auth);
  expect({ path, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ path, status: 200, body: undefined });
  return res.body as T;
};
const post = async <T>(path: string, body: object, auth = ws.auth, status = 201) => {
  const res = await h.api.post(path).set(auth).send(body);
  expect({ path, status: res.status }).toEqual({ path, status });
  return res.body as T;
};
const list = (query = '', auth = ws.auth) => get<Page<Delivery>>(`/api/deliveries${query}`, auth);

beforeAll(async () => {
  // Retries an hour apart: a delivery that failed stays failing while the test looks at it.
  h = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '1h' } });
  receiver = await new Receiver().start();
  receiver.script('/down', [{ status: 500, body: 'receiver down' }]);
  ws = await h.newWorkspace(['integrations']);
  other = await h.newWorkspace(['integrations']);
  ids.link = (await post<{ id: string }>('/api/links', { url: 'https://acme.com/l' })).id;
  ids.ok = (await post<{ id: string }>('/api/webhooks-manage', { name: 'ok', url: receiver.url('/ok'), triggers: ['lead.created', 'sale.created'] })).id;
  ids.down = (await post<{ id: string }>('/api/webhooks-manage', { name: 'down', url: receiver.url('/down'), triggers: ['lead.created'] })).id;
  ids.linkHook = (await post<{ id: string }>(`/api/links/${ids.link}/webhooks`, { url: receiver.url('/link'), triggers: ['lead.created'] })).id;
  ids.outbound = (await post<{ id: string }>('/api/integrations/outbound', { url: receiver.url('/obw'), events: ['sale.created'] })).id;
  ids.otherDown = (await post<{ id: string }>('/api/webhooks-manage', { name: 'other', url: receiver.url('/down'), triggers: ['lead.created'] }, other.auth)).id;
  for (const [type, data] of [
    ['lead.created', { ...example('lead.created'), linkId: ids.link }],
    ['sale.created', example('sale.created')],
    ['lead.created', { ...example('lead.created'), linkId: ids.link }],
  ] as const) {
    events.push(await post('/api/events', { type, data }, ws.auth, 202));
  }
  await post('/api/events', { type: 'lead.created', data: example('lead.created') }, other.auth, 202);
  // Every delivery has had its attempt: 2 lead events × (ok, down, link) + 1 sale × (ok, outbound), and the other workspace's one.
  await eventually(async () => (await list('?limit=100')).data.every((d) => d.lastAttempt !== null) && receiver.requests.length === 9, 20_000);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('GET /api/deliveries', () => {
  it('lists the workspace’s deliveries of every kind, newest first, and none of another workspace', async () => {
    const page = await list('?limit=100');
    expect(page.data).toHaveLength(8);
    expect(page.data.map((d) => d.id)).toEqual([...page.data.map((d) => d.id)].sort().reverse());
    expect(new Set(page.data.map((d) => d.target.kind))).toEqual(new Set(['workspace_webhook', 'link_webhook', 'outbound_webhook']));
    expect(page.data.some((d) => d.target.id === ids.otherDown)).toBe(false);
  });

  it('shows a delivery still retrying after a failed attempt as failing, and filters by it', async () => {
    const failing = await list('?status=failing');
    expect(failing.data.map((d) => [d.target.id, d.status, d.lastAttempt?.statusCode])).toEqual([
      [ids.down, 'failing', 500],
      [ids.down, 'failing', 500],
    ]);
    expect((await list('?status=succeeded&limit=100')).data).toHaveLength(6);
    expect((await list('?status=pending')).data).toHaveLength(0);
  });

  it('filters by the last attempt’s status code or class, target, event and event type', async () => {
    expect((await list('?statusCode=5xx')).data.map((d) => d.target.id)).toEqual([ids.down, ids.down]);
    expect((await list('?statusCode=500')).data).toHaveLength(2);
    expect((await list('?statusCode=2xx&limit=100')).data).toHaveLength(6);
    expect((await list(`?targetId=${ids.outbound}`)).data.map((d) => d.eventType)).toEqual(['sale.created']);
    expect((await list('?targetKind=link_webhook')).data.every((d) => d.target.id === ids.linkHook)).toBe(true);
    expect((await list(`?eventId=${events[1]!.id}`)).data.map((d) => d.target.id).sort()).toEqual([ids.ok, ids.outbound].sort());
    expect((await list('?eventType=sale.created')).data).toHaveLength(2);
  });

  it('filters by a time window', async () => {
    const since = encodeURIComponent(events[1]!.createdAt);
    const until = encodeURIComponent(events[1]!.createdAt);
    expect((await list(`?since=${since}&until=${until}`)).data.map((d) => d.eventId)).toEqual([events[1]!.id, events[1]!.id]);
    expect((await list(`?until=${encodeURIComponent(new Date(Date.parse(events[0]!.createdAt) - 60_000).toISOString())}`)).data).toHaveLength(0);
  });

  it('pages with a cursor through exactly the list', async () => {
    const all = (await list('?limit=100')).data.map((d) => d.id);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Page<Delivery> = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((d) => d.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all);
  });

  it('shows a key only the endpoint kinds its scopes read', async () => {
    const linksOnly = bearer(await ws.keyWith(['links:read']));
    const webhooksOnly = bearer(await ws.keyWith(['webhooks:read']));
    expect(new Set((await list('?limit=100', linksOnly)).data.map((d) => d.target.kind))).toEqual(new Set(['workspace_webhook', 'link_webhook']));
    expect((await list('?limit=100', webhooksOnly)).data.map((d) => d.target.kind)).toEqual(['outbound_webhook']);
    const outbound = (await list('?limit=100', webhooksOnly)).data[0]!;
    expectError(await h.api.get(`/api/deliveries/${(await list('?status=failing')).data[0]!.id}`).set(webhooksOnly), 404, 'not_found');
    expect((await get<Delivery>(`/api/deliveries/${outbound.id}`, webhooksOnly)).id).toBe(outbound.id);
  });
});

describe('a delivery by its id alone', () => {
  it('answers the detail of any kind’s delivery, payload and attempts included', async () => {
    const linkDelivery = (await list('?targetKind=link_webhook')).data[0]!;
    const detail = await get<Delivery & { payload: string; attempts: { statusCode: number }[] }>(`/api/deliveries/${linkDelivery.id}`);
    expect(detail).toMatchObject({ id: linkDelivery.id, target: { kind: 'link_webhook', id: ids.linkHook }, status: 'succeeded' });
    expect(JSON.parse(detail.payload)).toMatchObject({ id: linkDelivery.eventId, type: 'lead.created' });
    expect(detail.attempts.map((a) => a.statusCode)).toEqual([200]);
  });

  it('is a 404 from another workspace, and redelivering it too', async () => {
    const mine = (await list()).data[0]!;
    expectError(await h.api.get(`/api/deliveries/${mine.id}`).set(other.auth), 404, 'not_found');
    expectError(await h.api.post(`/api/deliveries/${mine.id}/redeliver`).set(other.auth).send({}), 404, 'not_found');
  });

});

describe('endpoints of every kind with their health', () => {
  interface Summary { id: string; kind: string; workspaceId: string; consecutiveFailures: number; stats: { successRate: number | null; p95Ms: number | null; failingDeliveries: number; breaker: string; pausedUntil: string | null } }

  it('lists the failing endpoint first, then the others newest first whatever their kind', async () => {
    const page = await get<Page<Summary>>('/api/endpoints');
    expect(page.data.map((e) => e.id)).toEqual([ids.down, ids.outbound, ids.linkHook, ids.ok]);
    expect(page.data[0]).toMatchObject({ kind: 'workspace_webhook', stats: { successRate: 0, failingDeliveries: 2, breaker: 'closed' } });
    expect(page.data[3]).toMatchObject({ stats: { successRate: 1, failingDeliveries: 0, p95Ms: expect.any(Number) } });
  });

  it('pages across the failing ones and the rest without losing or repeating one', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Page<Summary> = await get(`/api/endpoints?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([ids.down, ids.outbound, ids.linkHook, ids.ok]);
  });

  it('filters by kind and by health: failing, disabled, paused (a worker holds it back now)', async () => {
    expect((await get<Page<Summary>>('/api/endpoints?kind=outbound_webhook')).data.map((e) => e.id)).toEqual([ids.outbound]);
    expect((await get<Page<Summary>>('/api/endpoints?status=failing')).data.map((e) => e.id)).toEqual([ids.down]);
    expect((await get<Page<Summary>>('/api/endpoints?status=disabled')).data).toEqual([]);
    const until = Date.now() + 60_000;
    await h.deps.queues.endpointPauses.publish(ids.linkHook, until);
    try {
      const paused = await get<Page<Summary>>('/api/endpoints?status=paused');
      expect(paused.data.map((e) => [e.id, e.stats.breaker, e.stats.pausedUntil])).toEqual([[ids.linkHook, 'open', new Date(until).toISOString()]]);
    } finally {
      await h.deps.queues.endpointPauses.forget(ids.linkHook);
    }
  });

  it('answers one endpoint by its id alone, and 404 for another workspace’s', async () => {
    expect(await get<Summary>(`/api/endpoints/${ids.linkHook}`)).toMatchObject({ id: ids.linkHook, kind: 'link_webhook', workspaceId: ws.id });
    expectError(await h.api.get(`/api/endpoints/${ids.otherDown}`).set(ws.auth), 404, 'not_found');
  });

  it('gives stats over a window: attempts, success rate, latency, the waiting deliveries', async () => {
    const stats = await get<Record<string, unknown>>(`/api/webhooks-manage/${ids.down}/stats?window=1h`);
    expect(stats).toMatchObject({
      window: '1h',
      successes: 0,
      successRate: 0,
      consecutiveFailures: expect.any(Number),
      lastSuccessAt: null,
      lastFailureAt: expect.any(String),
      breaker: 'closed',
      pendingDeliveries: 2,
      failingDeliveries: 2,
      disabledAt: null,
    });
    expect(stats.attempts).toBeGreaterThanOrEqual(2);
    const ok = await get<{ successRate: number; latencyMs: { p50: number; p99: number } }>(`/api/links/${ids.link}/webhooks/${ids.linkHook}/stats`);
    expect(ok.successRate).toBe(1);
    expect(ok.latencyMs.p50).toEqual(expect.any(Number));
  });

  it('gives the operator the failing endpoints of every workspace, each with its workspace', async () => {
    const page = await get<Page<Summary>>('/api/admin/endpoints?status=failing&limit=100', bearer(ADMIN_TOKEN));
    const mine = page.data.filter((e) => [ids.down, ids.otherDown].includes(e.id));
    expect(mine.map((e) => [e.id, e.workspaceId]).sort()).toEqual([
      [ids.down, ws.id],
      [ids.otherDown, other.id],
    ].sort());
  });
});

describe('events and attempts', () => {
  it('lists events newest first, by type, link and time', async () => {
    const all = await get<Page<{ id: string; type: string; linkId: string | null }>>('/api/events');
    expect(all.data.map((e) => e.id)).toEqual([...events].reverse().map((e) => e.id));
    expect((await get<Page<{ id: string }>>('/api/events?type=sale.created')).data.map((e) => e.id)).toEqual([events[1]!.id]);
    expect((await get<Page<{ id: string }>>(`/api/events?linkId=${ids.link}`)).data.map((e) => e.id)).toEqual([events[2]!.id, events[0]!.id]);
    expect((await get<Page<{ id: string }>>(`/api/events?since=${encodeURIComponent(events[2]!.createdAt)}`)).data.map((e) => e.id)).toEqual([events[2]!.id]);
    // events:read, or events:write which grants it.
    expect((await get<Page<unknown>>('/api/events', bearer(await ws.keyWith(['events:read'])))).data).toHaveLength(3);
  });

  it('feeds the attempts in the order they were made, from where the last call ended', async () => {
    const first = await get<{ data: { id: string; deliveryId: string; deliveryStatus: string }[]; last: string }>('/api/attempts?limit=100');
    expect(first.data.map((a) => a.id)).toEqual([...first.data.map((a) => a.id)].sort());
    expect(first.last).toBe(first.data[first.data.length - 1]!.id);
    expect(first.data.find((a) => a.deliveryStatus === 'failing')).toBeDefined();
    const none = await get<{ data: unknown[]; last: string }>(`/api/attempts?after=${first.last}`);
    expect(none).toEqual({ data: [], last: first.last });
    const sale = await post<{ id: string }>('/api/events', { type: 'sale.created', data: example('sale.created') }, ws.auth, 202);
    const next = await eventually(async () => {
      const page = await get<{ data: { eventId: string }[] }>(`/api/attempts?after=${first.last}`);
      return page.data.length === 2 ? page : undefined;
    });
    expect(next.data.every((a) => a.eventId === sale.id)).toBe(true);
  });
});

describe('a replay across the workspace', () => {
  it('counts with a dry run (200), starts (202) and reports its progress', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const dry = await post<{ count: number; dryRun: boolean }>('/api/deliveries/replay', { since, status: 'failing', dryRun: true }, ws.auth, 200);
    expect(dry).toEqual({ count: 2, dryRun: true });
    const started = await post<{ id: string; count: number }>('/api/deliveries/replay', { since, status: 'failing', targetKind: 'workspace_webhook' }, ws.auth, 202);
    expect(started.count).toBe(2);
    const done = await eventually(async () => {
      const replay = await get<{ status: string; done: number; failed: number }>(`/api/replays/${started.id}`);
      return replay.status === 'completed' ? replay : undefined;
    });
    expect(done).toMatchObject({ done: 2, failed: 2 });
  });

  it('refuses an endpoint kind the key may not act on (403), and another workspace’s replay is a 404', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const linksWriter = bearer(await ws.keyWith(['links:read', 'links:write']));
    expectError(await h.api.post('/api/deliveries/replay').set(linksWriter).send({ since, targetKind: 'outbound_webhook', dryRun: true }), 403, 'forbidden');
    const mine = await post<{ id: string }>('/api/deliveries/replay', { since, status: 'all', until: new Date().toISOString() }, ws.auth, 202);
    expectError(await h.api.get(`/api/replays/${mine.id}`).set(other.auth), 404, 'not_found');
    // Its attempts done, so none is in flight when the next test redelivers (that would be a 409).
    await eventually(async () => (await get<{ status: string }>(`/api/replays/${mine.id}`)).status === 'completed');
  });
});

describe('redelivering by id alone', () => {
  it('may be read but not redelivered with a read-only key (403), and is redelivered with a writing one', async () => {
    const failing = (await list('?statusCode=5xx')).data[0]!;
    const before = (await get<{ attempts: unknown[] }>(`/api/deliveries/${failing.id}`)).attempts.length;
    expectError(await h.api.post(`/api/deliveries/${failing.id}/redeliver`).set(bearer(await ws.keyWith(['links:read']))).send({}), 403, 'forbidden');
    const answer = await post<{ delivery: Delivery }>(`/api/deliveries/${failing.id}/redeliver`, {}, ws.auth, 202);
    expect(answer.delivery.id).toBe(failing.id);
    await eventually(async () => (await get<{ attempts: unknown[] }>(`/api/deliveries/${failing.id}`)).attempts.length === before + 1);
  });
});

// Last, since its test event would show in the lists above.
describe('a test send', () => {
  it('leaves a test delivery’s attempt out of the stats', async () => {
    const stats = () => get<{ attempts: number; successes: number }>(`/api/webhooks-manage/${ids.ok}/stats?window=1h`);
    const before = await stats();
    // 200: the test's attempt is made and recorded.
    const sent = await post<{ delivery: { lastAttempt: { statusCode: number } | null } }>(`/api/webhooks-manage/${ids.ok}/test`, {}, ws.auth, 200);
    expect(sent.delivery.lastAttempt?.statusCode).toBe(200);
    expect(await stats()).toMatchObject({ attempts: before.attempts, successes: before.successes });
  });
});
