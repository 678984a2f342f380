/** Pack documents: shape and meaning validation; overrides narrow, widening is refused naming the field. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPackSet, type LoadedFile } from './pack-loader.service.ts';
import { validatePackDocument } from './pack.schema.ts';
import { baseLine, run } from './test-kit.ts';

const dir = new URL('../../../policies/compliance/', import.meta.url);
const file = (name: string): LoadedFile => ({ file: name, doc: JSON.parse(readFileSync(new URL(name, dir), 'utf8')) });
const shipped = () => [file('cn.json'), file('us-regf.json'), file('uk-conc.json')];
const withOverride = (changes: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  buildPackSet(shipped(), file('lexicon.json'), [{ file: 'bank.json', doc: { id: 'acme', version: 1, pack: 'cn', effectiveFrom: '2026-01-01', changes, ...extra } }]);

describe('pack documents', () => {
  it('the shipped packs are valid', () => {
    expect(buildPackSet(shipped(), file('lexicon.json')).ok).toBe(true);
  });
  it('reports every problem with its path', () => {
    const doc = structuredClone(file('cn.json').doc) as Record<string, any>;
    doc.timeWindows.channels.sms = { default: { start: '22:00', end: '08:00' } };
    doc.unansweredCap.max = -1;
    doc.timeWindows.ruleId = 'CN-1';
    doc.surprise = true;
    const r = validatePackDocument(doc);
    expect(r.ok).toBe(false);
    const paths = (r.ok ? [] : (r.details as { path: string }[])).map((i) => i.path).sort();
    expect(paths).toEqual(['$.surprise', '$.timeWindows.channels.sms.default', '$.timeWindows.ruleId', '$.unansweredCap.max']);
  });
  it('an unknown lexicon category is refused', () => {
    const doc = structuredClone(file('cn.json').doc) as Record<string, any>;
    doc.content.prohibited.categories.push('rudeness');
    const r = buildPackSet([{ file: 'cn.json', doc }], file('lexicon.json'));
    expect(r.ok || r.message).toMatch(/cn\.json: \$\.content\.prohibited\.categories\[6\]: unknown lexicon category "rudeness"/);
  });
});

describe('repayment plans (CN-09)', () => {
  it('the CN pack caps a plan at 60 months on business days; an override may lower the cap', () => {
    const r = withOverride({ repaymentPlans: { termMonthsMax: 36 } });
    if (!r.ok) throw new Error(r.message);
    const at = Date.parse('2026-06-30T02:00:00Z');
    expect(r.value.select('cn', at)!.repaymentPlans).toEqual({ ruleId: 'CN-09', termMonthsMax: 36, businessDayDueDates: true, evidenceRequired: true, affordabilityRequired: true });
    const plain = buildPackSet(shipped(), file('lexicon.json'));
    if (!plain.ok) throw new Error(plain.message);
    expect(plain.value.select('cn', at)!.repaymentPlans!.termMonthsMax).toBe(60);
    expect(plain.value.select('us-regf', at)!.repaymentPlans).toBeNull();
  });
});

describe('bank overrides only narrow', () => {
  it('08:00–21:00 and a holiday window narrow CN-01 and take effect', () => {
    const r = withOverride({ timeWindows: { channels: { voice_agent: { default: { start: '08:00', end: '21:00' }, holiday: { start: '09:00', end: '20:00' }, restday: 'none' } } }, unansweredCap: { max: 5 } });
    if (!r.ok) throw new Error(r.message);
    const packs = r.value;
    expect(packs.select('cn', Date.parse('2026-06-30T02:00:00Z'))!.overrides).toEqual([{ id: 'acme', version: 1 }]);
    expect(run(packs, 'cn', baseLine({ at: '2026-06-30T13:30:00Z' })).decision).toBe('defer'); // 21:30 Tuesday
    expect(run(packs, 'cn', baseLine({ at: '2026-06-30T12:59:59Z' })).decision).toBe('allow');
    const holiday = run(packs, 'cn', baseLine({ at: '2026-10-01T00:30:00Z' })); // 08:30 on 国庆节
    expect(holiday.decision).toBe('defer');
    expect(new Date(holiday.until!).toISOString()).toBe('2026-10-01T01:00:00.000Z'); // 09:00
    expect(run(packs, 'cn', baseLine({ at: '2026-10-10T00:30:00Z' })).decision).toBe('allow'); // make-up Saturday is a workday
    const sat = run(packs, 'cn', baseLine({ at: '2026-10-17T02:00:00Z' })); // an ordinary Saturday: closed
    expect(new Date(sat.until!).toISOString()).toBe('2026-10-19T00:00:00.000Z'); // Monday 08:00
    // Before the override's effective date the pack alone applies.
    expect(run(packs, 'cn', baseLine({ at: '2025-06-30T13:30:00Z' })).decision).toBe('allow');
  });
  it.each([
    [{ timeWindows: { channels: { voice_agent: { default: { start: '08:00', end: '22:30' } } } } }, '$.changes.timeWindows.channels.voice_agent.default.end'],
    [{ timeWindows: { channels: { sms: { holiday: { start: '07:30', end: '20:00' } } } } }, '$.changes.timeWindows.channels.sms.holiday.start'],
    [{ timeWindows: { channels: { sms: 'unrestricted' } } }, '$.changes.timeWindows.channels.sms'],
    [{ timeWindows: { consentMayWiden: true }, unansweredCap: { max: 7 } }, '$.changes.unansweredCap.max'],
    [{ connectedCap: { outcomes: ['busy'] } }, '$.changes.connectedCap.outcomes'],
    [{ contactData: { requireVerified: false } }, '$.changes.contactData.requireVerified'],
    [{ contactData: { allowedSources: ['application_form', 'agency_found'] } }, '$.changes.contactData.allowedSources'],
    [{ contactData: { deniedSources: ['scraped'] } }, '$.changes.contactData.deniedSources'],
    [{ thirdParty: { requireUnreachable: false } }, '$.changes.thirdParty.requireUnreachable'],
    [{ thirdParty: { unreachable: { noRightPartyContactDays: 3 } } }, '$.changes.thirdParty.unreachable.noRightPartyContactDays'],
    [{ holds: { disputed: { exceptPurposes: ['collection'] } } }, '$.changes.holds.disputed.exceptPurposes'],
    [{ holds: { hardship: { days: 10 } } }, '$.changes.holds.hardship.days'],
    [{ repaymentPlans: { termMonthsMax: 72 } }, '$.changes.repaymentPlans.termMonthsMax'],
    [{ repaymentPlans: { evidenceRequired: false } }, '$.changes.repaymentPlans.evidenceRequired'],
  ])('%o is refused naming %s', (changes, path) => {
    const r = withOverride(changes);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('override_widens_pack');
    expect(r.message).toContain(`bank.json: override acme v1: ${path}`);
    expect(r.message).toContain('an override may only narrow cn v2');
  });
  it('adding rules narrows: a US-style 7-in-7 cap, a debt-advice hold, more prohibited words', () => {
    const r = withOverride({
      rollingCallCap: { ruleId: 'BANK-weekly', max: 10, days: 7, channels: ['voice_agent'], outcomes: ['no_answer', 'connected_right_party'], consentExempt: false },
      holds: { debt_advice: { ruleId: 'BANK-debt-advice', days: 30, extensionDays: 30 } },
      content: { prohibitedCategories: ['debt_detail'] },
    });
    expect(r.ok || r.message).toBe(true);
  });
  it('an override for an unknown pack is refused', () => {
    const r = withOverride({}, { pack: 'fr' });
    expect(r.ok || r.message).toMatch(/bank\.json: \$\.pack: no pack "fr"/);
  });
});
