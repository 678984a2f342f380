import { describe, expect, it } from 'vitest';
import { renderTemplate, renderedFullText, templateVariables, type TemplateDocument } from './template.ts';
import { formatDate, formatMoney, maskedCard, templateValues, type BankFacts } from './message-values.ts';
import { epochDayOf } from '../../../kernel/dates.ts';

const doc = (over: Partial<TemplateDocument> = {}): TemplateDocument => ({
  id: 't', version: 1, effectiveFrom: '2026-01-01', family: 'f', channel: 'email', language: 'zh-CN', tone: 'neutral', purpose: 'reminder', party: 'debtor',
  description: '', subject: '{{bankName}}提醒', body: '{{customerName}}：{{overdueAmount}}', html: '<p>{{customerName}}</p>', title: null, sections: [], closing: null, slots: {}, keys: {}, ...over,
});

describe('rendering', () => {
  it('fills text parts as they are and escapes values in HTML', () => {
    const r = renderTemplate(doc(), { customerName: '<张伟>', overdueAmount: '1,200.00元', bankName: '示范银行' });
    expect(r.ok && r.value).toMatchObject({ subject: '示范银行提醒', text: '<张伟>：1,200.00元', html: '<p>&lt;张伟&gt;</p>' });
  });
  it('names every variable without a value', () => {
    const r = renderTemplate(doc(), { customerName: '张伟' });
    expect(r).toMatchObject({ ok: false, code: 'template_variable_missing', details: { missing: ['bankName', 'overdueAmount'] } });
  });
  it('expands slot references in letter sections, and the full text holds every part', () => {
    const t = doc({ channel: 'letter', subject: null, html: null, title: '催收函', sections: [{ heading: '一', text: '{{slot:balance}}。' }], slots: { balance: '欠款{{totalBalance}}' } });
    expect(templateVariables(t).sort()).toEqual(['customerName', 'overdueAmount', 'totalBalance']);
    const r = renderTemplate(t, { customerName: '张伟', overdueAmount: '1元', totalBalance: '9元' });
    expect(r.ok && r.value.sections[0]!.text).toBe('欠款9元。');
    expect(r.ok && renderedFullText(r.value)).toBe('催收函\n张伟：1元\n一\n欠款9元。\n欠款9元');
  });
});

describe('values', () => {
  const bank: BankFacts = {
    name: { 'zh-CN': '示范银行', en: 'Demo Bank' }, address: { 'zh-CN': '上海', en: 'Shanghai' }, verificationHotline: '95500', verificationUrl: 'https://verify.example.com',
    repaymentChannels: { 'zh-CN': 'App', en: 'the app' }, disputeChannel: { 'zh-CN': '热线', en: 'the hotline' }, collectionsDepartment: { 'zh-CN': '客服部', en: 'Care' }, deadlineDays: 7,
  };
  it('writes money and dates per language', () => {
    expect(formatMoney(325680n, 'CNY', 2, 'zh-CN')).toBe('3,256.80元');
    expect(formatMoney(325680n, 'CNY', 2, 'en')).toBe('CNY 3,256.80');
    expect(formatMoney(-5n, 'USD', 2, 'zh-CN')).toBe('-0.05美元');
    expect(formatMoney(1234567n, 'JPY', 0, 'en')).toBe('JPY 1,234,567');
    expect(formatMoney(100n, 'XTS', 2, 'zh-CN')).toBe('XTS 1.00');
    expect(formatDate(epochDayOf(2026, 7, 7), 'zh-CN')).toBe('2026年7月7日');
    expect(formatDate(epochDayOf(2026, 7, 7), 'en')).toBe('7 July 2026');
    expect(maskedCard('6222020000001234')).toBe('****1234');
    expect(maskedCard('ACC-7')).toBe('****CC-7');
  });
  it('takes deadline and collector from the message, the rest from the account and the bank', () => {
    const today = epochDayOf(2026, 6, 30);
    const account = { accountId: 'A1234', customerId: 'C', customerName: '张伟', language: 'zh-CN' as const, timeZone: 'Asia/Shanghai', currency: 'CNY', overdueMinor: 120000n, balanceMinor: 1856000n, minimumDueMinor: null, dueDate: null, daysPastDue: 36 };
    const v = templateValues({ account, customerName: 'x', bank, language: 'zh-CN', today, minorDigits: () => 2, messageValues: { collectorName: '某某律师事务所', overdueAmount: '0元' }, unsubscribeUrl: null });
    expect(v).toMatchObject({ customerName: '张伟', overdueAmount: '1,200.00元', totalBalance: '18,560.00元', deadline: '2026年7月7日', collectorName: '某某律师事务所', bankName: '示范银行', maskedCardNumber: '****1234', daysPastDue: '36' });
    expect(v.minimumDue).toBeUndefined(); // no statement: a template that needs it does not render
    expect(templateValues({ account: null, customerName: 'Li', bank, language: 'en', today, minorDigits: () => 2, messageValues: { deadline: 'Friday' }, unsubscribeUrl: 'u' })).toMatchObject({ customerName: 'Li', deadline: 'Friday', unsubscribeUrl: 'u', bankName: 'Demo Bank' });
  });
});
