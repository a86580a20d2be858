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
