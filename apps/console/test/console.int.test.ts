import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { createApp } from '@dispatch/api/testing';
import { createWebhook, disableInDb, example, listDeliveries } from '../../../test-support/api-helpers.js';
import { ADMIN_TOKEN, eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { expectContains, expectCount, expectFocused, expectText, horizontalOverflow, launchChromium, screenshotPath, unlabelledControls, until } from './browser.js';

// The console in a real browser against a real API (over a real port), a real worker and a real
// receiver: the on-call story from a failing endpoint to a replay that succeeds.
// The on-call routes that are not deployed yet (GET /api/endpoints, /api/deliveries, /api/events,
// the stats and admin lists) answer 404 today; the console must show that answer, not break.

let h: Harness;
let ws: TestWorkspace;
let receiver: Receiver;
let server: Server;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let orders: { id: string; url: string };
let audit: { id: string };
let eventId: string;
let failedDeliveryId: string;
/** Uncaught exceptions and CSP refusals in the page: a broken console, whatever it shows. */
const breakage: string[] = [];

const BROKEN = { status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"orders database is down"}' };
const FIXED = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"received":true}' };
const STEP_MS = 60_000;

const visit = (path: string) => page.goto(`${base}/console${path}`);
const endpointPage = (id: string) => `/endpoints/workspace_webhook/${id}`;
/** The API's own error for a request, to compare with what the console shows. */
const apiError = async (path: string) => (await h.api.get(path).set(ws.auth)).body.error.message as string;

beforeAll(async () => {
  h = await startHarness();
  receiver = await new Receiver().start();
  receiver.script('/orders', [BROKEN]);
  ws = await h.newWorkspace();
  orders = await createWebhook(h, ws, { name: 'orders', url: receiver.url('/orders'), triggers: ['lead.created'] });
  audit = await createWebhook(h, ws, { name: 'audit', url: receiver.url('/audit'), triggers: ['lead.created'] });
  const emitted = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
  expect(emitted.status).toBe(202);
  eventId = emitted.body.id;
  // The retry schedule is 3 × 200 ms in tests: the orders delivery fails for good within a second or two.
  const failed = await eventually(async () => (await listDeliveries(h, ws, orders.id, '?status=failed')).data[0]);
  failedDeliveryId = failed.id;
  server = createApp(h.deps).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on('pageerror', (error) => breakage.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) breakage.push(message.text());
  });
}, STEP_MS);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await receiver?.close();
  await h?.close();
});

describe('the console, as on-call uses it', () => {
  it('refuses an unknown key with the API message, then signs in by keyboard, keeping the key in session storage only', async () => {
    await visit('/');
    await page.getByLabel('Workspace API key').fill('dsp_not_a_real_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refused = await (await h.api.get('/api/webhooks-manage').set({ Authorization: 'Bearer dsp_not_a_real_key' })).body.error.message;
    await expectContains(page.getByRole('alert'), refused);

    await page.getByLabel('Workspace API key').fill('');
    await page.getByLabel('Workspace API key').focus();
    await page.keyboard.type(ws.key);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).not.toContain(ws.key);
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).toContain(ws.key);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await context.cookies()).toEqual([]);
  }, STEP_MS);

  it('shows the API error as it came where an on-call route is not deployed yet (overview, deliveries, events)', async () => {
    // TODO(integrator, once GET /api/endpoints lands): assert the "orders" row is first with state
    // "failing", and open it by clicking it instead of visiting its URL below.
    await expectText(page.locator('.error-message'), await apiError('/api/endpoints?limit=100'));
    await page.screenshot({ path: screenshotPath('console-overview.png') });
    await visit('/deliveries?status=failing');
    await expectText(page.locator('.error-message').first(), await apiError('/api/deliveries?status=failing'));
    await visit('/events');
    await expectText(page.locator('.error-message').first(), await apiError('/api/events'));
  }, STEP_MS);

  it('opens the failed delivery and reads its 500 body, the exact signed payload and every attempt', async () => {
    await visit(endpointPage(orders.id));
    await page.getByRole('heading', { name: 'orders', level: 1 }).waitFor();
    await page.getByRole('link', { name: failedDeliveryId }).click();
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    await expectText(page.locator('h1 .badge-failed'), 'failed');
    await expectCount(page.locator('.attempt'), 4);
    await expectContains(page.locator('.attempt h3').first(), '500');
    await expectContains(page.getByLabel('Response body', { exact: true }).first(), 'orders database is down');

    const detail = (await h.api.get(`/api/webhooks-manage/${orders.id}/deliveries/${failedDeliveryId}`).set(ws.auth)).body;
    await page.getByLabel('exact bytes').first().check();
    expect(await page.getByLabel('Payload', { exact: true }).textContent()).toBe(detail.payload);
  }, STEP_MS);

  it('after the receiver is fixed, replays with a dry-run count and follows it to done; the delivery turns succeeded', async () => {
    receiver.script('/orders', [FIXED]);
    await page.getByRole('link', { name: 'orders' }).click();
    await page.getByRole('button', { name: 'Count (dry run)' }).click();
    await expectText(page.locator('.replay-count'), '1 delivery matches');
    await page.getByRole('button', { name: 'Replay 1' }).click();
    const dialog = page.getByRole('dialog');
    await expectContains(dialog.getByRole('heading'), `orders (${orders.url})`);
    await dialog.getByRole('button', { name: 'Replay now' }).click();
    await expectText(page.locator('.replay-status'), 'done', 20_000);
    await expectContains(page.locator('.replay-progress'), '1 of 1 re-sent');

    await page.getByRole('link', { name: failedDeliveryId }).click();
    await expectText(page.locator('h1 .badge-succeeded'), 'succeeded');
    await expectCount(page.locator('.attempt'), 5);
    await expectContains(page.locator('.attempt h3').last(), 'replay');
    await expectContains(page.locator('.attempt h3').last(), '200');
    await page.screenshot({ path: screenshotPath('console-delivery.png'), fullPage: true });
  }, STEP_MS);

  it('redelivers a delivery after naming it and its endpoint', async () => {
    await page.getByRole('button', { name: 'Redeliver' }).click();
    await expectContains(page.getByRole('dialog').getByRole('heading'), `Redeliver ${failedDeliveryId} to orders (${orders.url})?`);
    await page.getByRole('dialog').getByRole('button', { name: 'Redeliver now' }).click();
    await until(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      expect(await page.locator('.attempt').count()).toBe(6);
    });
    await expectContains(page.locator('.attempt h3').last(), 'redeliver');
  }, STEP_MS);

  it('rotates a secret after confirming, shows the new one once with a copy button, and it signs what is sent next', async () => {
    await visit(endpointPage(orders.id));
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = page.getByRole('dialog');
    await expectContains(dialog.getByRole('heading'), 'orders');
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    const secret = (await page.getByTestId('new-secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Copy the new secret' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // The test action answers synchronously; its request is signed with the new secret.
    const before = receiver.on('/orders').length;
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Send test' }).click();
    await expectContains(page.locator('.test-answer'), '200');
    await expectContains(page.locator('.test-answer'), '{"received":true}');
    const sent = receiver.on('/orders').slice(before).at(-1)!;
    expect(() => new Webhook(secret).verify(sent.body, sent.headers as Record<string, string>)).not.toThrow();

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.reload();
    await page.getByRole('heading', { name: 'orders', level: 1 }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await expectText(page.locator('.masked-secret'), `whsec_••••••••${secret.slice(-4)}`);
  }, STEP_MS);

  it('enables a disabled endpoint after saying what that does', async () => {
    await disableInDb(h, audit.id, 12);
    await visit(endpointPage(audit.id));
    await expectContains(page.getByRole('status').filter({ hasText: 'Disabled since' }), 'failing');
    await page.getByRole('button', { name: 'Enable' }).click();
    await expectContains(page.getByRole('dialog'), 'failure count goes back to 0');
    await page.getByRole('dialog').getByRole('button', { name: 'Enable' }).click();
    await expectCount(page.getByText('Disabled since'), 0);
    expect((await h.api.get(`/api/webhooks-manage/${audit.id}`).set(ws.auth)).body.disabledAt).toBeNull();
  }, STEP_MS);

  it('shows an event with its deliveries, and sends a catalog example after confirming', async () => {
    await visit(`/events/${eventId}`);
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    await expectCount(page.locator('tbody tr'), 2);
    await page.getByRole('link', { name: failedDeliveryId }).click();
    await expectText(page.locator('h1 .badge-succeeded'), 'succeeded');

    await visit('/catalog');
    await page.getByText('lead.created', { exact: true }).click();
    await page.getByRole('button', { name: 'Send example lead.created' }).click();
    await expectContains(page.getByRole('dialog'), 'every enabled endpoint subscribed to lead.created');
    await page.getByRole('dialog').getByRole('button', { name: 'Emit event' }).click();
    await expectContains(page.getByRole('status').filter({ hasText: 'Accepted' }), '2 deliveries');
  }, STEP_MS);

  it('opens the page of every kind of endpoint, and a link webhook delivery knowing only its event', async () => {
    const link = (await h.api.post('/api/links').set(ws.auth).send({ url: 'https://acme.example/pricing' })).body;
    const linkHook = (await h.api.post(`/api/links/${link.id}/webhooks`).set(ws.auth).send({ name: 'clicks', url: receiver.url('/clicks'), triggers: ['link.clicked'] })).body;
    const token = 'Bearer outbound-token-never-shown';
    const outbound = (
      await h.api.post('/api/integrations/outbound').set(ws.auth).send({ url: receiver.url('/zap'), events: ['link.clicked'], description: 'zapier', headers: { Authorization: token } })
    ).body;
    const clicked = (await h.api.post('/api/events').set(ws.auth).send({ type: 'link.clicked', data: { ...example('link.clicked'), linkId: link.id }, linkId: link.id })).body;
    const delivery = await eventually(async () => (await h.api.get(`/api/links/${link.id}/webhooks/${linkHook.id}/deliveries?status=succeeded`).set(ws.auth)).body.data[0]);

    const zapped = await eventually(async () => (await h.api.get(`/api/integrations/outbound/${outbound.id}/deliveries?status=succeeded`).set(ws.auth)).body.data[0]);
    expect(receiver.on('/zap')[0]?.headers.authorization).toBe(token);

    await visit(`/endpoints/outbound_webhook/${outbound.id}`);
    await page.getByRole('heading', { name: 'zapier', level: 1 }).waitFor();
    // A custom header is a secret: its value is masked in the attempt's request headers.
    await page.getByRole('link', { name: zapped.id }).click();
    await page.getByText('Request headers (').first().click();
    await expectContains(page.locator('.headers').first(), 'Authorization••••••••');
    expect(await page.content()).not.toContain('outbound-token-never-shown');
    await visit(`/endpoints/link_webhook/${linkHook.id}?link=${link.id}`);
    await page.getByRole('heading', { name: 'clicks', level: 1 }).waitFor();
    // The workspace list will link a link webhook's delivery without its link: the page asks the event.
    await visit(`/endpoints/link_webhook/${linkHook.id}/deliveries/${delivery.id}?event=${clicked.id}`);
    await expectText(page.locator('h1 .badge-succeeded'), 'succeeded');
    await expectContains(page.getByRole('link', { name: 'clicks' }), 'clicks');
  }, STEP_MS);

  it('has labelled controls on every page and closes a confirmation with Escape, having done nothing', async () => {
    for (const path of ['/', '/deliveries', endpointPage(orders.id), '/events', '/catalog']) {
      await visit(path);
      await page.locator('main h1').first().waitFor();
      expect({ path, unlabelled: await unlabelledControls(page) }).toEqual({ path, unlabelled: [] });
    }
    await visit(endpointPage(orders.id));
    const rotate = page.getByRole('button', { name: 'Rotate secret' });
    await rotate.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await expectFocused(page.getByRole('dialog').getByRole('button', { name: 'Cancel' }));
    await page.keyboard.press('Escape');
    await expectCount(page.getByRole('dialog'), 0);
    await expectCount(page.getByTestId('new-secret'), 0);
  }, STEP_MS);

  it('fits a 390 px wide phone: no page scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const delivery = `/endpoints/workspace_webhook/${orders.id}/deliveries/${failedDeliveryId}?event=${eventId}`;
    for (const path of ['/', '/deliveries', endpointPage(orders.id), delivery, `/events/${eventId}`, '/catalog']) {
      await visit(path);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }, STEP_MS);

  it('signs in with the admin token alone for the views across workspaces, and signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.getByLabel('Admin token (for the views across workspaces)').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'All workspaces' }).waitFor();
    expect(await page.getByRole('link', { name: 'Deliveries' }).count()).toBe(0);
    // TODO(integrator, once GET /api/admin/endpoints and /api/admin/workspaces land): assert the
    // orders endpoint is listed first with its workspace id, and this workspace in the list.
    const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    await expectText(page.locator('.error-message').first(), (await h.api.get('/api/admin/endpoints?limit=100').set(admin)).body.error.message);
    await expectText(page.locator('.error-message').last(), (await h.api.get('/api/admin/workspaces?limit=100').set(admin)).body.error.message);
  }, STEP_MS);

  it('ran every step without an uncaught error or a refused resource', () => {
    expect(breakage).toEqual([]);
  });
});
