import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { ADMIN_TOKEN } from '../../../test-support/harness.js';
import { cell, expectContains, expectCount, expectText, openConsole, screenshotDown, stat, until, type OpenConsole } from './browser.js';
import { FIXED, startOnCallFixture, type OnCallFixture } from './on-call-fixture.js';

// The console in a real browser against a real API (over a real port), a real worker and a real
// receiver: the on-call story of issue 16. Sign in, see the failing endpoint at the top, open its
// failing delivery and read the 500 body, fix the receiver, replay, watch the progress reach done
// and the delivery turn succeeded; rotate a secret and see it once. The README's screenshots come
// from here (DISPATCH_UPDATE_SCREENSHOTS=1).

let fx: OnCallFixture;
let browser: OpenConsole;
let page: Page;
const STEP_MS = 60_000;

beforeAll(async () => {
  fx = await startOnCallFixture();
  browser = await openConsole(fx.h);
  page = browser.page;
}, STEP_MS);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('the console, as on-call uses it', () => {
  it('refuses an unknown key with the API message, then signs in by keyboard with a key and the admin token, kept in session storage only', async () => {
    await browser.visit('/');
    await page.getByLabel('Workspace API key').fill('dsp_not_a_real_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refused = (await fx.h.api.get('/api/webhooks-manage').set({ Authorization: 'Bearer dsp_not_a_real_key' })).body.error.message;
    await expectContains(page.getByRole('alert'), refused);

    await page.getByLabel('Workspace API key').fill('');
    await page.getByLabel('Workspace API key').focus();
    await page.keyboard.type(fx.ws.key);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).not.toContain(fx.ws.key);
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).toContain(fx.ws.key);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await browser.context.cookies()).toEqual([]);
  }, STEP_MS);

  it('shows the failing endpoint first, as the API orders them, with its 24 h success rate, p95, failing count and breaker', async () => {
    const listed = (await fx.get('/api/endpoints?limit=100')).data;
    expect(listed[0].id).toBe(fx.orders.id);
    const rows = page.locator('.endpoint-row');
    await expectCount(rows, 4);
    expect(await rows.locator('strong').allTextContents()).toEqual(listed.map((e: { name: string }) => e.name));
    const first = rows.first();
    await expectText(cell(first, 'State'), 'failing');
    await expectText(cell(first, 'Success 24 h'), '0 %');
    await expectText(cell(first, 'p95'), `${Math.round(listed[0].stats.p95Ms)} ms`);
    await expectText(cell(first, 'Failing'), '1');
    await expectText(cell(first, 'Breaker'), 'closed');
    for (const row of await rows.all().then((all) => all.slice(1))) {
      await expectText(cell(row, 'State'), 'healthy');
      await expectText(cell(row, 'Success 24 h'), '100 %');
    }
    await screenshotDown(page, page.locator('main table'), 'console-overview.png');
  }, STEP_MS);

  it("lists the failing endpoint first across workspaces with its workspace, and the workspace, in the operator's view", async () => {
    await page.getByRole('link', { name: 'All workspaces' }).click();
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    const first = page.locator('.endpoint-row').first();
    await expectContains(cell(first, 'Endpoint'), 'orders');
    await expectText(cell(first, 'Workspace'), fx.ws.id);
    await expectText(cell(first, 'State'), 'failing');
    await expectCount(page.locator('.endpoint-row'), 4);
    await expectCount(page.locator('td[data-label="Id"]').filter({ hasText: fx.ws.id }), 1);
  }, STEP_MS);

  it('lists the failing delivery under "Failing deliveries", opens it and reads its 500 body and the exact signed payload', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Failing deliveries' }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    expect(new URL(page.url()).search).toBe('?status=failing');
    const rows = page.locator('tbody tr');
    await expectCount(rows, 1);
    await expectContains(cell(rows.first(), 'Delivery'), fx.failingDeliveryId);
    await expectContains(cell(rows.first(), 'Status'), 'failing');
    await expectText(cell(rows.first(), 'Last answer'), '500');

    await page.getByRole('link', { name: fx.failingDeliveryId }).click();
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    await expectText(page.locator('h1 .badge-failing'), 'failing');
    // The next retry is 10 minutes (±20 % jitter) after the second attempt.
    await until(async () => expect(await page.locator('.facts').textContent()).toMatch(/Attempts2 · next in (8|9|10|11|12)m \(/));
    await expectCount(page.locator('.attempt'), 2);
    await expectContains(page.locator('.attempt h3').first(), '500');
    await expectContains(page.getByLabel('Response body', { exact: true }).first(), 'orders database is down');
    await expectContains(page.locator('.facts'), 'orders');

    const detail = await fx.get(`/api/deliveries/${fx.failingDeliveryId}`);
    await page.getByLabel('exact bytes').last().check();
    expect(await page.getByLabel('Payload', { exact: true }).textContent()).toBe(detail.payload);
  }, STEP_MS);

  it('after the receiver is fixed, replays the failing deliveries workspace-wide from a dry-run count, with live progress to done; the delivery turns succeeded', async () => {
    // The replay's attempt takes a while to answer, so the progress shows before it is done.
    fx.receiver.script('/orders', [{ ...FIXED, delayMs: 1_500 }, FIXED]);
    await browser.visit('/deliveries?status=failing');
    expect(await page.getByLabel('Which').inputValue()).toBe('failing');
    await page.getByRole('button', { name: 'Count (dry run)' }).click();
    await expectText(page.locator('.replay-count'), '1 delivery matches');
    expect((await fx.get(`/api/deliveries/${fx.failingDeliveryId}`)).attemptCount).toBe(2);

    await page.getByRole('button', { name: 'Replay 1' }).click();
    const dialog = page.getByRole('dialog');
    await expectContains(dialog.getByRole('heading'), 'Replay 1 delivery matching the filters above');
    await expectContains(dialog, 'Each failing delivery since');
    await dialog.getByRole('button', { name: 'Replay now' }).click();
    const seen = new Set<string>();
    await until(async () => {
      const now = ((await page.locator('.replay-progress [role=status]').textContent({ timeout: 1_000 })) ?? '').trim();
      seen.add(now);
      expect(now).toContain('done');
    }, 20_000);
    const states = [...seen].map((text) => text.replace(/^Replay \S+: /, ''));
    expect(states).toContain('done · 1 of 1 re-sent · 1 succeeded · 0 failed');
    expect(states.some((state) => /^(queued|running) · 0 of 1 re-sent/.test(state))).toBe(true);
    // What matched is done: the failing list is empty now.
    await expectText(page.locator('.empty'), 'No delivery matches these filters.');

    await page.getByRole('link', { name: 'Deliveries', exact: true }).click();
    await page.getByRole('link', { name: fx.failingDeliveryId }).click();
    await expectText(page.locator('h1 .badge-succeeded'), 'succeeded');
    await expectCount(page.locator('.attempt'), 3);
    await expectContains(page.locator('.attempt h3').last(), 'replay');
    await expectContains(page.locator('.attempt h3').last(), '200');
    expect(await page.locator('.facts').textContent()).not.toContain('next');
    await screenshotDown(page, page.locator('.timeline'), 'console-delivery.png');
  }, STEP_MS);

  it("shows the endpoint's health from its stats route, and replays that endpoint's deliveries with progress to done", async () => {
    await page.locator('.facts').getByRole('link', { name: 'orders' }).click();
    await page.getByRole('heading', { name: 'orders', level: 1 }).waitFor();
    const stats = await fx.get(`/api/webhooks-manage/${fx.orders.id}/stats`);
    expect(stats).toMatchObject({ window: '24h', attempts: 3, successes: 1, consecutiveFailures: 0, failingDeliveries: 0, breaker: 'closed' });
    await expectText(stat(page, 'Success (24h)'), '33.3 % of 3');
    await expectText(stat(page, 'Latency p50 / p95 / p99'), [stats.latencyMs.p50, stats.latencyMs.p95, stats.latencyMs.p99].map((v: number) => `${Math.round(v)} ms`).join(' / '));
    await expectText(stat(page, 'Failing deliveries'), '0');
    await expectText(stat(page, 'Consecutive failures'), '0');
    await expectText(stat(page, 'Breaker'), 'closed');
    await expectContains(stat(page, 'Last success'), 'ago');

    await page.getByLabel('Which').selectOption('all');
    await page.getByRole('button', { name: 'Count (dry run)' }).click();
    await expectText(page.locator('.replay-count'), '1 delivery matches');
    await page.getByRole('button', { name: 'Replay 1' }).click();
    await expectContains(page.getByRole('dialog').getByRole('heading'), `orders (${fx.orders.url})`);
    await page.getByRole('dialog').getByRole('button', { name: 'Replay now' }).click();
    await expectContains(page.locator('.replay-progress'), 'done · 1 of 1 re-sent · 1 succeeded · 0 failed', 20_000);
    expect((await fx.get(`/api/deliveries/${fx.failingDeliveryId}`)).attemptCount).toBe(4);
  }, STEP_MS);

  it('redelivers a delivery after naming it and its endpoint', async () => {
    await page.getByRole('link', { name: fx.failingDeliveryId }).click();
    await page.getByRole('button', { name: 'Redeliver' }).click();
    await expectContains(page.getByRole('dialog').getByRole('heading'), `Redeliver ${fx.failingDeliveryId} to orders (${fx.orders.url})?`);
    await page.getByRole('dialog').getByRole('button', { name: 'Redeliver now' }).click();
    await until(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      expect(await page.locator('.attempt').count()).toBe(5);
    });
    await expectContains(page.locator('.attempt h3').last(), 'redeliver');
  }, STEP_MS);

  it('rotates a secret after confirming, shows the new one once with a copy button, and it signs what is sent next', async () => {
    await browser.visit(`/endpoints/${fx.orders.id}`);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = page.getByRole('dialog');
    await expectContains(dialog.getByRole('heading'), 'orders');
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    const secret = (await page.getByTestId('new-secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Copy the new secret' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // The test action answers synchronously; its request is signed with the new secret.
    const before = fx.receiver.on('/orders').length;
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Send test' }).click();
    await expectContains(page.locator('.test-answer'), '200');
    await expectContains(page.locator('.test-answer'), '{"received":true}');
    const sent = fx.receiver.on('/orders').slice(before).at(-1)!;
    expect(() => new Webhook(secret).verify(sent.body, sent.headers as Record<string, string>)).not.toThrow();

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.reload();
    await page.getByRole('heading', { name: 'orders', level: 1 }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await expectText(page.locator('.masked-secret'), `whsec_••••••••${secret.slice(-4)}`);
  }, STEP_MS);

  it('ran every step without an uncaught error or a refused resource', () => {
    expect(browser.breakage).toEqual([]);
  });
});
