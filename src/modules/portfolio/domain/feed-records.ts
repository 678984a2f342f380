/**
 * Bank-feed records as they appear in files and API bodies (docs/feed-format.md): amounts are exact
 * decimal strings, dates are ISO "YYYY-MM-DD". Every producer (NDJSON, CSV, the UCI dataset mapping,
 * the demo generator, POST /imports) yields these objects and every one goes through the same
 * validation before anything is stored.
 */
export type PartyRole = 'debtor' | 'guarantor' | 'contact';
export const PARTY_ROLES: readonly PartyRole[] = ['debtor', 'guarantor', 'contact'];
export type Language = 'zh-CN' | 'en';
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];
export type AccountStatus = 'open' | 'frozen' | 'restricted' | 'closed' | 'charged_off';
export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['open', 'frozen', 'restricted', 'closed', 'charged_off'];

export interface FeedPhone { number: string; role?: PartyRole; verified?: boolean; source?: string }
export interface FeedEmail { address: string; role?: PartyRole; verified?: boolean; source?: string }
export interface FeedAddress { line: string; city?: string; region?: string; postalCode?: string; country?: string; role?: PartyRole; verified?: boolean; source?: string }

export interface FeedCustomer {
  type: 'customer';
  id: string;
  name: string;
  nationalId?: string;
  phones?: FeedPhone[];
  emails?: FeedEmail[];
  addresses?: FeedAddress[];
  timeZone?: string;
  language?: Language;
}

export interface FeedAccount {
  type: 'account';
  id: string;
  customerId: string;
  currency: string;
  creditLimit: string;
  openedOn: string;
  status?: AccountStatus;
}

export interface FeedStatement {
  type: 'statement';
  accountId: string;
  statementDate: string;
  dueDate: string;
  minimumDue: string;
  closingBalance: string;
  principal?: string;
  interest?: string;
  fees?: string;
}

export interface FeedPayment {
  type: 'payment';
  id: string;
  accountId: string;
  postedOn: string;
  amount: string;
  channel?: string;
}

export interface FeedDelinquency {
  type: 'delinquency';
  accountId: string;
  asOf: string;
  cyclesDelinquent: number;
  amountDue?: string;
  balance?: string;
}

export type FeedRecord = FeedCustomer | FeedAccount | FeedStatement | FeedPayment | FeedDelinquency;
export type FeedRecordType = FeedRecord['type'];
export const FEED_RECORD_TYPES: readonly FeedRecordType[] = ['customer', 'account', 'statement', 'payment', 'delinquency'];
