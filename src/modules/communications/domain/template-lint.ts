/**
 * What a template must be before it may be published, apart from the compliance pack's content rules
 * (prohibited language, required phrases and slots, debt details to third parties: the service adds
 * those by linting the template rendered with sample values). Pure.
 */
import { segmentSms } from './sms-encoding.ts';
import {
  DEBT_DETAIL_VARIABLES, LETTER_SLOTS, TEMPLATE_VARIABLES, placeholders, renderTemplate, slotReferences, templateTexts, type LetterSlot,
  type TemplateDocument, type TemplateLanguage, type TemplateValues,
} from './template.ts';

export type LintSeverity = 'error' | 'warning';

export interface TemplateFinding {
  code: string;
  severity: LintSeverity;
  /** Where: `body`, `slots.seal`, … (or `$` for the whole template). */
  path: string;
  /** The compliance rule behind it, when there is one. */
  ruleId: string | null;
  message: { zh: string; en: string };
}

/** Values that show what a rendered template looks like (and let the compliance lint read real text). */
export const SAMPLE_VALUES: Readonly<Record<TemplateLanguage, Required<TemplateValues>>> = {
  'zh-CN': {
    customerName: '张三', maskedCardNumber: '****1234', overdueAmount: '3,256.80元', minimumDue: '1,200.00元', totalBalance: '18,560.00元',
    dueDate: '2026年6月15日', daysPastDue: '15', repaymentChannels: '手机银行App、网上银行或全国各网点', deadline: '2026年7月7日',
    verificationHotline: '95500', verificationUrl: 'https://verify.example.com', collectorName: '信用卡中心催收部', bankName: '示范银行信用卡中心',
    bankAddress: '上海市浦东新区示范路1号', disputeChannel: '客服热线95500或任一网点', letterDate: '2026年6月30日', unsubscribeUrl: 'https://mail.example.com/u/sample',
  },
  en: {
    customerName: 'Alex Smith', maskedCardNumber: '****1234', overdueAmount: 'CNY 3,256.80', minimumDue: 'CNY 1,200.00', totalBalance: 'CNY 18,560.00',
    dueDate: '15 June 2026', daysPastDue: '15', repaymentChannels: 'the mobile app, online banking or any branch', deadline: '7 July 2026',
    verificationHotline: '95500', verificationUrl: 'https://verify.example.com', collectorName: 'Card Centre Collections', bankName: 'Demo Bank Card Centre',
    bankAddress: '1 Demo Road, Pudong, Shanghai', disputeChannel: 'the hotline 95500 or any branch', letterDate: '30 June 2026', unsubscribeUrl: 'https://mail.example.com/u/sample',
  },
};

/** SMS parts above which a template is warned about (each part is billed). */
export const SMS_PARTS_WARN = 3;

const f = (code: string, severity: LintSeverity, path: string, ruleId: string | null, zh: string, en: string): TemplateFinding => ({ code, severity, path, ruleId, message: { zh, en } });

export function lintTemplate(t: TemplateDocument): TemplateFinding[] {
  const out: TemplateFinding[] = [];
  const texts = templateTexts(t);
  for (const { path, text } of texts) {
    for (const name of placeholders(text)) {
      if (!(name in TEMPLATE_VARIABLES)) out.push(f('unknown_variable', 'error', path, null, `未知变量 {{${name}}}`, `unknown variable {{${name}}}`));
    }
    for (const slot of slotReferences(text)) {
      if (t.slots[slot as LetterSlot] === undefined) out.push(f('unknown_slot_reference', 'error', path, null, `引用了未定义的栏位 {{slot:${slot}}}`, `refers to a slot that is not defined: {{slot:${slot}}}`));
    }
    const stray = text.replace(/\{\{\s*(slot:)?[A-Za-z][A-Za-z0-9_]*\s*\}\}/g, '');
    if (stray.includes('{{') || stray.includes('}}')) out.push(f('malformed_placeholder', 'error', path, null, '占位符格式错误（应为 {{变量名}}）', 'malformed placeholder (use {{name}})'));
  }
  const used = new Set(texts.flatMap((x) => placeholders(x.text)));
  const has = (...names: string[]) => names.some((n) => used.has(n));

  if (t.channel === 'email' && !t.subject) out.push(f('subject_missing', 'error', 'subject', null, '邮件须有主题', 'an e-mail needs a subject'));
  if (t.channel === 'email' && !t.html) out.push(f('html_missing', 'error', 'html', null, '邮件须同时有HTML正文', 'an e-mail needs an HTML part besides the text'));
  if (t.channel === 'letter') {
    if (!t.title) out.push(f('title_missing', 'error', 'title', null, '信函须有标题', 'a letter needs a title'));
    if (t.sections.length === 0) out.push(f('sections_missing', 'error', 'sections', null, '信函须有正文段落', 'a letter needs sections'));
  }
  if (t.channel === 'voice_robot' && Object.keys(t.keys).length === 0) out.push(f('keys_missing', 'error', 'keys', null, '语音脚本须定义按键', 'a robot script needs its keys'));
  if (t.channel !== 'letter' && Object.keys(t.slots).length) out.push(f('slots_not_for_channel', 'error', 'slots', null, '只有信函有事项栏位', 'only letters have slots'));
  for (const slot of Object.keys(t.slots)) {
    if (!(LETTER_SLOTS as readonly string[]).includes(slot)) out.push(f('unknown_slot', 'error', `slots.${slot}`, null, `未知栏位 ${slot}`, `unknown slot ${slot}`));
  }

  // Sender identity (CN-18 自报家门, UK/US caller identification): every message says who sends it.
  if (!has('bankName', 'collectorName')) out.push(f('sender_identity_missing', 'error', '$', 'CN-18', '须表明发送方身份（{{bankName}} 或 {{collectorName}}）', 'must say who sends it ({{bankName}} or {{collectorName}})'));
  // Customers are told to beware of impersonators: every message to the debtor can be verified (DOMAIN.md §5).
  if (t.party !== 'contact' && !has('verificationHotline', 'verificationUrl')) {
    out.push(f('verification_missing', 'error', '$', null, '须提供官方核实渠道（{{verificationHotline}} 或 {{verificationUrl}}）', 'must give the official way to verify it ({{verificationHotline}} or {{verificationUrl}})'));
  }
  // No debt details to third parties (CN-04, US-09, UK-07): not even as a variable.
  if (t.party === 'contact') {
    for (const name of DEBT_DETAIL_VARIABLES) {
      if (used.has(name)) out.push(f('debt_detail_for_third_party', 'error', '$', 'CN-04', `第三方模板不得含债务信息 {{${name}}}`, `a template for third parties must not carry debt details: {{${name}}}`));
    }
  }
  if (t.channel === 'email' && !used.has('unsubscribeUrl')) out.push(f('unsubscribe_link_missing', 'warning', 'html', null, '建议在邮件中提供退订链接 {{unsubscribeUrl}}', 'consider an unsubscribe link {{unsubscribeUrl}} in the e-mail'));

  if (t.channel === 'sms') {
    const sample = renderTemplate(t, SAMPLE_VALUES[t.language]);
    if (sample.ok) {
      const parts = segmentSms(sample.value.text).parts.length;
      if (parts > SMS_PARTS_WARN) out.push(f('sms_too_long', 'warning', 'body', null, `示例渲染为 ${parts} 条短信`, `renders as ${parts} SMS parts with sample values`));
    }
  }
  return out;
}
