import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

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
