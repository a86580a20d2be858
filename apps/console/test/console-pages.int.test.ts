import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { disableInDb } from '../../../test-support/api-helpers.js';
import { ADMIN_TOKEN } from '../../../test-support/harness.js';
import { cell, expectContains, expectCount, expectFocused, expectText, horizontalOverflow, openConsole, signIn, stat, unlabelledControls, type OpenConsole } from './browser.js';
import { OUTBOUND_TOKEN, startOnCallFixture, type OnCallFixture } from './on-call-fixture.js';

// Every page of the console in a real browser against a real API and worker: the actions that are
// not part of the on-call story, the API's errors shown as they came, every kind of endpoint,
// labelled controls, a phone-sized window, and the operator's sign-in.

let fx: OnCallFixture;
let browser: OpenConsole;
let page: Page;
const STEP_MS = 60_000;

beforeAll(async () => {
  fx = await startOnCallFixture();
  browser = await openConsole(fx.h);
  page = browser.page;
  await signIn(browser, { apiKey: fx.ws.key, adminToken: ADMIN_TOKEN });
}, STEP_MS);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('the console, page by page', () => {
  it('enables a disabled endpoint after saying what that does', async () => {
    await disableInDb(fx.h, fx.audit.id, 12);
    await browser.visit(`/endpoints/${fx.audit.id}`);
    await expectContains(page.getByRole('status').filter({ hasText: 'Disabled since' }), 'failing');
    await page.getByRole('button', { name: 'Enable' }).click();
    await expectContains(page.getByRole('dialog'), 'failure count goes back to 0');
    await page.getByRole('dialog').getByRole('button', { name: 'Enable' }).click();
    await expectCount(page.getByText('Disabled since'), 0);
    expect((await fx.get(`/api/webhooks-manage/${fx.audit.id}`)).disabledAt).toBeNull();
  }, STEP_MS);

  it('lists the events, shows one with its deliveries, and sends a catalog example after confirming', async () => {
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    const row = page.locator('tbody tr').filter({ has: page.getByRole('link', { name: fx.eventId }) });
    await expectText(cell(row, 'Type'), 'lead.created');
    await expectCount(page.locator('tbody tr'), (await fx.get('/api/events')).data.length);
    await row.getByRole('link', { name: fx.eventId }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    await expectCount(page.locator('tbody tr'), 2);
    await page.getByRole('link', { name: fx.failingDeliveryId }).click();
    await expectText(page.locator('h1 .badge-failing'), 'failing');

    await browser.visit('/catalog');
    await page.getByText('lead.created', { exact: true }).click();
    await page.getByRole('button', { name: 'Send example lead.created' }).click();
    await expectContains(page.getByRole('dialog'), 'every enabled endpoint subscribed to lead.created');
    await page.getByRole('dialog').getByRole('button', { name: 'Emit event' }).click();
    await expectContains(page.getByRole('status').filter({ hasText: 'Accepted' }), '2 deliveries');
  }, STEP_MS);

  it('opens the page of every kind of endpoint and their deliveries by id alone; a custom header stays masked', async () => {
    const zapped = (await fx.get(`/api/deliveries?targetId=${fx.zapier.id}`)).data[0];
    const clicked = (await fx.get(`/api/deliveries?targetId=${fx.clicks.id}`)).data[0];
    expect(fx.receiver.on('/zap')[0]?.headers.authorization).toBe(OUTBOUND_TOKEN);

    await browser.visit(`/endpoints/${fx.zapier.id}`);
    await page.getByRole('heading', { name: 'zapier', level: 1 }).waitFor();
    await page.getByRole('link', { name: zapped.id }).click();
    await page.getByText('Request headers (').first().click();
    await expectContains(page.locator('.headers').first(), 'Authorization••••••••');
    expect(await page.content()).not.toContain('outbound-token-never-shown');

    await browser.visit(`/endpoints/${fx.clicks.id}`);
    await page.getByRole('heading', { name: 'clicks', level: 1 }).waitFor();
    await expectContains(page.locator('.facts'), fx.link.id);
    await expectText(stat(page, 'Success (24h)'), '100 % of 1');
    await page.getByRole('link', { name: clicked.id }).click();
    await expectText(page.locator('h1 .badge-succeeded'), 'succeeded');
    await expectContains(page.locator('.facts').getByRole('link', { name: 'clicks' }), 'clicks');
  }, STEP_MS);

  it('has labelled controls on every page and closes a confirmation with Escape, having done nothing', async () => {
    for (const path of ['/', '/deliveries', `/endpoints/${fx.orders.id}`, `/deliveries/${fx.failingDeliveryId}`, '/events', '/catalog', '/admin']) {
      await browser.visit(path);
      await page.locator('main h1').first().waitFor();
      expect({ path, unlabelled: await unlabelledControls(page) }).toEqual({ path, unlabelled: [] });
    }
    await browser.visit(`/endpoints/${fx.orders.id}`);
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
    for (const path of ['/', '/deliveries', `/endpoints/${fx.orders.id}`, `/deliveries/${fx.failingDeliveryId}`, '/events', `/events/${fx.eventId}`, '/catalog', '/admin']) {
      await browser.visit(path);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }, STEP_MS);

  it("shows the API's error message as it came: an unknown delivery id is the API's 404", async () => {
    const unknown = 'dlv_00000000000000000000000000';
    const answer = await fx.h.api.get(`/api/deliveries/${unknown}`).set(fx.ws.auth);
    expect(answer.status).toBe(404);
    await browser.visit(`/deliveries/${unknown}`);
    await expectText(page.locator('.error-message'), answer.body.error.message);
    await expectContains(page.getByRole('alert'), 'HTTP 404 · not_found');
  }, STEP_MS);

  it("shows the API's 403 as it came when a read-only key tries an action, and changes nothing", async () => {
    const readOnly = await fx.ws.keyWith(['links:read']);
    await signIn(browser, { apiKey: readOnly });
    await browser.visit(`/deliveries/${fx.failingDeliveryId}`);
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    const attempts = await page.locator('.attempt').count();
    const refused = await fx.h.api.post(`/api/deliveries/${fx.failingDeliveryId}/redeliver`).set({ Authorization: `Bearer ${readOnly}` }).send({});
    expect(refused.status).toBe(403);
    await page.getByRole('button', { name: 'Redeliver' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Redeliver now' }).click();
    await expectText(dialog.locator('.error-message'), refused.body.error.message);
    await expectContains(dialog.getByRole('alert'), 'HTTP 403 · forbidden');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await fx.get(`/api/deliveries/${fx.failingDeliveryId}`)).attemptCount).toBe(attempts);
  }, STEP_MS);

  it('signs in with the admin token alone for the views across workspaces, and signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await signIn(browser, { adminToken: ADMIN_TOKEN });
    await page.getByRole('heading', { name: 'All workspaces' }).waitFor();
    expect(await page.getByRole('link', { name: 'Deliveries' }).count()).toBe(0);
    await expectCount(page.locator('.endpoint-row'), 4);
    await expectContains(page.locator('td[data-label="Id"]'), fx.ws.id);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  }, STEP_MS);

  it('ran every step without an uncaught error or a refused resource', () => {
    expect(browser.breakage).toEqual([]);
  });
});
