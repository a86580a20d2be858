import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../../../test-support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(() => h.close());

it('publishes an OpenAPI document generated from the route declarations', async () => {
  const res = await h.api.get('/api/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.1.0');
  const paths = res.body.paths as Record<string, Record<string, { 'x-scope'?: string; requestBody?: unknown; parameters: { name: string }[] }>>;
  expect(paths['/api/webhooks-manage']?.post?.['x-scope']).toBe('links:write');
  expect(paths['/api/links/{linkId}/webhooks/{webhookId}/redeliver/{deliveryId}']?.post?.parameters.map((p) => p.name)).toEqual(['linkId', 'webhookId', 'deliveryId']);
  expect(paths['/api/integrations/outbound']?.post?.requestBody).toBeDefined();
  expect(paths['/api/webhooks-manage/{id}/deliveries']?.get?.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['status', 'event', 'since', 'until', 'limit', 'cursor']));
  expect(Object.keys(paths).length).toBeGreaterThan(25);
});

it('lists every status a success can have: 200 or 202 for a test, 202 for redeliver, 200 for enable', async () => {
  const paths = (await h.api.get('/api/openapi.json')).body.paths as Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: { required: boolean } }>>;
  const successes = (path: string) => Object.keys(paths[path]!.post!.responses).filter((status) => status !== 'default');
  for (const base of ['/api/webhooks-manage/{id}', '/api/links/{linkId}/webhooks/{webhookId}', '/api/integrations/outbound/{id}']) {
    expect(successes(`${base}/test`)).toEqual(['200', '202']);
    expect(successes(`${base}/enable`)).toEqual(['200']);
    expect(successes(`${base}/redeliver/{deliveryId}`)).toEqual(['202']);
    // Bodies with nothing required may be left out; a replay needs its `since`.
    expect(paths[`${base}/enable`]!.post!.requestBody?.required).toBe(false);
    expect(paths[`${base}/test`]!.post!.requestBody?.required).toBe(false);
    expect(paths[`${base}/replay`]!.post!.requestBody?.required).toBe(true);
  }
  expect(paths['/api/webhooks-manage']!.post!.requestBody?.required).toBe(true);
});

it('serves an API reference at /docs, rendered from that document with its own stylesheet and nothing from elsewhere', async () => {
  const doc = (await h.api.get('/api/openapi.json')).body as { paths: Record<string, Record<string, { operationId: string; summary: string }>> };
  const res = await h.api.get('/docs');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  const page = res.text;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      expect(page).toContain(`id="${op.operationId}"`);
      expect(page).toContain(`<span class="method ${method}">${method.toUpperCase()}</span> <code>${path}</code>`);
    }
  }
  expect(page).toContain('href="/api/openapi.json"');
  expect(page).toContain('DISPATCH_ADMIN_TOKEN');
  // Local assets only: no script at all, and every href/src is a path on this origin or a fragment.
  expect(page).not.toMatch(/<script/i);
  expect([...page.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]!).filter((url) => !url.startsWith('/') && !url.startsWith('#'))).toEqual([]);
  const css = await h.api.get('/docs/reference.css');
  expect(css.status).toBe(200);
  expect(css.headers['content-type']).toMatch(/^text\/css/);
});
