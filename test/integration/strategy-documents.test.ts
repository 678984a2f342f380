/**
 * Strategy documents through the CLI and HTTP: validate (errors as file:line: path: message),
 * publish (versions immutable and increasing), list, show, diff; explain an account's decision with
 * each condition's observed values and the compliance verdict; the champion/challenger report; data
 * scopes on explanations.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/kernel/clock.ts';
import { buildServer } from '../../src/server.ts';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { injectAs, sessionFor } from '../support/auth.ts';
import { loadDelinquentPortfolio, type DelinquentAccount } from '../support/portfolio.ts';
import { runCycle } from '../support/cycle.ts';
import type { Runtime } from '../../src/runtime.ts';

const SHIPPED = new URL('../../policies/strategy/default.json', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'recourse-strategy-'));
let rt: Runtime;
let app: FastifyInstance;
let accounts: DelinquentAccount[];

beforeAll(async () => {
  rt = await createTestRuntime({ clock: fixedClock(new Date('2026-06-30T18:00:00Z')) });
  accounts = await loadDelinquentPortfolio(rt, 30, '2026-07-01');
  app = await buildServer(rt);
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

describe('recourse strategy validate', () => {
  it('accepts the shipped default strategy', async () => {
    const r = await runCli(rt, ['strategy', 'validate', SHIPPED]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/valid \(default-strategy version 1, 6 segments, 7 ladders, 2 variants\)/);
  });

  it('prints every problem as file:line: path: message and exits 2 (YAML too)', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, [
      'id: broken', 'version: 1', 'effectiveFrom: "2026-01-01"', 'compliancePack: cn', 'settings:', '  sendAt: "10:00"', '  deferDaysMax: 3',
      'segments:', '  - id: all', '    ladder: main',
      'ladders:', '  - id: main', '    stages:', '      - id: remind', '        treatments:',
      '          - id: sms', '            type: message', '            channel: sms', '            tone: gentle',
      '            templates: { zh-CN: cn-sms-reminder-gentle, en: en-sms-nope }', // line 20
      '            cadence: { everyDays: 7, maxPerStage: 1 }',
      '            sendAt: "06:30"', // line 22
      'variants:', '  - id: champion', '    percent: 90', // the list starts on line 24
    ].join('\n'));
    const r = await runCli(rt, ['strategy', 'validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:20: $.ladders[0].stages[0].treatments[0].templates.en: unknown template "en-sms-nope"`);
    expect(r.stderr).toContain(`${file}:22: $.ladders[0].stages[0].treatments[0].sendAt: sms at 06:30 is outside cn's window 08:00–22:00 (send_time_outside_pack_window)`);
    expect(r.stderr).toContain(`${file}:24: $.variants: variant shares add up to 90%, not 100% (variant_split_invalid)`);
    const json = await runCli(rt, ['strategy', 'validate', file, '--json']);
    expect(json.json()).toMatchObject({ valid: false, issues: expect.arrayContaining([expect.objectContaining({ code: 'unknown_template', line: 20 })]) });
  });

  it('names shape errors and syntax errors with their lines', async () => {
    const shape = join(dir, 'shape.json');
    writeFileSync(shape, '{\n  "id": "Bad Id",\n  "version": 1,\n  "colour": "blue"\n}\n');
    const r = await runCli(rt, ['strategy', 'validate', shape]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${shape}:2: $.id: must be a lower-case id`);
    expect(r.stderr).toContain(`${shape}:4: $.colour: unknown field (unknown_field)`);
    const syntax = join(dir, 'syntax.json');
    writeFileSync(syntax, '{\n  "id": "x",\n  "version": 1,,\n}\n');
    expect((await runCli(rt, ['strategy', 'validate', syntax])).stderr).toMatch(new RegExp(`${syntax}:3: \\$: `));
    expect((await runCli(rt, ['strategy', 'validate', join(dir, 'missing.json')])).code).toBe(2);
  });
});

describe('publish, list, show, diff', () => {
  it('publishes versions that only move forward and never change', async () => {
    expect((await runCli(rt, ['strategy', 'list'])).stdout).toMatch(/in effect today: default-strategy v1 \(shipped\)/);
    const published = await runCli(rt, ['strategy', 'publish', SHIPPED, '--by', 'sam', '--json']);
    expect(published.code, published.stderr).toBe(0);
    expect(published.json()).toMatchObject({ strategyId: 'default-strategy', version: 1, replayed: false });
    expect((await runCli(rt, ['strategy', 'publish', SHIPPED, '--json'])).json()).toMatchObject({ replayed: true });

    const doc = JSON.parse(await readFile(SHIPPED, 'utf8'));
    doc.segments[3].when.all[2].value = 45;
    const changed = join(dir, 'v1-changed.json');
    writeFileSync(changed, JSON.stringify(doc, null, 2));
    const conflict = await runCli(rt, ['strategy', 'publish', changed]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/version 1 is already published with other content/);

    const diff = await runCli(rt, ['strategy', 'diff', changed]);
    expect(diff.stdout).toContain('against default-strategy v1: 1 change(s)');
    expect(diff.stdout).toContain('~ $.segments[id=occasional-forgetter].when.all[2].value: 30 → 45');

    doc.version = 2;
    doc.effectiveFrom = '2026-07-02';
    const v2 = join(dir, 'v2.json');
    writeFileSync(v2, JSON.stringify(doc, null, 2));
    expect((await runCli(rt, ['strategy', 'publish', v2, '--by', 'sam'])).stdout).toMatch(/published: default-strategy version 2/);
    const list = await runCli(rt, ['strategy', 'list', '--json']);
    expect(list.json().inEffect).toEqual({ id: 'default-strategy', version: 1, source: 'published' }); // version 2 takes effect tomorrow
    expect(list.json().versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    doc.version = 1;
    const older = join(dir, 'older.json');
    writeFileSync(older, JSON.stringify({ ...doc, description: 'older' }, null, 2));
    expect((await runCli(rt, ['strategy', 'publish', older])).stderr).toMatch(/already published with other content|not newer/);
    const shown = await runCli(rt, ['strategy', 'show', 'default-strategy', '--version', '2']);
    expect(JSON.parse(shown.stdout).segments[3].when.all[2].value).toBe(45);
    expect((await runCli(rt, ['strategy', 'show', 'nope'])).code).toBe(3);
    // Stored versions cannot be edited.
    await expect(rt.pool.query(`update strategy_versions set published_by = 'x'`)).rejects.toThrow(/append-only/);
  });
});

describe('explain', () => {
  it('shows the segment, the stage, each condition with the values it saw, the treatment and the compliance verdict', async () => {
    const account = accounts.find((a, i) => a.daysPastDue <= 30 && (i + 1) % 13 !== 0)!;
    const r = await runCli(rt, ['strategy', 'explain', account.accountId, '--as-of', '2026-07-01']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${account.accountId} as of 2026-07-01: strategy default-strategy v1 \\(published\\), variant (champion|robot-first)`));
    expect(r.stdout).toMatch(/✗ suspectedEvasion eq true {2}\(observed false\)/);
    expect(r.stdout).toMatch(new RegExp(`✓ daysPastDue lte 30 {2}\\(observed ${account.daysPastDue}\\)`));
    expect(r.stdout).toMatch(/→ occasional-forgetter \(priority 40\) matched/);
    expect(r.stdout).toMatch(/● sms due: maxPerStage ✓ \(0 \/ 1\)/);
    expect(r.stdout).toMatch(/sms \(sms, (cn|en)-sms-reminder-gentle to phone:0 at 2026-07-01T02:00:00.000Z\): create/);
    expect(r.stdout).toMatch(/compliance allow \(compliance:\d+\)/);
    const json = (await runCli(rt, ['strategy', 'explain', account.accountId, '--as-of', '2026-07-01', '--json'])).json();
    expect(json).toMatchObject({ segment: 'occasional-forgetter', stage: 'gentle-reminder', status: 'active', facts: { daysPastDue: account.daysPastDue } });
    expect(json.actions).toEqual([expect.objectContaining({ treatment: 'sms', outcome: 'create', verdict: expect.objectContaining({ decision: 'allow', auditRef: expect.stringMatching(/^compliance:\d+$/) }) })]);
    expect(json.segments[3].condition.children).toEqual(expect.arrayContaining([{ kind: 'leaf', fact: 'daysPastDue', op: 'lte', expected: 30, observed: account.daysPastDue, held: true }]));
    expect((await runCli(rt, ['strategy', 'explain', 'nope', '--as-of', '2026-07-01'])).code).toBe(3);
  });
});

describe('over HTTP', () => {
  it('lists, gets, validates with errors by field, publishes as a strategy manager; explains within the data scope; reports per variant', async () => {
    const manager = await sessionFor(app, rt, { role: 'strategy_manager' });
    const as = injectAs(app, manager);
    const list = await as('/strategies');
    expect(list.statusCode).toBe(200);
    expect(list.json().versions.length).toBeGreaterThanOrEqual(2);
    expect((await as('/strategies/default-strategy?version=1')).json()).toMatchObject({ strategyId: 'default-strategy', version: 1, document: { id: 'default-strategy' } });
    expect((await as('/strategies/nope')).statusCode).toBe(404);

    const doc = JSON.parse(await readFile(SHIPPED, 'utf8'));
    doc.id = 'http-strategy';
    doc.ladders[0].stages[0].treatments[0].templates.en = 'en-nope';
    const invalid = await as({ method: 'POST', url: '/strategies/validate', payload: { document: doc } });
    expect(invalid.statusCode).toBe(200);
    expect(invalid.json()).toMatchObject({ valid: false, errors: [{ field: '$.ladders[0].stages[0].treatments[0].templates.en', code: 'unknown_template' }] });
    // As an editor sends it: the text, so each issue names its line as well.
    const text = JSON.stringify(doc, null, 2);
    const line = text.split('\n').findIndex((l) => l.includes('"en-nope"')) + 1;
    const withText = await as({ method: 'POST', url: '/strategies/validate', payload: { text } });
    expect(withText.json()).toMatchObject({ valid: false, errors: [{ field: '$.ladders[0].stages[0].treatments[0].templates.en', code: 'unknown_template', line }] });
    const broken = await as({ method: 'POST', url: '/strategies/validate', payload: { text: '{\n  "id": "x",\n  "version": [1,\n' } });
    expect(broken.json()).toMatchObject({ valid: false, errors: expect.arrayContaining([expect.objectContaining({ code: 'syntax_error', line: 4 })]) });
    expect((await as({ method: 'POST', url: '/strategies/validate', payload: { text, document: doc } })).statusCode).toBe(400);
    const refused = await as({ method: 'POST', url: '/strategies', payload: { document: doc } });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'invalid_strategy', errors: [expect.objectContaining({ code: 'unknown_template' })] });
    doc.ladders[0].stages[0].treatments[0].templates.en = 'en-sms-reminder-gentle';
    const created = await as({ method: 'POST', url: '/strategies', payload: { document: doc } });
    expect(created.statusCode, created.body).toBe(201);
    expect((await rt.pool.query(`select published_by from strategy_versions where strategy_id = 'http-strategy'`)).rows).toEqual([{ published_by: manager.user.username }]);

    const someone = accounts[0]!.accountId;
    expect((await as(`/accounts/${someone}/strategy-explanation?asOf=2026-07-01`)).json()).toMatchObject({ accountId: someone, asOf: '2026-07-01' });
    const supervisor = await sessionFor(app, rt, { role: 'supervisor', teamId: 'team-x' });
    expect((await injectAs(app, supervisor)(`/accounts/${someone}/strategy-explanation?asOf=2026-07-01`)).statusCode, 'outside the team: like a missing account').toBe(404);
    await runCli(rt, ['access', 'assign', someone, '--team', 'team-x']);
    expect((await injectAs(app, supervisor)(`/accounts/${someone}/strategy-explanation?asOf=2026-07-01`)).statusCode).toBe(200);

    await runCycle(rt, '2026-07-01');
    const report = await as('/strategies/report?from=2026-07-01&to=2026-07-01');
    expect(report.statusCode, report.body).toBe(200);
    const variants = report.json().variants as { variant: string; accounts: number; contacts: Record<string, number>; contactCost: string }[];
    expect(variants.map((v) => v.variant).sort()).toEqual(['champion', 'robot-first']);
    expect(variants.reduce((n, v) => n + v.accounts, 0)).toBe(30);
    const runs = await as('/cycle/runs?asOf=2026-07-01');
    expect(runs.json().runs[0]).toMatchObject({ asOf: '2026-07-01', shard: '0/1', status: 'completed', summary: { accounts: 30 } });
    expect((await as('/strategies/report?from=2026-07-02&to=2026-07-01')).statusCode).toBe(400);
  });
});
