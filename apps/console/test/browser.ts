import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createApp } from '@dispatch/api/testing';
import type { Harness } from '../../../test-support/harness.js';

// Debian's Chromium driven by playwright-core (playwright's own browser download cannot work
// offline). `.ci/run` installs it when missing; elsewhere set DISPATCH_CHROMIUM to a Chromium.

export const CHROMIUM = process.env.DISPATCH_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set DISPATCH_CHROMIUM`);
  // playwright gives each launch a fresh profile folder; these flags keep Chromium from calling
  // out (the network here is closed, and a test must not depend on it).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export interface OpenConsole {
  /** The API's origin; the console is at `${base}/console`. */
  base: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and CSP refusals in the page: a broken console, whatever it shows. */
  breakage: string[];
  /** Opens a console page by its path below /console. */
  visit(path: string): Promise<unknown>;
  close(): Promise<void>;
}

/** The harness's API on a real port (the console as it serves it) and one browser page. */
export async function openConsole(h: Harness): Promise<OpenConsole> {
  const server: Server = createApp(h.deps).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const breakage: string[] = [];
  page.on('pageerror', (error) => breakage.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) breakage.push(message.text());
  });
  const close = async () => {
    await browser.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { base, context, page, breakage, visit: (path) => page.goto(`${base}/console${path}`), close };
}

/** Signs out if signed in, then in again with these, and waits for the first page. */
export async function signIn(opened: OpenConsole, fields: { apiKey?: string; adminToken?: string }): Promise<void> {
  const { page } = opened;
  if (await page.getByRole('button', { name: 'Sign out' }).count()) await page.getByRole('button', { name: 'Sign out' }).click();
  await opened.visit('/');
  if (fields.apiKey) await page.getByLabel('Workspace API key').fill(fields.apiKey);
  if (fields.adminToken) await page.getByLabel('Admin token (for the views across workspaces)').fill(fields.adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('main h1').first().waitFor();
}

/** A table cell by its column (every table labels its cells for narrow screens). */
export const cell = (row: Locator, label: string) => row.locator(`td[data-label="${label}"]`);

/** A figure of an endpoint page's stats panel, by its name. */
export const stat = (page: Page, name: string) => page.locator('.stats > div').filter({ has: page.getByText(name, { exact: true }) }).locator('dd');

/** The page is no wider than the window: nothing scrolls sideways. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Form controls without a label and buttons without a name (what a screen reader could not name). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const missing: string[] = [];
    for (const control of Array.from(document.querySelectorAll<HTMLInputElement>('input, select, textarea'))) {
      if (control.labels?.length || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby')) continue;
      missing.push(control.outerHTML.slice(0, 80));
    }
    for (const button of Array.from(document.querySelectorAll('button, a[href]'))) {
      if (!(button.textContent ?? '').trim() && !button.getAttribute('aria-label')) missing.push(button.outerHTML.slice(0, 80));
    }
    return missing;
  });
}

/**
 * Screenshots for the README: written to docs/ when DISPATCH_UPDATE_SCREENSHOTS=1 (then committed),
 * else to a scratch folder, so an ordinary test run leaves the checkout as it was.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.DISPATCH_UPDATE_SCREENSHOTS === '1' ? new URL('../../../docs', import.meta.url).pathname : join(tmpdir(), 'dispatch-console-screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** A README screenshot of the page from its top down to the end of `last` (no empty window below). */
export async function screenshotDown(page: Page, last: Locator, name: string): Promise<void> {
  const bottom = await last.evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
  await page.screenshot({ path: screenshotPath(name), fullPage: true, clip: { x: 0, y: 0, width: page.viewportSize()!.width, height: Math.ceil(bottom) + 8 } });
}

// playwright-core has no `expect` of its own: these wait for the page the way its matchers do,
// then assert with jest's, so a failure names what was on screen.

/** Retries an assertion until it holds or the time is up, then fails with its last error. */
export async function until(assertion: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const text = async (locator: Locator) => ((await locator.textContent({ timeout: 1_000 })) ?? '').trim();

export const expectText = (locator: Locator, expected: string, timeoutMs?: number) => until(async () => expect(await text(locator)).toBe(expected), timeoutMs);
export const expectContains = (locator: Locator, expected: string, timeoutMs?: number) => until(async () => expect(await text(locator)).toContain(expected), timeoutMs);
export const expectCount = (locator: Locator, count: number) => until(async () => expect(await locator.count()).toBe(count));
export const expectFocused = (locator: Locator) => until(async () => expect(await locator.evaluate((el) => el === document.activeElement)).toBe(true));
