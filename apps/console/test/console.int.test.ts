import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../../api/src/app.js';
import { createWebhook, disableInDb, example } from '../../../test-support/api-helpers.js';
import { ADMIN_TOKEN, eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { expectContains, expectCount, expectFocused, expectText, horizontalOverflow, launchChromium, screenshotPath, unlabelledControls, until } from './browser.js';

// The console in a real browser against a real API (over a real port), a real worker and a real
// receiver: the on-call story of the issue. Sign in, see the failing endpoint at the top, open its
// failing delivery and read the 500 body, fix the receiver, replay, watch the progress reach done
// and the delivery turn succeeded; rotate a secret and see it once.

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
let link: { id: string };
let clicks: { id: string };
let zapier: { id: string };
let eventId: string;
let failingDeliveryId: string;
/** Uncaught exceptions and CSP refusals in the page: a broken console, whatever it shows. */
const breakage: string[] = [];

const BROKEN = { status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"orders database is down"}' };
const FIXED = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"received":true}' };
const OUTBOUND_TOKEN = 'Bearer outbound-token-never-shown';
const STEP_MS = 60_000;

const visit = (path: string) => page.goto(`${base}/console${path}`);
const endpointPage = (id: string) => `/endpoints/${id}`;
const deliveryPage = (id: string) => `/deliveries/${id}`;
const cell = (row: Locator, label: string) => row.locator(`td[data-label="${label}"]`);
/** A figure of the endpoint page's stats panel, by its name. */
const stat = (name: string) => page.locator('.stats > div').filter({ has: page.getByText(name, { exact: true }) }).locator('dd');
const get = async (path: string, auth: Record<string, string> = ws.auth) => (await h.api.get(path).set(auth)).body;

/** A README screenshot of the page from its top down to the end of `last` (no empty viewport below). */
async function screenshotDown(last: Locator, name: string): Promise<void> {
  const bottom = await last.evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
  await page.screenshot({ path: screenshotPath(name), fullPage: true, clip: { x: 0, y: 0, width: page.viewportSize()!.width, height: Math.ceil(bottom) + 8 } });
}

/** Signs out if signed in, then in again with these, at the overview. */
async function signIn(fields: { apiKey?: string; adminToken?: string }): Promise<void> {
  if (await page.getByRole('button', { name: 'Sign out' }).count()) await page.getByRole('button', { name: 'Sign out' }).click();
  await visit('/');
  if (fields.apiKey) await page.getByLabel('Workspace API key').fill(fields.apiKey);
  if (fields.adminToken) await page.getByLabel('Admin token (for the views across workspaces)').fill(fields.adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('main h1').first().waitFor();
}

beforeAll(async () => {
  // One quick retry, then the next one 10 minutes away: the orders delivery stays `failing` (still
  // retrying) for the whole test, as it would while on-call looks at it.
  h = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '200ms,10m' } });
  receiver = await new Receiver().start();
  receiver.script('/orders', [BROKEN]);
  ws = await h.newWorkspace();
  // Healthy endpoints of every kind beside the failing one, created after it: the API still lists it first.
  orders = await createWebhook(h, ws, { name: 'orders', url: receiver.url('/orders'), triggers: ['lead.created'] });
  audit = await createWebhook(h, ws, { name: 'audit', url: receiver.url('/audit'), triggers: ['lead.created'] });
  link = (await h.api.post('/api/links').set(ws.auth).send({ url: 'https://acme.example/pricing' })).body;
  clicks = (await h.api.post(`/api/links/${link.id}/webhooks`).set(ws.auth).send({ name: 'clicks', url: receiver.url('/clicks'), triggers: ['link.clicked'] })).body;
  zapier = (
    await h.api.post('/api/integrations/outbound').set(ws.auth).send({ url: receiver.url('/zap'), events: ['link.clicked'], description: 'zapier', headers: { Authorization: OUTBOUND_TOKEN } })
  ).body;

  const emitted = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
  expect(emitted.status).toBe(202);
  eventId = emitted.body.id;
  const clicked = await h.api.post('/api/events').set(ws.auth).send({ type: 'link.clicked', data: { ...example('link.clicked'), linkId: link.id }, linkId: link.id });
  expect(clicked.status).toBe(202);
  const failing = await eventually(async () => {
    const [delivery] = (await get(`/api/deliveries?targetId=${orders.id}&status=failing`)).data;
    return delivery?.attemptCount === 2 ? delivery : undefined;
  });
  failingDeliveryId = failing.id;
  await eventually(async () => ((await get('/api/deliveries?status=succeeded')).data.length === 3 ? true : undefined));

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
  it('refuses an unknown key with the API message, then signs in by keyboard with a key and the admin token, kept in session storage only', async () => {
    await visit('/');
    await page.getByLabel('Workspace API key').fill('dsp_not_a_real_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refused = (await h.api.get('/api/webhooks-manage').set({ Authorization: 'Bearer dsp_not_a_real_key' })).body.error.message;
    await expectContains(page.getByRole('alert'), refused);

    await page.getByLabel('Workspace API key').fill('');
    await page.getByLabel('Workspace API key').focus();
    await page.keyboard.type(ws.key);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).not.toContain(ws.key);
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).toContain(ws.key);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await context.cookies()).toEqual([]);
  }, STEP_MS);

  it('shows the failing endpoint first, as the API orders them, with its 24 h success rate, p95, failing count and breaker', async () => {
    const listed = (await get('/api/endpoints?limit=100')).data;
    expect(listed[0].id).toBe(orders.id);
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
    await screenshotDown(page.locator('main table'), 'console-overview.png');
  }, STEP_MS);

  it("lists the failing endpoint first across workspaces with its workspace, and the workspace, in the operator's view", async () => {
    await page.getByRole('link', { name: 'All workspaces' }).click();
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    const first = page.locator('.endpoint-row').first();
    await expectContains(cell(first, 'Endpoint'), 'orders');
    await expectText(cell(first, 'Workspace'), ws.id);
    await expectText(cell(first, 'State'), 'failing');
    await expectCount(page.locator('.endpoint-row'), 4);
    await expectCount(page.locator('td[data-label="Id"]').filter({ hasText: ws.id }), 1);
  }, STEP_MS);

  it('lists the failing delivery under "Failing deliveries", opens it and reads its 500 body and the exact signed payload', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Failing deliveries' }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    expect(new URL(page.url()).search).toBe('?status=failing');
    const rows = page.locator('tbody tr');
    await expectCount(rows, 1);
    await expectContains(cell(rows.first(), 'Delivery'), failingDeliveryId);
    await expectContains(cell(rows.first(), 'Status'), 'failing');
    await expectText(cell(rows.first(), 'Last answer'), '500');

    await page.getByRole('link', { name: failingDeliveryId }).click();
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    await expectText(page.locator('h1 .badge-failing'), 'failing');
    // The next retry is 10 minutes (±20 % jitter) after the second attempt.
    await until(async () => expect(await page.locator('.facts').textContent()).toMatch(/Attempts2 · next in (8|9|10|11|12)m \(/));
    await expectCount(page.locator('.attempt'), 2);
    await expectContains(page.locator('.attempt h3').first(), '500');
    await expectContains(page.getByLabel('Response body', { exact: true }).first(), 'orders database is down');
    await expectContains(page.locator('.facts'), 'orders');

    const detail = await get(`/api/deliveries/${failingDeliveryId}`);
    await page.getByLabel('exact bytes').last().check();
    expect(await page.getByLabel('Payload', { exact: true }).textContent()).toBe(detail.payload);
  }, STEP_MS);

  it("shows the API's error message as it came: an unknown delivery id is the API's 404", async () => {
    const unknown = 'dlv_00000000000000000000000000';
    const answer = await h.api.get(`/api/deliveries/${unknown}`).set(ws.auth);
    expect(answer.status).toBe(404);
    await visit(deliveryPage(unknown));
    await expectText(page.locator('.error-message'), answer.body.error.message);
    await expectContains(page.getByRole('alert'), 'HTTP 404 · not_found');
  }, STEP_MS);

  it('after the receiver is fixed, replays the failing deliveries workspace-wide from a dry-run count, with live progress to done; the delivery turns succeeded', async () => {
    // The replay's attempt takes a while to answer, so the progress shows before it is done.
    receiver.script('/orders', [{ ...FIXED, delayMs: 1_500 }, FIXED]);
    await visit('/deliveries?status=failing');
    expect(await page.getByLabel('Which').inputValue()).toBe('failing');
    await page.getByRole('button', { name: 'Count (dry run)' }).click();
    await expectText(page.locator('.replay-count'), '1 delivery matches');
    expect((await get(`/api/deliveries/${failingDeliveryId}`)).attemptCount).toBe(2);

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
    await page.getByRole('link', { name: failingDeliveryId }).click();
    await expectText(page.locator('h1 .badge-succeeded'), 'succeeded');
    await expectCount(page.locator('.attempt'), 3);
    await expectContains(page.locator('.attempt h3').last(), 'replay');
    await expectContains(page.locator('.attempt h3').last(), '200');
    expect(await page.locator('.facts').textContent()).not.toContain('next');
    await screenshotDown(page.locator('.timeline'), 'console-delivery.png');
  }, STEP_MS);

  it("shows the endpoint's health from its stats route, and replays that endpoint's deliveries with progress to done", async () => {
    await page.locator('.facts').getByRole('link', { name: 'orders' }).click();
    await page.getByRole('heading', { name: 'orders', level: 1 }).waitFor();
    const stats = await get(`/api/webhooks-manage/${orders.id}/stats`);
    expect(stats).toMatchObject({ window: '24h', attempts: 3, successes: 1, consecutiveFailures: 0, failingDeliveries: 0, breaker: 'closed' });
    await expectText(stat('Success (24h)'), '33.3 % of 3');
    await expectText(stat('Latency p50 / p95 / p99'), [stats.latencyMs.p50, stats.latencyMs.p95, stats.latencyMs.p99].map((v: number) => `${Math.round(v)} ms`).join(' / '));
    await expectText(stat('Failing deliveries'), '0');
    await expectText(stat('Consecutive failures'), '0');
    await expectText(stat('Breaker'), 'closed');
    await expectContains(stat('Last success'), 'ago');

    await page.getByLabel('Which').selectOption('all');
    await page.getByRole('button', { name: 'Count (dry run)' }).click();
    await expectText(page.locator('.replay-count'), '1 delivery matches');
    await page.getByRole('button', { name: 'Replay 1' }).click();
    await expectContains(page.getByRole('dialog').getByRole('heading'), `orders (${orders.url})`);
    await page.getByRole('dialog').getByRole('button', { name: 'Replay now' }).click();
    await expectContains(page.locator('.replay-progress'), 'done · 1 of 1 re-sent · 1 succeeded · 0 failed', 20_000);
    expect((await get(`/api/deliveries/${failingDeliveryId}`)).attemptCount).toBe(4);
  }, STEP_MS);

  it('redelivers a delivery after naming it and its endpoint', async () => {
    await page.getByRole('link', { name: failingDeliveryId }).click();
    await page.getByRole('button', { name: 'Redeliver' }).click();
    await expectContains(page.getByRole('dialog').getByRole('heading'), `Redeliver ${failingDeliveryId} to orders (${orders.url})?`);
    await page.getByRole('dialog').getByRole('button', { name: 'Redeliver now' }).click();
    await until(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      expect(await page.locator('.attempt').count()).toBe(5);
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
    expect((await get(`/api/webhooks-manage/${audit.id}`)).disabledAt).toBeNull();
  }, STEP_MS);

  it('lists the events, shows one with its deliveries, and sends a catalog example after confirming', async () => {
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    const row = page.locator('tbody tr').filter({ has: page.getByRole('link', { name: eventId }) });
    await expectText(cell(row, 'Type'), 'lead.created');
    await expectCount(page.locator('tbody tr'), (await get('/api/events')).data.length);
    await row.getByRole('link', { name: eventId }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    await expectCount(page.locator('tbody tr'), 2);
    await page.getByRole('link', { name: failingDeliveryId }).click();
    await expectText(page.locator('h1 .badge-succeeded'), 'succeeded');

    await visit('/catalog');
    await page.getByText('lead.created', { exact: true }).click();
    await page.getByRole('button', { name: 'Send example lead.created' }).click();
    await expectContains(page.getByRole('dialog'), 'every enabled endpoint subscribed to lead.created');
    await page.getByRole('dialog').getByRole('button', { name: 'Emit event' }).click();
    await expectContains(page.getByRole('status').filter({ hasText: 'Accepted' }), '2 deliveries');
  }, STEP_MS);

  it('opens the page of every kind of endpoint and their deliveries by id alone; a custom header stays masked', async () => {
    const zapped = (await get(`/api/deliveries?targetId=${zapier.id}`)).data[0];
    const clicked = (await get(`/api/deliveries?targetId=${clicks.id}`)).data[0];
    expect(receiver.on('/zap')[0]?.headers.authorization).toBe(OUTBOUND_TOKEN);

    await visit(endpointPage(zapier.id));
    await page.getByRole('heading', { name: 'zapier', level: 1 }).waitFor();
    await page.getByRole('link', { name: zapped.id }).click();
    await page.getByText('Request headers (').first().click();
    await expectContains(page.locator('.headers').first(), 'Authorization••••••••');
    expect(await page.content()).not.toContain('outbound-token-never-shown');

    await visit(endpointPage(clicks.id));
    await page.getByRole('heading', { name: 'clicks', level: 1 }).waitFor();
    await expectContains(page.locator('.facts'), link.id);
    await expectText(stat('Success (24h)'), '100 % of 1');
    await page.getByRole('link', { name: clicked.id }).click();
    await expectText(page.locator('h1 .badge-succeeded'), 'succeeded');
    await expectContains(page.locator('.facts').getByRole('link', { name: 'clicks' }), 'clicks');
  }, STEP_MS);

  it('has labelled controls on every page and closes a confirmation with Escape, having done nothing', async () => {
    for (const path of ['/', '/deliveries', endpointPage(orders.id), deliveryPage(failingDeliveryId), '/events', '/catalog', '/admin']) {
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
    for (const path of ['/', '/deliveries', endpointPage(orders.id), deliveryPage(failingDeliveryId), '/events', `/events/${eventId}`, '/catalog', '/admin']) {
      await visit(path);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }, STEP_MS);

  it("shows the API's 403 as it came when a read-only key tries an action, and changes nothing", async () => {
    const readOnly = await ws.keyWith(['links:read']);
    await signIn({ apiKey: readOnly });
    await visit(deliveryPage(failingDeliveryId));
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    const attempts = await page.locator('.attempt').count();
    const refused = await h.api.post(`/api/deliveries/${failingDeliveryId}/redeliver`).set({ Authorization: `Bearer ${readOnly}` }).send({});
    expect(refused.status).toBe(403);
    await page.getByRole('button', { name: 'Redeliver' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Redeliver now' }).click();
    await expectText(dialog.locator('.error-message'), refused.body.error.message);
    await expectContains(dialog.getByRole('alert'), 'HTTP 403 · forbidden');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await get(`/api/deliveries/${failingDeliveryId}`)).attemptCount).toBe(attempts);
  }, STEP_MS);

  it('signs in with the admin token alone for the views across workspaces, and signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await signIn({ adminToken: ADMIN_TOKEN });
    await page.getByRole('heading', { name: 'All workspaces' }).waitFor();
    expect(await page.getByRole('link', { name: 'Deliveries' }).count()).toBe(0);
    await expectCount(page.locator('.endpoint-row'), 4);
    await expectContains(page.locator('td[data-label="Id"]'), ws.id);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  }, STEP_MS);

  it('ran every step without an uncaught error or a refused resource', () => {
    expect(breakage).toEqual([]);
  });
});
