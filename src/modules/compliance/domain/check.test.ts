/** Table-driven boundary tests for every rule of the shipped packs (COMPLIANCE.md ids). */
import { beforeAll, describe, expect, it } from 'vitest';
import { shippedPackSet, type PackSet } from '../pack-loader.service.ts';
import { attempts, baseLine, codes, CONTACT_PHONE, DEBTOR_EMAIL, DEBTOR_PHONE, DEBTOR_PHONE_2, ids, run, until } from '../test-kit.ts';
import { check } from './check.ts';
import { toProposedContact } from '../check-input.schema.ts';
import { parseCheckLine } from '../check-line.service.ts';

let packs: PackSet;
beforeAll(async () => {
  packs = await shippedPackSet();
});

const cn = (o: Record<string, unknown> = {}, d: Record<string, unknown> = {}) => run(packs, 'cn', baseLine(o, d));
const us = (o: Record<string, unknown> = {}, d: Record<string, unknown> = {}) => run(packs, 'us-regf', baseLine(o, { timeZone: 'America/New_York', ...d }));
const uk = (o: Record<string, unknown> = {}, d: Record<string, unknown> = {}) => run(packs, 'uk-conc', baseLine(o, { timeZone: 'Europe/London', ...d }));

describe('CN-01 local-time window 08:00–22:00 in the debtor\'s zone', () => {
  it.each([
    ['21:59:59 Shanghai', '2026-06-30T13:59:59Z', 'allow', null],
    ['22:00:00 Shanghai', '2026-06-30T14:00:00Z', 'defer', '2026-07-01T00:00:00.000Z'],
    ['07:59:59 Shanghai', '2026-06-29T23:59:59Z', 'defer', '2026-06-30T00:00:00.000Z'],
    ['08:00:00 Shanghai', '2026-06-30T00:00:00Z', 'allow', null],
  ])('%s → %s', (_label, at, decision, next) => {
    const v = cn({ at });
    expect(v.decision).toBe(decision);
    expect(until(v)).toBe(next);
    if (decision !== 'allow') expect(ids(v)).toEqual(['CN-01']);
  });

  it('applies to robots, SMS and field visits too (CN-19), not to letters', () => {
    for (const [channel, destination] of [['voice_robot', DEBTOR_PHONE], ['sms', DEBTOR_PHONE], ['field_visit', '北京市朝阳区建国路1号']] as const) {
      expect(cn({ at: '2026-06-30T14:05:00Z', channel, destination }).decision, channel).toBe('defer');
    }
    expect(cn({ at: '2026-06-30T14:05:00Z', channel: 'letter', destination: '北京市朝阳区建国路1号' }).decision).toBe('allow');
  });

  it('a consent for late calls widens the window, and the verdict cites it', () => {
    const consents = [{ id: 'consent-42', kind: 'contact_time', channel: 'voice', validUntil: '2026-07-07T00:00:00Z', window: { start: '22:00', end: '23:30' } }];
    const v = cn({ at: '2026-06-30T14:30:00Z' }, { consents });
    expect(v.decision).toBe('allow');
    expect(v.rules).toEqual([expect.objectContaining({ ruleId: 'CN-01', effect: 'note', code: 'consent_widened_window', details: expect.objectContaining({ consentId: 'consent-42' }) })]);
    expect(cn({ at: '2026-06-30T15:30:00Z' }, { consents }).decision).toBe('defer'); // 23:30, past the agreed window
    expect(cn({ at: '2026-07-08T14:30:00Z' }, { consents }).decision).toBe('defer'); // expired
  });

  it('an overseas debtor is judged on their own local time, not Beijing time', () => {
    // 22:30 in Beijing is 15:30 in London (BST): outside for Shanghai, inside for London.
    expect(cn({ at: '2026-06-30T14:30:00Z' }).decision).toBe('defer');
    expect(cn({ at: '2026-06-30T14:30:00Z' }, { timeZone: 'Europe/London' }).decision).toBe('allow');
    // 10:00 in Beijing is 03:00 in London.
    const v = cn({ at: '2026-06-30T02:00:00Z' }, { timeZone: 'Europe/London' });
    expect(v.decision).toBe('defer');
    expect(until(v)).toBe('2026-06-30T07:00:00.000Z'); // 08:00 BST
  });

  it('every plausible zone must pass: the until is when all windows are open', () => {
    const v = cn({ at: '2026-06-30T02:00:00Z' }, { timeZone: undefined, timeZones: ['Asia/Shanghai', 'Europe/London'] });
    expect(v.decision).toBe('defer');
    expect(until(v)).toBe('2026-06-30T07:00:00.000Z'); // 15:00 Shanghai, 08:00 London
    // 14:00Z: 22:00 Shanghai closed, 15:00 London open → next time both are open is 07:00Z next day.
    expect(until(cn({ at: '2026-06-30T14:00:00Z' }, { timeZone: undefined, timeZones: ['Asia/Shanghai', 'Europe/London'] }))).toBe('2026-07-01T07:00:00.000Z');
  });
});

describe('US-01 08:00–21:00 with daylight-saving changes', () => {
  it.each([
    ['Sat 2026-03-07 07:59:59 EST', '2026-03-07T12:59:59Z', 'defer', '2026-03-07T13:00:00.000Z'],
    ['Sat 2026-03-07 08:00:00 EST', '2026-03-07T13:00:00Z', 'allow', null],
    ['Mon 2026-03-09 07:59:59 EDT', '2026-03-09T11:59:59Z', 'defer', '2026-03-09T12:00:00.000Z'],
    ['Mon 2026-03-09 08:00:00 EDT', '2026-03-09T12:00:00Z', 'allow', null],
    ['Sat 2026-03-07 20:59:59 EST', '2026-03-08T01:59:59Z', 'allow', null],
    ['Sat 2026-03-07 21:00:00 EST → Sunday 08:00 EDT', '2026-03-08T02:00:00Z', 'defer', '2026-03-08T12:00:00.000Z'],
    ['Sat 2026-10-31 21:00:00 EDT → Sunday 08:00 EST', '2026-11-01T01:00:00Z', 'defer', '2026-11-01T13:00:00.000Z'],
  ])('%s → %s', (_label, at, decision, next) => {
    const v = us({ at });
    expect(v.decision).toBe(decision);
    expect(until(v)).toBe(next);
  });

  it('an address in California and a 212 number: 08:30 ET is 05:30 PT → defer; 12:00 ET → allow', () => {
    const zones = { timeZone: undefined, timeZones: ['America/Los_Angeles', 'America/New_York'] };
    const early = us({ at: '2026-06-30T12:30:00Z' }, zones);
    expect(early.decision).toBe('defer');
    expect(until(early)).toBe('2026-06-30T15:00:00.000Z'); // 08:00 PT
    expect(us({ at: '2026-06-30T16:00:00Z' }, zones).decision).toBe('allow');
  });
});

describe('CN holidays and make-up workdays (chinese-days) in bank overrides', () => {
  it('the calendar knows 国庆节 and the make-up Saturday', () => {
    const cal = packs.select('cn', Date.parse('2026-10-01T02:00:00Z'))!.calendar;
    const day = (s: string) => Date.parse(s) / 86_400_000;
    expect(cal.dayKind(day('2026-10-01'))).toBe('holiday');
    expect(cal.dayKind(day('2026-10-10'))).toBe('workday'); // Saturday, 调休上班
    expect(cal.dayKind(day('2026-10-17'))).toBe('restday');
    expect(cal.dayKind(day('2026-10-13'))).toBe('workday');
  });
});

describe('CN-02 ≤ 6 unanswered attempts per number per local day', () => {
  const today = (i: number) => `2026-06-30T0${i}:10:00Z`; // 08:10 … 13:10 Shanghai
  it.each([[5, 'allow'], [6, 'defer']])('%i unanswered today → %s', (n, decision) => {
    const v = cn({ at: '2026-06-30T07:00:00Z', history: attempts(n, { outcome: n % 2 ? 'busy' : 'no_answer' }, today) });
    expect(v.decision).toBe(decision);
    if (decision === 'defer') {
      expect(ids(v)).toEqual(['CN-02']);
      expect(until(v)).toBe('2026-07-01T00:00:00.000Z'); // tomorrow 08:00 Shanghai (midnight reset, then CN-01)
    }
  });
  it('another number has its own counter; yesterday\'s attempts do not count; connected calls are not "unanswered"', () => {
    const six = attempts(6, { outcome: 'rejected' }, today);
    expect(cn({ at: '2026-06-30T07:00:00Z', destination: DEBTOR_PHONE_2, history: six }).decision).toBe('allow');
    const yesterday = attempts(6, { outcome: 'powered_off' }, (i) => `2026-06-29T0${i}:10:00Z`);
    expect(cn({ at: '2026-06-30T07:00:00Z', history: yesterday }).decision).toBe('allow');
    // 15:59 UTC on the 29th is 23:59 in Shanghai the 29th; 16:00 is 00:00 on the 30th.
    const edge = attempts(6, { outcome: 'no_answer' }, () => '2026-06-29T15:59:59Z');
    expect(cn({ at: '2026-06-30T07:00:00Z', history: edge }).decision).toBe('allow');
    const edge2 = attempts(6, { outcome: 'no_answer' }, () => '2026-06-29T16:00:00Z');
    expect(cn({ at: '2026-06-30T07:00:00Z', history: edge2 }).decision).toBe('defer');
  });
});

describe('CN-03 ≤ 3 connected calls per debtor per local day, bank + agencies + robots', () => {
  const connected = (actor: string, hour: number, channel = 'voice_agent') => ({ at: `2026-06-30T0${hour}:00:00Z`, channel, destination: DEBTOR_PHONE, party: 'debtor', actor, outcome: 'connected_right_party' });
  it('bank once, agency A twice, then agency B → defer', () => {
    const history = [connected('bank', 1), connected('agency:A', 2), connected('agency:A', 3)];
    const v = cn({ at: '2026-06-30T06:00:00Z', actor: 'agency:B', destination: DEBTOR_PHONE_2, history });
    expect(v.decision).toBe('defer');
    expect(ids(v)).toEqual(['CN-03']);
  });
  it('a robot\'s connected call counts; two connected calls leave room for a third', () => {
    expect(cn({ at: '2026-06-30T06:00:00Z', history: [connected('bank', 1), connected('robot', 2, 'voice_robot'), connected('agency:A', 3)] }).decision).toBe('defer');
    expect(cn({ at: '2026-06-30T06:00:00Z', history: [connected('bank', 1), connected('robot', 2, 'voice_robot')] }).decision).toBe('allow');
    expect(cn({ at: '2026-06-30T06:00:00Z', channel: 'voice_robot', history: [connected('bank', 1), connected('robot', 2), connected('agency:A', 3)] }).decision).toBe('defer');
  });
  it('an SMS is not a call', () => {
    const history = [connected('bank', 1), connected('bank', 2), connected('bank', 3)];
    expect(cn({ at: '2026-06-30T06:00:00Z', channel: 'sms', content: '您好，请致电 95555。回复TD退订', history }).decision).toBe('allow');
  });
});

describe('CN-04 third parties: only when the debtor is unreachable, locate only, no debt details, stop on objection', () => {
  const failed = attempts(6, { outcome: 'no_answer' }, (i) => `2026-06-2${i + 1}T03:00:00Z`);
  const locate = { purpose: 'locate', text: '您好，我们想联系张伟先生，请转告他回电 95555。' };
  const tp = (o: Record<string, unknown>, d: Record<string, unknown> = {}) => cn({ party: 'contact', destination: CONTACT_PHONE, at: '2026-06-30T03:00:00Z', content: locate, ...o }, d);
  it('debtor answered yesterday → block', () => {
    const v = tp({ history: [...failed, { at: '2026-06-29T03:00:00Z', channel: 'voice_agent', destination: DEBTOR_PHONE, party: 'debtor', actor: 'bank', outcome: 'connected_right_party' }] });
    expect(v.decision).toBe('block');
    expect(codes(v)).toEqual(['debtor_not_unreachable']);
    expect(v.context.unreachable).toMatchObject({ unreachable: false, definition: { noRightPartyContactDays: 10, failedAttemptsMin: 6 } });
  });
  it('debtor unreachable (6 failed attempts, no right-party contact in 10 days) with a locate script → allow, definition recorded', () => {
    const v = tp({ history: failed });
    expect(v.decision).toBe('allow');
    expect(v.context.unreachable).toMatchObject({ unreachable: true, failedAttempts: 6, flagged: false });
    expect(tp({ history: failed.slice(1) }).decision).toBe('block'); // 5 failed attempts are not enough
  });
  it('an `unreachable` flag counts', () => {
    expect(tp({}, { flags: ['unreachable'] }).decision).toBe('allow');
    expect(tp({}).decision).toBe('block');
  });
  it('the content must be locate-only and carry no debt details', () => {
    expect(codes(tp({ history: failed, content: { purpose: 'collection', text: '请转告他回电' } }))).toEqual(['third_party_not_locate_only']);
    const v = tp({ history: failed, content: { purpose: 'locate', text: '请转告张伟，他的欠款{overdueAmount}已逾期' } });
    expect(v.decision).toBe('block');
    expect(codes(v)).toContain('restricted_content');
    expect(tp({ history: failed, content: undefined }).decision).toBe('block');
  });
  it('a contact who said "别再打给我" is not called again', () => {
    const v = tp({ history: failed }, { optOuts: [{ channel: 'all', destination: CONTACT_PHONE }] });
    expect(v.decision).toBe('block');
    expect(v.rules[0]).toMatchObject({ ruleId: 'CN-04', code: 'opted_out' });
  });
  it('the destination must belong to the party named', () => {
    expect(codes(cn({ destination: CONTACT_PHONE }))).toEqual(['party_role_mismatch']);
  });
});

describe('US-09 at most one contact per third party', () => {
  const failed = attempts(6, { outcome: 'no_answer' }, (i) => `2026-06-2${i + 1}T15:00:00Z`);
  const line = (history: Record<string, unknown>[]) => us({ party: 'contact', destination: CONTACT_PHONE, at: '2026-06-30T15:00:00Z', content: { purpose: 'locate', text: 'Hi, this is Ann calling for John Smith. Please ask him to call 800-555-0100.' }, history });
  it('first location call → allow; a second → block', () => {
    expect(line(failed).decision).toBe('allow');
    const v = line([...failed, { at: '2026-06-29T15:00:00Z', channel: 'voice_agent', destination: CONTACT_PHONE, party: 'contact', actor: 'bank', outcome: 'connected_third_party' }]);
    expect(v.decision).toBe('block');
    expect(codes(v)).toEqual(['third_party_contact_limit']);
  });
});

describe('CN-17 contact details must be verified and from a lawful source', () => {
  it.each([
    [{ verified: false, source: 'application_form' }, 'destination_unverified'],
    [{ verified: true, source: 'scraped' }, 'destination_source_unlawful'],
    [{ verified: true, source: 'app_contact_list' }, 'destination_source_unlawful'],
    [{ verified: true, source: 'agency_found' }, 'destination_source_not_allowed'],
    [{ verified: true, source: null }, 'destination_source_not_allowed'],
  ])('%o → block %s', (point, code) => {
    const v = cn({}, { destinations: [{ value: DEBTOR_PHONE, role: 'debtor', ...point }] });
    expect(v.decision).toBe('block');
    expect(codes(v)).toEqual([code]);
    expect(ids(v)).toEqual(['CN-17']);
  });
  it('a number that is not among the debtor\'s contact points → block', () => {
    expect(codes(cn({ destination: '13312345678' }))).toEqual(['destination_unknown']);
  });
  it('numbers compare on digits: 138-0013-8000 is 13800138000', () => {
    expect(cn({ destination: '138-0013-8000' }).decision).toBe('allow');
  });
});

describe('opt-outs per channel (CN-12, US-08, UK-04)', () => {
  const sms = { channel: 'sms', content: '您好，请于本月内还款。回复TD退订' };
  it.each([
    [[{ channel: 'sms' }], 'sms', 'block'],
    [[{ channel: 'sms' }], 'voice_agent', 'allow'],
    [[{ channel: 'voice' }], 'voice_robot', 'block'],
    [[{ channel: 'all' }], 'voice_agent', 'block'],
    [[{ channel: 'sms', destination: DEBTOR_PHONE_2 }], 'sms', 'allow'],
  ])('opt-outs %o, %s → %s', (optOuts, channel, decision) => {
    const v = cn(channel === 'sms' ? sms : { channel }, { optOuts });
    expect(v.decision).toBe(decision);
    if (decision === 'block') expect(v.rules[0]).toMatchObject({ ruleId: 'CN-12', code: 'opted_out' });
  });
  it('US: a consumer who texted STOP gets no SMS; a call is still subject to US-02', () => {
    const v = us({ channel: 'sms', at: '2026-06-30T15:00:00Z', content: 'This is from a debt collector. Reply STOP to opt out.' }, { optOuts: [{ channel: 'sms' }] });
    expect(v.rules[0]).toMatchObject({ ruleId: 'US-08', code: 'opted_out' });
  });
});

describe('US-02 7 calls in 7 days per debt; US-03 no call within 7 days after a conversation', () => {
  const day = (d: number, outcome: string) => ({ at: `2026-06-${String(d).padStart(2, '0')}T15:00:00Z`, channel: 'voice_agent', destination: DEBTOR_PHONE, party: 'debtor', actor: 'bank', outcome });
  it('3 voicemails + 4 no-answers in the last 7 days → the 8th call is deferred; busy signals do not count', () => {
    const seven = [day(24, 'voicemail'), day(25, 'voicemail'), day(26, 'voicemail'), day(27, 'no_answer'), day(28, 'no_answer'), day(29, 'no_answer'), day(30, 'no_answer')];
    const v = us({ at: '2026-06-30T18:00:00Z', history: seven });
    expect(v.decision).toBe('defer');
    expect(ids(v)).toEqual(['US-02']);
    expect(until(v)).toBe('2026-07-01T12:00:00.000Z'); // 07-01 drops the 24th's call; 08:00 EDT
    expect(us({ at: '2026-06-30T18:00:00Z', history: [...seven.slice(1), day(27, 'busy'), day(28, 'busy')] }).decision).toBe('allow');
  });
  it('day 7 vs day 8: a call 7 local days ago still counts, 8 days ago does not', () => {
    const six = [25, 26, 27, 28, 29, 30].map((d) => day(d, 'no_answer'));
    expect(us({ at: '2026-06-30T18:00:00Z', history: [day(24, 'no_answer'), ...six] }).decision).toBe('defer');
    expect(us({ at: '2026-06-30T18:00:00Z', history: [day(23, 'no_answer'), ...six] }).decision).toBe('allow');
  });
  it('another debt has its own count', () => {
    const seven = [24, 25, 26, 27, 28, 29, 30].map((d) => ({ ...day(d, 'no_answer'), accountId: 'A1' }));
    expect(us({ at: '2026-06-30T18:00:00Z', accountId: 'A2', history: seven }).decision).toBe('allow');
    expect(us({ at: '2026-06-30T18:00:00Z', accountId: 'A1', history: seven }).decision).toBe('defer');
  });
  it('conversation Monday 10:00 → Saturday and Sunday (day 7) deferred, Monday (day 8) allowed', () => {
    const talk = [{ at: '2026-06-29T14:00:00Z', channel: 'voice_agent', destination: DEBTOR_PHONE, party: 'debtor', actor: 'bank', outcome: 'connected_right_party' }];
    const sat = us({ at: '2026-07-04T14:00:00Z', history: talk });
    expect(sat.decision).toBe('defer');
    expect(ids(sat)).toEqual(['US-03']);
    expect(until(sat)).toBe('2026-07-06T12:00:00.000Z'); // Monday 08:00 EDT
    expect(us({ at: '2026-07-05T23:59:59Z', history: talk }).decision).toBe('defer');
    expect(us({ at: '2026-07-06T14:00:00Z', history: talk }).decision).toBe('allow');
  });
  it('a call the consumer asked for (consent given directly) is exempt', () => {
    const talk = [{ at: '2026-06-29T14:00:00Z', channel: 'voice_agent', destination: DEBTOR_PHONE, party: 'debtor', actor: 'bank', outcome: 'connected_right_party' }];
    const consents = [{ id: 'cb-1', kind: 'call_request', channel: 'voice', validFrom: '2026-07-02T00:00:00Z', validUntil: '2026-07-03T00:00:00Z' }];
    expect(us({ at: '2026-07-02T14:00:00Z', history: talk }, { consents }).decision).toBe('allow');
    expect(us({ at: '2026-07-03T14:00:00Z', history: talk }, { consents }).decision).toBe('defer');
  });
});

describe('US-18 artificial voice needs prior express consent', () => {
  it('robot call without consent → block; with → allow', () => {
    expect(codes(us({ channel: 'voice_robot', at: '2026-06-30T15:00:00Z' }))).toEqual(['artificial_voice_without_consent']);
    expect(us({ channel: 'voice_robot', at: '2026-06-30T15:00:00Z' }, { consents: [{ kind: 'artificial_voice', channel: 'voice_robot', validUntil: '2027-01-01T00:00:00Z' }] }).decision).toBe('allow');
  });
});

describe('holds: every documented flag', () => {
  const collection = { channel: 'sms', content: { purpose: 'collection', text: '您好，请于本月内还款，详询95555。回复TD退订' } };
  it.each([
    ['cn', 'disputed', 'CN-08'], ['cn', 'complaint_open', 'CN-16'], ['cn', 'hardship', 'CN-09'], ['cn', 'capacity_concern', 'CN-04'],
    ['cn', 'deceased', 'CN-04'], ['cn', 'bankrupt', 'CN-04'], ['cn', 'attorney', 'CN-04'], ['cn', 'cease', 'CN-12'],
    ['uk-conc', 'debt_advice', 'UK-02'], ['uk-conc', 'breathing_space', 'UK-14'], ['uk-conc', 'capacity_concern', 'UK-09'], ['uk-conc', 'hardship', 'UK-01'],
    ['us-regf', 'disputed', 'US-06'], ['us-regf', 'cease', 'US-07'], ['us-regf', 'attorney', 'US-10'],
  ])('%s: flag %s blocks collection (%s)', (pack, flag, ruleId) => {
    const tz = pack === 'cn' ? 'Asia/Shanghai' : pack === 'uk-conc' ? 'Europe/London' : 'America/New_York';
    const at = pack === 'cn' ? '2026-06-30T02:00:00Z' : '2026-06-30T15:00:00Z';
    const text = pack === 'cn' ? collection.content.text : 'This is from a debt collector. Please call us. Reply STOP to opt out.';
    const line = baseLine({ ...collection, at, content: { purpose: 'collection', text } }, { timeZone: tz, flags: [flag] });
    const v = run(packs, pack, line);
    expect(v.decision).toBe('block');
    expect(v.rules).toContainEqual(expect.objectContaining({ ruleId, code: `hold_${flag}` }));
    const clean = run(packs, pack, baseLine({ ...collection, at, content: { purpose: 'collection', text } }, { timeZone: tz }));
    expect(clean.decision).toBe('allow');
  });
  it('a dispute hold still allows the dispute response; a cease still allows its confirmation', () => {
    expect(cn({ channel: 'sms', content: { purpose: 'dispute_response', text: '您的异议已受理。回复TD退订' } }, { flags: ['disputed'] }).decision).toBe('allow');
    expect(cn({ channel: 'sms', content: { purpose: 'cease_confirmation', text: '已按您的要求停止联系。' } }, { flags: ['cease'] }).decision).toBe('allow');
  });
  it('a flag on one account holds that account only', () => {
    const flags = [{ kind: 'disputed', accountId: 'A1' }];
    expect(cn({ accountId: 'A1' }, { flags }).decision).toBe('block');
    expect(cn({ accountId: 'A2' }, { flags }).decision).toBe('allow');
  });
  it('a cleared (expired) flag no longer holds', () => {
    expect(cn({}, { flags: [{ kind: 'hardship', since: '2026-05-01T00:00:00Z', until: '2026-06-01T00:00:00Z' }] }).decision).toBe('allow');
    expect(cn({}, { flags: [{ kind: 'hardship', since: '2026-07-01T00:00:00Z' }] }).decision).toBe('allow'); // not yet
  });
  it('UK-02 debt advice: a 30-day pause, extendable by 30', () => {
    const flags = (extended: boolean) => [{ kind: 'debt_advice', since: '2026-05-01T08:00:00Z', extended }];
    const day20 = uk({ at: '2026-05-20T09:00:00Z' }, { flags: flags(false) });
    expect(day20.decision).toBe('defer');
    expect(until(day20)).toBe('2026-05-31T08:00:00.000Z');
    expect(uk({ at: '2026-05-31T08:00:00Z' }, { flags: flags(false) }).decision).toBe('allow');
    expect(until(uk({ at: '2026-05-31T08:00:00Z' }, { flags: flags(true) }))).toBe('2026-06-30T08:00:00.000Z');
    expect(uk({ at: '2026-06-30T08:00:00Z' }, { flags: flags(true) }).decision).toBe('allow');
  });
  it('US-10 attorney: direct contact reopens after 30 days without a response, never while the attorney responds', () => {
    const flag = (responded: boolean) => [{ kind: 'attorney', since: '2026-06-01T15:00:00Z', responded }];
    const day10 = us({ at: '2026-06-11T15:00:00Z' }, { flags: flag(false) });
    expect(day10.decision).toBe('defer');
    expect(until(day10)).toBe('2026-07-01T15:00:00.000Z');
    expect(us({ at: '2026-07-01T15:00:00Z' }, { flags: flag(false) }).decision).toBe('allow');
    expect(us({ at: '2026-07-01T15:00:00Z' }, { flags: flag(true) }).decision).toBe('block');
  });
});

describe('content', () => {
  const sms = (text: string, o: Record<string, unknown> = {}) => cn({ channel: 'sms', content: { purpose: 'collection', text, ...o } });
  it('CN-05: threats, third-party disclosure and a fake blacklist → block naming each', () => {
    const v = sms('再不还款就通知你单位和家人，列入黑名单，后果自负。回复TD退订');
    expect(v.decision).toBe('block');
    expect(v.rules.filter((r) => r.code === 'prohibited_language').map((r) => r.details?.category).sort()).toEqual(['fake_blacklist', 'third_party_disclosure', 'threat']);
    expect(ids(v)).toEqual(['CN-05']);
  });
  it('CN-05: impersonating a court or the police', () => {
    expect(codes(sms('我们是法院的，请立即还款。回复TD退订'))).toEqual(['prohibited_language']);
    expect(sms('如有疑问请致电我行客服95555。回复TD退订').decision).toBe('allow');
  });
  it('electronic messages must say how to opt out', () => {
    const v = sms('您好，请于本月内还款。');
    expect(v.rules).toEqual([expect.objectContaining({ ruleId: 'CN-12', code: 'required_content_missing' })]);
  });
  it('CN-07: a collection letter carries its seven items', () => {
    const slots = { cardholderName: '张伟', balance: '12,345.00', reasonAndLegalBasis: '逾期；《合同》第8条', rightsAndObligations: '…', accountRepaymentAndDisputeChannels: '95555', bankContact: '95555', seal: 'seal-01' };
    const letter = (s: Record<string, string | null>) => cn({ channel: 'letter', destination: '北京市朝阳区建国路1号', content: { purpose: 'collection', text: '催收函', slots: s } });
    expect(letter(slots).decision).toBe('allow');
    const v = letter({ ...slots, accountRepaymentAndDisputeChannels: null, balance: '' });
    expect(v.decision).toBe('block');
    expect(v.rules[0]).toMatchObject({ ruleId: 'CN-07', code: 'required_content_missing', details: { missing: 'balance, accountRepaymentAndDisputeChannels' } });
  });
  it('US-12 mini-Miranda on the first communication, "from a debt collector" later; US-04 limited-content message', () => {
    const email = (text: string, o: Record<string, unknown> = {}) => us({ channel: 'email', destination: DEBTOR_EMAIL, at: '2026-06-30T15:00:00Z', content: { purpose: 'collection', text, ...o } });
    expect(codes(email('Hello. Unsubscribe: reply STOP.', { firstCommunication: true }))).toEqual(['required_content_missing']);
    expect(email('This is an attempt to collect a debt and any information obtained will be used for that purpose. Unsubscribe here.', { firstCommunication: true }).decision).toBe('allow');
    expect(email('This is from a debt collector. Unsubscribe here.').decision).toBe('allow');
    const lcm = us({ at: '2026-06-30T15:00:00Z', content: { purpose: 'limited_content', text: 'Hi John, please call Ann at 800-555-0100 about your $1,234 balance.' } });
    expect(lcm.rules).toContainEqual(expect.objectContaining({ ruleId: 'US-04', code: 'restricted_content' }));
  });
  it('UK-07 letters are marked "Private and confidential"', () => {
    const letter = (text: string) => uk({ channel: 'letter', destination: '北京市朝阳区建国路1号', content: { purpose: 'collection', text } });
    expect(codes(letter('Dear customer, please contact us.'))).toEqual(['required_content_missing']);
    expect(letter('PRIVATE AND CONFIDENTIAL — Dear customer, please contact us.').decision).toBe('allow');
  });
  it('a template id without text cannot be verified against required phrases', () => {
    expect(codes(cn({ channel: 'sms', content: { purpose: 'collection', templateId: 'tpl-1' } }))).toEqual(['content_text_missing']);
  });
});

describe('fail closed', () => {
  it('no snapshot → block compliance_state_unavailable', () => {
    const parsed = parseCheckLine(baseLine());
    if (!parsed.ok) throw new Error(parsed.message);
    const pack = packs.select('cn', Date.parse('2026-06-30T02:00:00Z'))!;
    const v = check(pack, toProposedContact(parsed.value), null, Date.parse('2026-06-30T02:00:00Z'));
    expect(v.decision).toBe('block');
    expect(v.rules).toEqual([expect.objectContaining({ ruleId: 'X-01', code: 'compliance_state_unavailable' })]);
  });
  it('no pack version in effect → block', () => {
    const v = cn({ at: '2020-01-01T02:00:00Z' });
    expect(v.decision).toBe('block');
    expect(codes(v)).toEqual(['compliance_state_unavailable']);
  });
});
