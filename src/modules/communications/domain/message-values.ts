/**
 * The values a template is rendered with: the account's facts at send time (amounts, dates, masked
 * card), the bank's settings (sender, official hotline and URL, repayment and dispute channels), and
 * the message's own values (deadline, collector). Money and dates are written per language:
 * "3,256.80元" / "CNY 3,256.80", "2026年7月7日" / "7 July 2026". Pure.
 */
import { civilOf, type EpochDay } from '../../../kernel/dates.ts';
import type { TemplateLanguage, TemplateValues, TemplateVariable } from './template.ts';

/** What the dispatcher knows about an account when it renders (read in bulk at send time). */
export interface AccountFacts {
  accountId: string;
  customerId: string;
  customerName: string;
  language: TemplateLanguage;
  timeZone: string;
  currency: string;
  /** Minor units of `currency`. */
  overdueMinor: bigint;
  balanceMinor: bigint;
  /** Of the latest statement; null when the account has none. */
  minimumDueMinor: bigint | null;
  dueDate: EpochDay | null;
  daysPastDue: number;
}

export interface BankFacts {
  name: Record<TemplateLanguage, string>;
  address: Record<TemplateLanguage, string>;
  verificationHotline: string;
  verificationUrl: string;
  repaymentChannels: Record<TemplateLanguage, string>;
  disputeChannel: Record<TemplateLanguage, string>;
  collectionsDepartment: Record<TemplateLanguage, string>;
  deadlineDays: number;
}

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const CURRENCY_ZH: Readonly<Record<string, string>> = { CNY: '元', HKD: '港元', USD: '美元', EUR: '欧元', GBP: '英镑', JPY: '日元' };

export function formatDate(day: EpochDay, language: TemplateLanguage): string {
  const { year, month, day: d } = civilOf(day);
  return language === 'zh-CN' ? `${year}年${month}月${d}日` : `${d} ${MONTHS_EN[month - 1]} ${year}`;
}

/** Minor units as a grouped decimal with the currency: 325680n CNY → "3,256.80元" / "CNY 3,256.80". */
export function formatMoney(minor: bigint, currency: string, minorDigits: number, language: TemplateLanguage): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const scale = 10n ** BigInt(minorDigits);
  const whole = (abs / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = minorDigits > 0 ? '.' + (abs % scale).toString().padStart(minorDigits, '0') : '';
  const number = `${negative ? '-' : ''}${whole}${fraction}`;
  if (language === 'zh-CN') return CURRENCY_ZH[currency] ? `${number}${CURRENCY_ZH[currency]}` : `${currency} ${number}`;
  return `${currency} ${number}`;
}

/**
 * The card as shown: only the last four characters of the account id (the portfolio keeps no card
 * number; see docs/communications.md).
 */
export function maskedCard(accountId: string): string {
  const digits = accountId.replace(/\D/g, '');
  const tail = (digits.length >= 4 ? digits : accountId).slice(-4);
  return `****${tail}`;
}

export interface ValueInput {
  account: AccountFacts | null;
  /** The customer's name when the message has no account. */
  customerName: string;
  bank: BankFacts;
  language: TemplateLanguage;
  /** Today in the bank's zone (letter date, default deadline). */
  today: EpochDay;
  minorDigits: (currency: string) => number;
  /** The message's own values (only `deadline` and `collectorName` are taken). */
  messageValues: Readonly<Record<string, string>>;
  unsubscribeUrl: string | null;
}

/** Every value the input can give; a template using one that has none fails to render (and says which). */
export function templateValues(input: ValueInput): TemplateValues {
  const { account, bank, language } = input;
  const v: Partial<Record<TemplateVariable, string>> = {
    customerName: account?.customerName ?? input.customerName,
    repaymentChannels: bank.repaymentChannels[language],
    deadline: input.messageValues.deadline ?? formatDate(input.today + bank.deadlineDays, language),
    verificationHotline: bank.verificationHotline,
    verificationUrl: bank.verificationUrl,
    collectorName: input.messageValues.collectorName ?? bank.collectionsDepartment[language],
    bankName: bank.name[language],
    bankAddress: bank.address[language],
    disputeChannel: bank.disputeChannel[language],
    letterDate: formatDate(input.today, language),
  };
  if (input.unsubscribeUrl) v.unsubscribeUrl = input.unsubscribeUrl;
  if (account) {
    const digits = input.minorDigits(account.currency);
    const money = (m: bigint) => formatMoney(m, account.currency, digits, language);
    v.maskedCardNumber = maskedCard(account.accountId);
    v.overdueAmount = money(account.overdueMinor);
    v.totalBalance = money(account.balanceMinor);
    v.daysPastDue = String(account.daysPastDue);
    if (account.minimumDueMinor !== null) v.minimumDue = money(account.minimumDueMinor);
    if (account.dueDate !== null) v.dueDate = formatDate(account.dueDate, language);
  }
  return v;
}

