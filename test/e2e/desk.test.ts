/**
 * The collector desk and the supervisor's screens end to end, in headless Chromium against the real
 * server process (`npm start` on a fresh database with the demo portfolio and its first-day call list):
 * a collector takes the next case, fails the right-party check until it locks (third party: no debt
 * shown), takes the next case, passes the check, previews a plan (the pack's 60-month limit shown at
 * the months field, then a live schedule), records a promise to pay and the outcome (a prohibited word
 * in the note refused at the field first); the supervisor then sees the promise in the team KPIs, the
 * team queues and the approvals inbox. No console error is allowed; screenshots go to test/.artifacts/e2e/.
 *
 * The server's clock starts at the next 10:00 in Shanghai (RECOURSE_CLOCK_START), inside the pack's
 * contact window (CN-01, 08:00–22:00), so the test does not depend on the hour it runs at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { assertChromium, fitsTheScreen, getJson, launchBrowser, screenshot, type Browser } from '../support/browser.ts';
import { DEMO_PASSWORD, startServeProcess, type ServeProcess } from '../support/serve-process.ts';

let server: ServeProcess;
let browser: Browser;

/** The next 10:00 Asia/Shanghai (02:00 UTC) after now. */
function nextShanghaiTen(): string {
  const at = new Date();
  at.setUTCHours(2, 0, 0, 0);
  if (at.getTime() <= Date.now()) at.setUTCDate(at.getUTCDate() + 1);
  return at.toISOString();
}

beforeAll(async () => {
  assertChromium();
  server = await startServeProcess({ demoAccounts: 400, env: { RECOURSE_CLOCK_START: nextShanghaiTen() } });
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Console errors and page errors, as test/support/browser.ts watches them, except the refusals a step
 * provokes on purpose: Chromium logs every 4xx answer as a console error, so a step names the API path
 * it expects a refusal from (`expectRefusal`), and the test checks that refusal did come.
 */
function watchProblems(page: Page) {
  const problems: string[] = [];
  const expected = new Map<string, number>();
  page.on('console', (m) => {
    // A 401 before login (GET /auth/me) is how the app learns nobody is signed in, as in browser.ts.
    if (m.type() !== 'error' || /status of 401/.test(m.text())) return;
    const url = m.location().url ?? '';
    const status = /status of (\d{3})/.exec(m.text())?.[1];
    const path = status ? [...expected.keys()].find((p) => url.includes(p) && status.startsWith('4')) : undefined;
    if (path !== undefined) expected.set(path, expected.get(path)! + 1);
    else problems.push(`console: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    problems,
    expectRefusal(path: string) {
      expected.set(path, 0);
    },
    refusals: (path: string) => expected.get(path) ?? 0,
    done(path: string) {
      expected.delete(path);
    },
  };
}

/** The API as the signed-in browser sees it (same cookies). */
const apiGet = <T>(context: BrowserContext, path: string) => getJson<T>(context, server.base, path);

async function login(page: Page, username: string): Promise<void> {
  await page.goto(`${server.base}/app/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByTestId('current-user').waitFor();
  expect(await page.getByTestId('current-user').textContent()).toBe(username);
}

async function logout(page: Page): Promise<void> {
  await page.context().clearCookies();
  await page.evaluate('localStorage.removeItem("recourse.csrf")');
}

/** Picks an option of the Ant Design select labelled `label`. */
async function choose(page: Page, label: string, option: string | RegExp): Promise<void> {
  await page.getByLabel(label, { exact: true }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
}

interface Case360 { customer: { name: string; nationalId: string | null }; account: { currency: string }; asOf: string }

describe('the collector desk and the supervisor in Chromium', () => {
  let page: Page;
  let watch: ReturnType<typeof watchProblems>;
  let promisedAccount = '';
  let proposalId = '';
  let firstAccount = '';

  it('gives the collector the next case: the Account 360 masked, the debt hidden, whether and which number to call', async () => {
    page = await browser.context.newPage();
    watch = watchProblems(page);
    await login(page, 'demo-collector');
    await page.getByRole('link', { name: '催收工作台' }).click();
    await page.waitForURL('**/app/desk');
    await page.getByRole('button', { name: /下一个案件/ }).click();
    await page.getByTestId('held-case').waitFor();
    expect(await page.getByTestId('held-case').textContent()).toMatch(/正在处理：工作项 #\d+（人工外呼，账户 \S+）/);
    firstAccount = /账户 (\S+)）/.exec((await page.getByTestId('held-case').textContent())!)![1]!;
    const itemId = /#(\d+)/.exec((await page.getByTestId('held-case').textContent())!)![1]!;
    await expect.poll(() => page.getByTestId('team-counts').textContent()).toMatch(/^team-a 队列：待处理 \d+，处理中 1$/);
    // A reload forgets the case on screen, not the claim: my queue offers to resume it.
    await page.reload();
    await page.getByRole('button', { name: `继续处理 #${itemId}（${firstAccount}）` }).click();
    await page.locator(`[data-testid="account-360"][data-account="${firstAccount}"]`).waitFor();
    await page.getByTestId('account-360').waitFor();
    expect(await page.getByTestId('national-id').textContent(), 'masked').toMatch(/^\*+[0-9X]{4}$/);
    await page.getByTestId('debt-hidden').waitFor();
    const compliance = page.getByTestId('compliance');
    await expect.poll(() => compliance.textContent()).toContain('现在可以拨打');
    expect(await page.getByTestId('dial').textContent()).toMatch(/拨打号码: 1\d{2}\*{4}\d{4} · 本人 · 联系点 phone:\d/);
    await fitsTheScreen(page);
    await screenshot(page, '10-desk-case-zh');
  });

  it('locks the right-party check after three failures and shows no debt to a third party', async () => {
    await page.getByRole('button', { name: /开始通话/ }).click();
    await page.getByTestId('on-the-line').waitFor();
    for (const left of [2, 1]) {
      // By keyboard: the name, Tab to the last four, Enter submits.
      await page.getByLabel('客户姓名').fill('某某某');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.id')).toBe('rpc_last4');
      await page.keyboard.type('0000');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('rpc-failed').textContent()).toBe(`核身未通过，还可尝试 ${left} 次`);
      expect(await page.getByTestId('rpc-attempts').textContent()).toBe(`剩余尝试次数：${left}`);
    }
    // The shape is checked before the server is asked.
    await page.getByLabel('证件号码后四位').fill('12');
    await page.getByRole('button', { name: /核\s*验/ }).click();
    await page.getByText('请填写 4 位数字或字母（末位可为 X）').waitFor();
    await page.getByLabel('证件号码后四位').fill('0000');
    await page.getByRole('button', { name: /核\s*验/ }).click();
    await page.getByTestId('rpc-locked').waitFor();
    expect(await page.getByTestId('debt-hidden').count()).toBe(1);
    await screenshot(page, '11-desk-rpc-locked-zh');
    // Whoever failed the check is a third party: that outcome only.
    await choose(page, '结果', '接通-第三方');
    await page.getByRole('button', { name: /保存结果/ }).click();
    await page.getByTestId('outcome-saved').waitFor();
  });

  it('passes the check on the next case, previews a plan (60-month limit at the field), records a promise and the outcome', async () => {
    await page.getByRole('button', { name: /下一个案件/ }).click();
    await expect.poll(() => page.getByTestId('outcome-saved').count()).toBe(0);
    expect(await page.getByTestId('queue-empty').count(), 'the demo call list has a second case for team-a').toBe(0);
    const held = (await page.getByTestId('held-case').textContent())!;
    promisedAccount = /账户 (\S+)）/.exec(held)![1]!;
    expect(promisedAccount, 'another case than the first').not.toBe(firstAccount);
    await page.locator(`[data-testid="account-360"][data-account="${promisedAccount}"]`).waitFor();
    const view = await apiGet<Case360>(browser.context, `/accounts/${encodeURIComponent(promisedAccount)}/360`);
    await page.getByRole('button', { name: /开始通话/ }).click();
    await page.getByTestId('on-the-line').waitFor();
    await page.getByLabel('客户姓名').fill(view.customer.name);
    await page.getByLabel('证件号码后四位').fill(view.customer.nationalId!.slice(-4));
    await page.getByRole('button', { name: /核\s*验/ }).click();
    await page.getByTestId('rpc-passed').waitFor().catch(async (e: Error) => {
      throw new Error(`${e.message}\non screen: ${await page.getByTestId('call').textContent()}\nexpected: ${view.customer.name} ${view.customer.nationalId}`);
    });
    await page.getByTestId('debt').waitFor();
    expect(await page.getByTestId('debt').textContent()).toMatch(/¥[\d,]+\.\d{2}/);

    // The plan: the pack's 60-month limit at the months field, then a live schedule.
    await page.getByRole('tab', { name: '分期方案' }).click();
    const months = page.getByLabel('期数（月）');
    watch.expectRefusal('/arrangements/quote');
    await months.fill('61');
    await expect.poll(() => page.locator('.ant-form-item-has-error').filter({ has: months }).textContent()).toMatch(/60/);
    expect(watch.refusals('/arrangements/quote'), 'the server refused 61 months (422)').toBeGreaterThan(0);
    watch.done('/arrangements/quote');
    await screenshot(page, '12-desk-plan-limit-zh');
    await months.fill('6');
    await page.getByTestId('plan-preview').waitFor();
    await expect.poll(() => page.getByTestId('plan-total').textContent()).toMatch(/^合计 ¥[\d,]+\.\d{2}，6 期$/);
    expect(await page.getByTestId('plan-preview').locator('tbody tr').count()).toBe(6);
    await screenshot(page, '13-desk-plan-preview-zh');
    // Beyond a collector's 12 months: proposed with the declared finances and hardship evidence, it waits for a supervisor.
    await months.fill('24');
    await expect.poll(() => page.getByTestId('plan-total').textContent()).toMatch(/，24 期$/);
    expect(await page.getByTestId('plan-preview').textContent()).toContain('审批级别：主管');
    await page.getByLabel('月收入').fill('200000');
    await page.getByLabel('月支出').fill('10000');
    await page.getByLabel('困难证明材料').setInputFiles({ name: '住院证明.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n') });
    await page.getByText('已上传 1 份').waitFor();
    await page.getByRole('button', { name: /提交方案/ }).click();
    await expect.poll(() => page.getByTestId('plan-status').textContent()).toMatch(/^已提交，等待 主管 审批（方案 #\d+）$/);
    proposalId = /#(\d+)/.exec((await page.getByTestId('plan-status').textContent())!)![1]!;
    // The Account 360 keeps the proposal's approval status.
    await expect.poll(() => page.getByTestId(`proposal-${proposalId}`).textContent()).toMatch(/，24 期 待审批审批级别：主管$/);

    // The promise: the form checks the amount and the date first.
    await page.getByRole('tab', { name: '承诺还款' }).click();
    await page.getByLabel('承诺金额（CNY）').fill('100.001');
    await page.getByRole('button', { name: /记录承诺/ }).click();
    await page.getByText('CNY 最多 2 位小数').waitFor();
    await page.getByLabel('承诺金额（CNY）').fill('500.50');
    const inAWeek = new Date(Date.parse(`${view.asOf}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('承诺还款日').fill(inAWeek);
    await page.getByRole('button', { name: /记录承诺/ }).click();
    await expect.poll(() => page.getByTestId('promise-result').textContent()).toMatch(/^已记录承诺还款 #\d+$/);
    await expect.poll(() => page.getByTestId('arrangements').textContent()).toMatch(/承诺 #\d+：¥500\.50，\d{4}年\d{1,2}月\d{1,2}日 前 待到期/);
    await screenshot(page, '14-desk-promise-zh');

    // The outcome: a prohibited word in the note is refused at the field, nothing saved.
    await page.getByRole('tab', { name: '通话结果' }).click();
    await choose(page, '结果', '接通-本人');
    await choose(page, '处置', '承诺还款');
    await choose(page, '逾期原因', '忘记还款');
    await page.getByLabel('催记').fill('客户说忘记了，不还就后果自负');
    watch.expectRefusal('/outcome');
    await page.getByRole('button', { name: /保存结果/ }).click();
    await page.getByText(/催记含有禁止用语：CN-05/).waitFor();
    expect(watch.refusals('/outcome')).toBe(1);
    watch.done('/outcome');
    await page.getByLabel('催记').fill('客户说忘记了，承诺一周内还款 500.50 元');
    await page.getByRole('button', { name: /保存结果/ }).click();
    await page.getByTestId('outcome-saved').waitFor();
    expect(watch.problems).toEqual([]);
  });

  it('shows the supervisor the promise in the team KPIs, the team queues and the approvals inbox', async () => {
    await logout(page);
    await login(page, 'demo-supervisor');
    await page.getByRole('link', { name: '团队管理' }).click();
    await page.waitForURL('**/app/supervisor');
    const kpis = page.getByTestId('kpi-demo-collector');
    await kpis.waitFor();
    await expect.poll(() => kpis.locator('[data-kpi="promises"]').textContent()).toBe('1');
    expect(await kpis.locator('[data-kpi="keptRate"]').textContent()).toBe('待定');
    await expect.poll(() => kpis.locator('[data-kpi="contacts"]').textContent()).toBe('2');
    expect(await kpis.locator('[data-kpi="rightParty"]').textContent()).toBe('1');
    await fitsTheScreen(page);
    await screenshot(page, '15-supervisor-kpis-zh');

    // The approvals inbox: the collector's 24-month plan needs a supervisor; approving it puts the plan in force.
    const row = page.getByTestId('inbox').locator('tr', { hasText: promisedAccount });
    await row.waitFor();
    expect(await row.textContent()).toContain('demo-collector');
    expect(await row.textContent()).toContain('主管');
    await screenshot(page, '16-supervisor-inbox-zh', { fullPage: true });
    await row.getByRole('button', { name: /批\s*准/ }).click();
    await expect.poll(() => page.getByTestId('inbox-result').textContent()).toBe(`还款安排 #${proposalId}：已批准`);
    const arrangements = await apiGet<{ proposals: { proposalId: number; status: string; decidedBy: string }[] }>(browser.context, `/accounts/${promisedAccount}/arrangements`);
    expect(arrangements.proposals.find((p) => String(p.proposalId) === proposalId)).toMatchObject({ status: 'approved', decidedBy: 'demo-supervisor' });

    // Team queues and reassignment: an open item of team-a handed to an unknown user is refused at the field, to demo-collector done.
    await page.getByTestId('team-open-team-a').waitFor();
    await page.locator('tr', { has: page.getByTestId('team-open-team-a') }).getByRole('button', { name: '查看队列' }).click();
    const items = page.getByTestId('team-items');
    await items.locator('tbody tr.ant-table-row').first().waitFor();
    await items.locator('tbody tr.ant-table-row').first().getByRole('button', { name: /改\s*派/ }).click();
    watch.expectRefusal('/reassign');
    await page.getByLabel('改派给（用户名）').fill('no-such-collector');
    await page.locator('.ant-modal').getByRole('button', { name: /改\s*派/ }).click();
    await expect.poll(() => page.locator('.ant-modal .ant-form-item-explain-error').textContent()).toContain('no-such-collector');
    expect(watch.refusals('/reassign')).toBe(1);
    watch.done('/reassign');
    await page.getByLabel('改派给（用户名）').fill('demo-collector');
    await page.locator('.ant-modal').getByRole('button', { name: /改\s*派/ }).click();
    await expect.poll(() => page.getByTestId('reassign-done').textContent()).toMatch(/^工作项 #\d+ 已改派给 demo-collector$/);
    await expect.poll(() => page.locator('.ant-modal:visible').count()).toBe(0);
    await screenshot(page, '17-supervisor-queues-zh', { fullPage: true });

    // English: labels, the pending kept rate, dates.
    await page.getByText('English', { exact: true }).click();
    await page.getByText(/^Team KPIs \(today, [A-Z][a-z]{2} \d{1,2}, \d{4}\)$/).waitFor();
    expect(await kpis.locator('[data-kpi="keptRate"]').textContent()).toBe('pending');
    await screenshot(page, '18-supervisor-en', { fullPage: true });
    expect(watch.problems).toEqual([]);
  });
});
