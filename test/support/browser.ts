/**
 * Headless Debian Chromium driven by playwright-core, for the e2e tests (test/e2e/). Chromium must be
 * installed (`apt-get install -y chromium`; .ci/run does it): a missing browser fails the test with
 * that instruction, it never skips. Each launch gets a fresh profile directory.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of each main screen land here (gitignored). */
export const ARTIFACTS = new URL('../.artifacts/e2e/', import.meta.url).pathname;

/** What this machine's closed network and a root user need: no sandbox, no calls home. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync', '--disable-quic'];

export function assertChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the browser tests need Debian's chromium (apt-get update && apt-get install -y chromium; .ci/run installs it)`);
  }
}

export interface Browser { context: BrowserContext; close(): Promise<void> }

/** A browser at 1366×768 (the smallest screen the app must be usable on). */
export async function launchBrowser(options: { locale?: string } = {}): Promise<Browser> {
  assertChromium();
  const profile = mkdtempSync(join(tmpdir(), 'recourse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1366, height: 768 }, locale: options.locale ?? 'zh-CN', timeout: 60_000,
  });
  // Generous: the suite runs files in parallel on two cores, and a busy machine slows the browser most.
  context.setDefaultTimeout(45_000);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  return path;
}

/** Console errors, page errors and CSP violations seen by a page (the app must cause none). */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/** A JSON GET through the signed-in browser's own cookies; anything but 200 fails the test naming the path. */
export async function getJson<T>(context: BrowserContext, base: string, path: string): Promise<T> {
  const r = await context.request.get(`${base}${path}`);
  expect(r.status(), `${path}: ${await r.text()}`).toBe(200);
  return (await r.json()) as T;
}

/** No horizontal scrolling at 1366×768. */
export async function fitsTheScreen(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate<{ scroll: number; width: number }>('({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })');
  expect(scroll, 'the page scrolls sideways at 1366×768').toBeLessThanOrEqual(width);
}
