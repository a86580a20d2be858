import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { createApp } from '../src/app.js';
import { startHarness, type Harness } from '../../../test-support/harness.js';

// How the API serves the built console under /console. A folder made here stands in for
// apps/console/dist; the browser tests (apps/console/test) use the real build.

let h: Harness;
let dir: string;
const INDEX = '<!doctype html><title>console</title><script type="module" src="/console/assets/index-AbC123.js"></script>';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dispatch-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log("app")');
  h = await startHarness({ worker: false, apiEnv: { DISPATCH_CONSOLE_DIR: dir } });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console under /console', () => {
  it('answers every page path with index.html, never cached, with a same-origin-only CSP', async () => {
    for (const path of ['/console', '/console/', '/console/deliveries', '/console/deliveries/dlv_1', '/console/endpoints/lwh_1?status=failing']) {
      const res = await h.api.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('serves hashed assets with a year-long immutable cache, and a missing asset is a 404, not the page', async () => {
    const asset = await h.api.get('/console/assets/index-AbC123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await h.api.get('/console/assets/index-Old999.js');
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('<!doctype html>');
  });

  it('says how to build the console when its folder is missing (503), while the API answers as before', async () => {
    const app = supertest(createApp({ ...h.deps, config: { ...h.deps.config, DISPATCH_CONSOLE_DIR: join(dir, 'nowhere') } }));
    const res = await app.get('/console/');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('pnpm -r build');
    expect(res.text).toContain('DISPATCH_CONSOLE_DIR');
    expect(res.text).not.toContain(dir);
    expect((await app.get('/healthz')).status).toBe(200);
  });

  it('leaves everything outside /console alone', async () => {
    const api = await h.api.get('/api/links');
    expect(api.status).toBe(401);
    expect(api.headers['content-security-policy']).toBeUndefined();
    const other = await h.api.get('/consoles');
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    // Only reads are pages: anything else under /console is the API's JSON 404.
    const post = await h.api.post('/console/').send({});
    expect(post.status).toBe(404);
    expect(post.body.error.code).toBe('not_found');
  });
});
