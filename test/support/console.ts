// The web console in Debian's Chromium for the end-to-end tests: launch, sign in, check a page with
// axe-core and save its screenshot (./screenshots.ts says where).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './tray/browser.js';
import { deadline } from './deadline.js';
import { SCREENSHOTS } from './screenshots.js';

export interface ConsoleBrowser {
  browser: Browser;
  page: Page;
  /** Errors the page threw or logged (401/403 answers excepted: the tests provoke them). */
  problems: string[];
}

export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await launchChromium();
  // bypassCSP only so that axe-core can be injected; the console's own CSP is asserted by the tests.
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
  // Playwright's 30 s for every wait and action, stretched for a loaded machine like any deadline.
  context.setDefaultTimeout(deadline(30_000));
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { browser, page, problems };
}

/** Fills the sign-in form; the caller waits for what should follow. */
export async function fillSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Runs axe-core (WCAG 2 A and AA, best practice) on the page, fails on any violation, saves console-<name>.png. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const inPage = (globalThis as unknown as { axe: typeof axe }).axe;
    const r = await inPage.run({ runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] });
    return r.violations.map(
      (v) =>
        `${v.id}: ${v.help} (${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')})`,
    );
  });
  assert.deepEqual(violations, [], `axe-core on the ${name} page`);
  await page.screenshot({ path: join(SCREENSHOTS, `console-${name}.png`) });
}
