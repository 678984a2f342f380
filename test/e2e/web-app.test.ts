/**
 * The web app end to end, in headless Chromium against the real server process (`npm start` on a fresh
 * database with a demo portfolio): log in (the admin with its one-time code, a collector by keyboard
 * alone), the dashboard's aggregates, the account list paged and filtered on the server, an account with
 * an audited unmask, the language switch (labels, numbers, money and dates), logout. Each main screen is
 * saved to test/.artifacts/e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { totpCode } from '../../src/modules/identity/index.ts';
import { assertChromium, fitsTheScreen, getJson, launchBrowser, screenshot, watchProblems, type Browser } from '../support/browser.ts';
import { DEMO_PASSWORD, startServeProcess, type ServeProcess } from '../support/serve-process.ts';

const ACCOUNTS = 130;
let server: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  assertChromium();
  server = await startServeProcess({ demoAccounts: ACCOUNTS });
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface ApiAccount { id: string; bucket: string | null; daysPastDue: number | null; balance: string | null; currency: string }

/** The API as the signed-in browser sees it (same cookies). */
const apiGet = <T>(context: BrowserContext, path: string) => getJson<T>(context, server.base, path);

/** The account ids of the list on screen (once it is the account list, and loaded). */
async function rowIds(page: Page): Promise<string[]> {
  await page.locator('.ant-table-tbody tr.ant-table-row td:first-child a').first().waitFor();
  await expect.poll(() => page.locator('.ant-spin-spinning').count()).toBe(0);
  return page.locator('.ant-table-tbody tr.ant-table-row td:first-child a').allTextContents();
}

const digits = (text: string) => text.replace(/\D/g, '');

describe('the web app in Chromium', () => {
  let page: Page;
  let problems: string[];

  it('serves the app at / and answers unknown API paths with problems, not the page', async () => {
    const root = await fetch(`${server.base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/app/');
    const deep = await fetch(`${server.base}/app/accounts/some-id?bucket=M2`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await deep.text();
    expect(html).toContain('<div id="root">');
    expect(html, 'no inline scripts (the CSP allows none)').not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(deep.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const missing = await fetch(`${server.base}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const asset = await fetch(`${server.base}/app/assets/not-there.js`);
    expect(asset.status).toBe(404);
    expect((await fetch(`${server.base}/accounts`)).status, 'the data still needs a login').toBe(401);
    expect(server.output()).toMatch(/web app built in|listening on/);
  });

  it('logs the admin in with password and one-time code', async () => {
    page = await browser.context.newPage();
    problems = watchProblems(page);
    await page.goto(`${server.base}/`);
    await page.waitForURL('**/app/login');
    await page.getByLabel('用户名').fill(server.admin.username);
    await page.getByLabel('密码').fill(server.admin.password);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('此账号需要动态验证码');
    await page.getByLabel('动态验证码').fill(totpCode(server.admin.totpSecret, new Date()));
    await screenshot(page, '01-login-totp');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL('**/app/dashboard');
    expect(await page.getByTestId('current-user').textContent()).toBe('admin');
    expect(await page.getByTestId('current-role').textContent()).toContain('系统管理员');
  });

  it('shows the dashboard: the bucket distribution of the last aging run and the roll-rate heatmap', async () => {
    const report = await apiGet<{ asOf: string; accounts: number; buckets: { bucket: string; accounts: number }[] }>(browser.context, '/reports/buckets');
    expect(report.accounts).toBe(ACCOUNTS);
    const table = page.getByTestId('bucket-table');
    await expect.poll(() => table.locator('tfoot, .ant-table-footer').textContent()).toContain(`合计 ${ACCOUNTS} 个账户`);
    for (const b of report.buckets) {
      const row = table.locator('tr', { has: page.locator('td', { hasText: new RegExp(`^${b.bucket.replace('+', '\\+')}$`) }) });
      expect(await row.locator('td').nth(1).textContent(), b.bucket).toBe(b.accounts.toLocaleString('zh-CN'));
    }
    const subtitle = await page.getByTestId('buckets-subtitle').textContent();
    expect(subtitle).toMatch(/^最近一次账龄计算（\d{4}年\d{1,2}月\d{1,2}日）$/);
    await page.locator('[data-testid="rolls-subtitle"]').waitFor();
    expect(await page.locator('canvas').count(), 'the bar chart and the heatmap').toBeGreaterThanOrEqual(2);
    await fitsTheScreen(page);
    await screenshot(page, '02-dashboard-zh', { fullPage: true });
  });

  it('lists accounts a page at a time from the server, and pages back', async () => {
    await page.getByRole('link', { name: '账户' }).click();
    await page.waitForURL('**/app/accounts');
    const first = await rowIds(page);
    const api = await apiGet<{ accounts: ApiAccount[]; nextCursor: string }>(browser.context, '/accounts?limit=20');
    expect(first).toEqual(api.accounts.map((a) => a.id));
    expect(await page.getByTestId('pager-page').textContent()).toBe('第 1 页');
    await screenshot(page, '03-accounts-zh');
    await fitsTheScreen(page);

    await page.getByRole('button', { name: /下一页/ }).click();
    await expect.poll(() => page.getByTestId('pager-page').textContent()).toBe('第 2 页');
    await expect.poll(() => rowIds(page)).not.toEqual(first);
    const second = await rowIds(page);
    const apiSecond = await apiGet<{ accounts: ApiAccount[] }>(browser.context, `/accounts?limit=20&cursor=${api.nextCursor}`);
    expect(second).toEqual(apiSecond.accounts.map((a) => a.id));
    expect(page.url()).toContain(`cursor=${api.nextCursor}`);

    await page.getByRole('button', { name: /上一页/ }).click();
    await expect.poll(() => page.getByTestId('pager-page').textContent()).toBe('第 1 页');
    await expect.poll(() => rowIds(page)).toEqual(first);
  });

  it('filters by bucket and by a days-past-due range on the server, and refuses an empty range inline', async () => {
    const report = await apiGet<{ buckets: { bucket: string; accounts: number }[] }>(browser.context, '/reports/buckets');
    const bucket = report.buckets.filter((b) => b.bucket !== 'M0').sort((a, b) => b.accounts - a.accounts)[0]!;
    expect(bucket.accounts).toBeGreaterThan(0);
    await page.getByLabel('账龄段').click();
    await page.locator('.ant-select-item-option', { hasText: new RegExp(`^${bucket.bucket.replace('+', '\\+')}$`) }).click();
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.waitForURL(`**/app/accounts?bucket=${encodeURIComponent(bucket.bucket)}`);
    const api = await apiGet<{ accounts: ApiAccount[] }>(browser.context, `/accounts?limit=20&bucket=${encodeURIComponent(bucket.bucket)}`);
    await expect.poll(() => rowIds(page)).toEqual(api.accounts.map((a) => a.id));
    expect(await page.locator('.ant-table-tbody .ant-tag').allTextContents()).toEqual(api.accounts.map(() => bucket.bucket));

    // A range around a delinquent account's days past due, so it holds at least that account.
    const late = (await apiGet<{ accounts: ApiAccount[] }>(browser.context, '/accounts?limit=1&dpdMin=1')).accounts[0]!;
    const [min, max] = [Math.max(1, late.daysPastDue! - 10), late.daysPastDue! + 30];
    await page.getByRole('button', { name: /重\s*置/ }).click();
    await page.getByLabel('逾期天数 ≥').fill(String(max));
    await page.getByLabel('逾期天数 ≤').fill(String(min));
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await expect.poll(() => page.getByText('最小逾期天数不能大于最大逾期天数').count()).toBe(1);
    await page.getByLabel('逾期天数 ≥').fill(String(min));
    await page.getByLabel('逾期天数 ≤').fill(String(max));
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.waitForURL(`**/app/accounts?dpdMin=${min}&dpdMax=${max}`);
    const ranged = await apiGet<{ accounts: ApiAccount[] }>(browser.context, `/accounts?limit=20&dpdMin=${min}&dpdMax=${max}`);
    expect(ranged.accounts.map((a) => a.id)).toContain(late.id);
    await expect.poll(() => rowIds(page)).toEqual(ranged.accounts.map((a) => a.id));
    const shownDays = (await page.locator('.ant-table-tbody tr.ant-table-row td:nth-child(4)').allTextContents()).map(Number);
    expect(shownDays.every((d) => d >= min && d <= max), shownDays.join(',')).toBe(true);
    await screenshot(page, '04-accounts-filtered-zh');
  });

  it('opens an account: masked customer, balances in yuan, dates in Chinese; unmasks it for a reason, audited', async () => {
    const id = (await rowIds(page))[0]!;
    await page.getByRole('link', { name: id, exact: true }).click();
    await page.waitForURL(`**/app/accounts/${encodeURIComponent(id)}`);
    await page.getByRole('heading', { name: `账户 ${id}` }).waitFor();
    const view = await apiGet<{ balances: { balance: string; dueDate: string }; customer: { nationalId: string } }>(browser.context, `/accounts/${encodeURIComponent(id)}`);
    const balance = (await page.getByTestId('account-balance').textContent())!;
    expect(balance).toMatch(/^-?¥[\d,]+\.\d{2}$/);
    expect(digits(balance)).toBe(digits(view.balances.balance));
    expect(await page.getByTestId('account-due-date').textContent()).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(await page.getByText(view.customer.nationalId, { exact: true }).count()).toBe(1);
    expect(view.customer.nationalId).toMatch(/^\*+/);
    await fitsTheScreen(page);
    await screenshot(page, '05-account-zh');

    await page.getByRole('button', { name: /查看完整信息/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: /查\s*看/ }).click();
    await expect.poll(() => dialog.getByText('请填写原因').count()).toBe(1);
    await dialog.getByLabel('原因').fill('客户来电，核实身份信息');
    await dialog.getByRole('button', { name: /查\s*看/ }).click();
    await expect.poll(() => dialog.getByText(/已记录审计/).count()).toBe(1);
    const clear = await dialog.locator('.ant-descriptions-item-content').first().textContent();
    expect(clear).toMatch(/^[0-9X]{15,18}$/);
    expect(clear!.endsWith(view.customer.nationalId.replace(/^\*+/, ''))).toBe(true);
    await screenshot(page, '06-unmask-zh');
    const audit = await apiGet<{ entries: { action: string; reason: string; subject: { id: string } }[] }>(browser.context, `/audit/access?subjectId=${encodeURIComponent(id)}`);
    expect(audit.entries.some((e) => e.reason === '客户来电，核实身份信息')).toBe(true);
    await dialog.getByRole('button', { name: /关\s*闭/ }).click();
  });

  it('switches to English everywhere: labels, numbers, money and dates, and keeps the choice on reload', async () => {
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('button', { name: 'Show in full' }).waitFor();
    const balance = (await page.getByTestId('account-balance').textContent())!;
    expect(balance).toMatch(/^-?CN¥[\d,]+\.\d{2}$/);
    expect(await page.getByTestId('account-due-date').textContent()).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}$/);
    expect(await page.getByRole('link', { name: 'Back to the accounts' }).count()).toBe(1);
    expect(await page.getByTestId('current-role').textContent()).toContain('Administrator');
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('en');
    await screenshot(page, '07-account-en');

    await page.reload();
    await page.getByRole('link', { name: 'Back to the accounts' }).click();
    await page.waitForURL('**/app/accounts');
    await page.getByRole('columnheader', { name: 'Days past due' }).waitFor();
    expect(await page.getByTestId('pager-page').textContent()).toBe('Page 1');
    const dates = await page.locator('.ant-table-tbody tr.ant-table-row td:nth-child(7)').allTextContents();
    expect(dates.length).toBeGreaterThan(0);
    for (const d of dates) expect(d).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}$/);
    await screenshot(page, '08-accounts-en');

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => page.getByTestId('bucket-table').locator('.ant-table-footer').textContent()).toBe(`${ACCOUNTS} accounts in all`);
    expect(await page.getByTestId('buckets-subtitle').textContent()).toMatch(/^Last aging run \([A-Z][a-z]{2} \d{1,2}, \d{4}\)$/);
    await page.locator('[data-testid="rolls-subtitle"]').waitFor();
    await screenshot(page, '09-dashboard-en', { fullPage: true });
  });

  it('shows its own page for an unknown client route, and logs out', async () => {
    await page.goto(`${server.base}/app/no-such-page`);
    await page.getByText('Page not found').waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/app/login');
    expect((await browser.context.request.get(`${server.base}/auth/me`)).status()).toBe(401);
    await page.goto(`${server.base}/app/accounts`);
    await page.waitForURL('**/app/login');
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('lets a collector in by keyboard alone, back where they were going: their team\'s accounts only, and no unmask', async () => {
    await page.getByText('中文', { exact: true }).click();
    await page.getByLabel('用户名').focus();
    await page.keyboard.type('demo-collector');
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/app/accounts');
    expect(await page.getByTestId('current-role').textContent()).toContain('催收员');
    const ids = await rowIds(page);
    const team = await apiGet<{ accounts: ApiAccount[] }>(browser.context, '/accounts?limit=20');
    expect(ids).toEqual(team.accounts.map((a) => a.id));
    // Keyboard through the side menu to the dashboard: the collector's team is half the demo portfolio.
    await page.getByRole('link', { name: '概览' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/app/dashboard');
    await expect.poll(() => page.getByTestId('bucket-table').locator('.ant-table-footer').textContent()).toBe(`合计 ${ACCOUNTS / 2} 个账户`);
    await page.getByRole('link', { name: '账户' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/app/accounts');
    await page.getByRole('link', { name: ids[0]!, exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `账户 ${ids[0]}` }).waitFor();
    expect(await page.getByRole('button', { name: /查看完整信息/ }).count(), 'a collector may not unmask').toBe(0);
    await screenshot(page, '10-account-collector-zh');
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
