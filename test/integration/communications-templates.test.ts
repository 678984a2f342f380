/**
 * Templates: every shipped template passes its lint under the CN pack; the catalog has the ids other
 * modules name; the lint refuses unknown variables, missing opt-out text, prohibited language, debt
 * details for third parties, a missing sender identity and missing collection-letter items; publishing
 * over HTTP (compliance officer only) and the CLI; preview with real data (CLI with --lang, HTTP within
 * the caller's data scope).
 */
import { readFile } from 'node:fs/promises';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { loadMessagingPortfolio } from '../fixtures/messaging-portfolio.ts';
import { buildServer } from '../../src/server.ts';
import { shippedPackSet } from '../../src/modules/compliance/index.ts';
import { lintTemplateDocument, shippedTemplates, templateCatalog, type TemplateDocument } from '../../src/modules/communications/index.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let app: FastifyInstance;
let officer: Credentials;
let supervisor: Credentials;
let collector: Credentials;
const dir = mkdtempSync(join(tmpdir(), 'recourse-templates-'));
const NOW = Date.parse('2026-06-30T04:00:00Z');

const base = (): TemplateDocument => structuredClone(shippedTemplates().find((t) => t.id === 'cn-sms-reminder-gentle')!) as TemplateDocument;
const codes = (doc: unknown, packs: Awaited<ReturnType<typeof shippedPackSet>>) => lintTemplateDocument(doc as TemplateDocument, packs, 'cn', NOW).filter((f) => f.severity === 'error').map((f) => f.code);

beforeAll(async () => {
  rt = await createTestRuntime();
  await loadMessagingPortfolio(rt);
  app = await buildServer(rt);
  officer = await sessionFor(app, rt, { role: 'compliance_officer' });
  supervisor = await sessionFor(app, rt, { role: 'supervisor' });
  collector = await sessionFor(app, rt, { role: 'collector', teamId: 'team-x' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

describe('shipped templates', () => {
  it('include the ids strategies name, versioned, in zh-CN and en, with tones and every channel', () => {
    const catalog = templateCatalog();
    const ids = catalog.map((t) => t.id);
    for (const id of ['cn-sms-reminder-gentle', 'cn-sms-reminder-firm', 'cn-collection-letter', 'en-sms-reminder-gentle', 'en-sms-reminder-firm', 'en-collection-letter', 'cn-sms-reminder-neutral', 'cn-voice-reminder-neutral', 'cn-email-reminder-neutral']) {
      expect(ids).toContain(id);
    }
    expect(new Set(catalog.map((t) => t.channel))).toEqual(new Set(['sms', 'email', 'letter', 'voice_robot']));
    expect(new Set(catalog.map((t) => t.tone))).toEqual(new Set(['gentle', 'neutral', 'firm']));
    for (const t of catalog) {
      expect(t.version).toBeGreaterThanOrEqual(1);
      // Every template has its counterpart in the other language.
      expect(catalog.some((o) => o.family === t.family && o.tone === t.tone && o.language !== t.language), t.id).toBe(true);
    }
  });

  it('every one passes its lint under the CN pack (no error)', async () => {
    const packs = await shippedPackSet();
    for (const t of shippedTemplates()) expect(lintTemplateDocument(t, packs, 'cn', NOW).filter((f) => f.severity === 'error'), t.id).toEqual([]);
  });
});

describe('the lint', () => {
  it('refuses unknown variables, missing opt-out text, prohibited language, no sender, no verification line', async () => {
    const packs = await shippedPackSet();
    expect(codes({ ...base(), body: base().body.replace('{{customerName}}', '{{customerNmae}}') }, packs)).toContain('unknown_variable');
    expect(codes({ ...base(), body: base().body.replace('回复TD退订', '') }, packs)).toEqual(['required_content_missing']);
    expect(codes({ ...base(), body: base().body + '再不还款就通知你单位和家人，列入黑名单' }, packs)).toEqual(expect.arrayContaining(['prohibited_language']));
    expect(codes({ ...base(), body: base().body.replace('【{{bankName}}】', '') }, packs)).toEqual(['sender_identity_missing']);
    expect(codes({ ...base(), body: base().body.replace('官方核实热线{{verificationHotline}}，', '') }, packs)).toEqual(['verification_missing']);
    expect(codes({ ...base(), body: base().body + ' {{oops' }, packs)).toEqual(['malformed_placeholder']);
  });

  it('refuses debt details in a template for third parties, as a variable and as words', async () => {
    const packs = await shippedPackSet();
    const locate = structuredClone(shippedTemplates().find((t) => t.id === 'cn-sms-locate-neutral')!) as TemplateDocument;
    expect(codes(locate, packs)).toEqual([]);
    expect(codes({ ...locate, body: locate.body.replace('有重要事宜', '关于尾号{{maskedCardNumber}}的事宜') }, packs)).toEqual(['debt_detail_for_third_party']);
    expect(codes({ ...locate, body: locate.body.replace('有重要事宜', '有一笔欠款') }, packs)).toEqual(['restricted_content']);
  });

  it('refuses a collection letter missing an Art. 69 item (CN-07)', async () => {
    const packs = await shippedPackSet();
    const letter = structuredClone(shippedTemplates().find((t) => t.id === 'cn-collection-letter')!) as TemplateDocument;
    const { accountRepaymentAndDisputeChannels: _gone, ...slots } = letter.slots;
    const sections = letter.sections.filter((s) => !s.text.includes('{{slot:accountRepaymentAndDisputeChannels}}'));
    const findings = lintTemplateDocument({ ...letter, slots, sections }, packs, 'cn', NOW);
    expect(findings.find((f) => f.code === 'required_content_missing')).toMatchObject({ ruleId: 'CN-07' });
    expect(codes({ ...letter, sections: [...letter.sections, { heading: null, text: '{{slot:nothing}}' }] }, packs)).toEqual(['unknown_slot_reference']);
  });
});

describe('publishing', () => {
  const v2 = () => ({ ...base(), version: 2, effectiveFrom: '2026-06-01', body: base().body.replace('可能是您一时疏忽', '也许您一时忘记了') });

  it('publishes a clean new version (compliance officer); the dispatcher then renders it', async () => {
    const r = await injectAs(app, officer)({ method: 'POST', url: '/templates', payload: v2() });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ id: 'cn-sms-reminder-gentle', version: 2 });
    const versions = (await injectAs(app, collector)('/templates/cn-sms-reminder-gentle')).json().versions;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const catalog = (await injectAs(app, collector)('/templates')).json().templates;
    expect(catalog.find((t: { id: string }) => t.id === 'cn-sms-reminder-gentle')).toMatchObject({ version: 2, source: 'published', versions: 2 });
    await expect(rt.pool.query(`update message_templates set lint = '[]'`)).rejects.toThrow(/append-only/);
  });

  it('refuses a version that is not newer (409), a lint error (422 with findings), a malformed document (400), and a supervisor (403)', async () => {
    const as = injectAs(app, officer);
    expect((await as({ method: 'POST', url: '/templates', payload: v2() })).json()).toMatchObject({ status: 409, code: 'template_version_not_newer' });
    const bad = await as({ method: 'POST', url: '/templates', payload: { ...v2(), version: 3, body: v2().body.replace('回复TD退订', '') } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'template_lint_failed', findings: [expect.objectContaining({ code: 'required_content_missing', ruleId: 'CN-12' })] });
    const malformed = await as({ method: 'POST', url: '/templates', payload: { ...v2(), version: 3, channel: 'fax' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors).toEqual([expect.objectContaining({ field: 'body.channel' })]);
    expect((await injectAs(app, supervisor)({ method: 'POST', url: '/templates', payload: { ...v2(), version: 3 } })).statusCode).toBe(403);
    const lint = await injectAs(app, supervisor)({ method: 'POST', url: '/templates/lint', payload: { ...v2(), body: '{{customerName}} 老赖' } });
    expect(lint.json().ok).toBe(false);
    expect(lint.json().findings.map((f: { code: string }) => f.code)).toEqual(expect.arrayContaining(['prohibited_language', 'sender_identity_missing', 'verification_missing', 'required_content_missing']));
  });

  it('the CLI lints and publishes files, naming the file and path of each finding', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...base(), version: 5, body: '{{customerNme}}，请还款。' }));
    const lint = await runCli(rt, ['template', 'lint', file]);
    expect(lint.code).toBe(2);
    expect(lint.stdout).toContain(`${file}: body: error: unknown_variable: unknown variable {{customerNme}}`);
    expect((await runCli(rt, ['template', 'publish', file])).code).toBe(2);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ ...v2(), version: 3 }));
    const published = await runCli(rt, ['template', 'publish', good, '--json'], { env: { RECOURSE_OPERATOR: 'li.na' } });
    expect(published.code, published.stderr).toBe(0);
    expect(published.json()).toMatchObject({ id: 'cn-sms-reminder-gentle', version: 3 });
    expect((await rt.pool.query('select published_by from message_templates where version = 3')).rows[0].published_by).toBe('li.na');
  });
});

describe('preview with real data', () => {
  it('recourse template preview ID --account ACC [--lang en]', async () => {
    const zh = await runCli(rt, ['template', 'preview', 'cn-sms-reminder-firm', '--account', '6222020000001234']);
    expect(zh.code, zh.stderr).toBe(0);
    expect(zh.stdout).toContain('【示范银行信用卡中心】张伟，您尾号****1234的信用卡已逾期36天，逾期金额1,200.00元，欠款总额18,560.00元，到期还款日为2026年5月25日');
    expect(zh.stdout).toContain('请务必于2026年7月7日前');
    const en = await runCli(rt, ['template', 'preview', 'cn-sms-reminder-firm', '--account', '6222020000001234', '--lang', 'en', '--json']);
    expect(en.code, en.stderr).toBe(0);
    expect(en.json()).toMatchObject({ template: { id: 'en-sms-reminder-firm', language: 'en', tone: 'firm' }, findings: [] });
    expect(en.json().rendered.text).toContain('张伟, your card ending ****1234 is 36 days past due with CNY 1,200.00 overdue and a balance of CNY 18,560.00 (due date 25 May 2026)');
    const letter = await runCli(rt, ['template', 'preview', 'cn-collection-letter', '--account', '6222020000001234']);
    expect(letter.stdout).toContain('二、催收原因及法律依据');
    expect(letter.stdout).toContain('示范银行信用卡中心（业务专用章）');
    expect((await runCli(rt, ['template', 'preview', 'cn-sms-reminder-firm', '--account', 'nope'])).code).toBe(3);
    expect((await runCli(rt, ['template', 'preview', 'no-such', '--account', '6222020000001234'])).code).toBe(3);
    expect((await runCli(rt, ['template', 'preview', 'cn-sms-reminder-firm', '--account', '6222020000001234', '--lang', 'fr'])).code).toBe(2);
  });

  it('POST /templates/:id/preview within the caller\'s data scope', async () => {
    const r = await injectAs(app, supervisor)({ method: 'POST', url: '/templates/en-collection-letter/preview', payload: { accountId: '6222020000005678' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().rendered.slots.cardholderName).toBe('Alex Smith');
    // A collector of another team does not see the account: 404 as if it did not exist.
    const hidden = await injectAs(app, collector)({ method: 'POST', url: '/templates/en-collection-letter/preview', payload: { accountId: '6222020000005678' } });
    expect(hidden.json()).toMatchObject({ status: 404, code: 'account_not_found' });
  });

  it('POST /templates/:id/preview with a draft document: renders the draft, not the stored template', async () => {
    const stored = JSON.parse(await readFile(new URL('../../policies/templates/en-sms-reminder-firm.json', import.meta.url), 'utf8'));
    const draft = { ...stored, body: `DRAFT {{customerName}}: ${stored.body}` };
    const r = await injectAs(app, supervisor)({ method: 'POST', url: '/templates/en-sms-reminder-firm/preview', payload: { accountId: '6222020000005678', document: draft } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().rendered.text).toMatch(/^DRAFT Alex Smith: /);
    const plain = await injectAs(app, supervisor)({ method: 'POST', url: '/templates/en-sms-reminder-firm/preview', payload: { accountId: '6222020000005678' } });
    expect(plain.json().rendered.text).not.toContain('DRAFT');
    const otherId = await injectAs(app, supervisor)({ method: 'POST', url: '/templates/cn-sms-reminder-firm/preview', payload: { accountId: '6222020000005678', document: draft } });
    expect(otherId.statusCode).toBe(400);
    expect(otherId.json()).toMatchObject({ errors: [{ field: 'body.document.id' }] });
    const broken = await injectAs(app, supervisor)({ method: 'POST', url: '/templates/en-sms-reminder-firm/preview', payload: { accountId: '6222020000005678', document: { ...draft, channel: 'fax' } } });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ code: 'invalid_template', errors: [{ field: 'body.document.channel' }] });
  });
});
