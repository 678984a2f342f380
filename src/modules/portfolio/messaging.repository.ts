/**
 * Portfolio reads for messaging, set-based over many accounts or customers (the dispatcher renders
 * thousands of messages a second): the account with its customer and aging input, the contact points
 * with phones still sealed (the caller decrypts only the one it hands to a provider), and the
 * customers a phone number belongs to (inbound replies), found by blind index.
 */
import type pg from 'pg';
import { parsePlainDate } from '../../kernel/dates.ts';
import { agingInputFromPacked, refreshAccountHistories, type AgingInput } from './portfolio.repository.ts';

type Db = pg.ClientBase | pg.Pool;

export interface MessagingAccount {
  accountId: string;
  customerId: string;
  customerName: string;
  language: 'zh-CN' | 'en';
  timeZone: string;
  currency: string;
  status: string;
  aging: AgingInput;
}

/** Accounts with customer and aging input (statements and payments up to `asOf`), in one query. */
export async function messagingAccounts(db: Db, accountIds: readonly string[], asOf: string): Promise<Map<string, MessagingAccount>> {
  const out = new Map<string, MessagingAccount>();
  if (accountIds.length === 0) return out;
  const day = parsePlainDate(asOf);
  if (day === null) throw new Error(`messagingAccounts: as-of ${asOf} is not a date`);
  await refreshAccountHistories(db);
  const { rows } = await db.query<[string, string, string, string | null, string | null, string, string, string, string]>({
    text: `select a.account_id, a.customer_id, a.currency, h.statements, h.payments, c.name, c.language, c.time_zone, a.status
           from card_accounts a join customers c on c.customer_id = a.customer_id
           left join account_histories h on h.account_id = a.account_id
           where a.account_id = any($1::text[])`,
    values: [[...new Set(accountIds)]],
    rowMode: 'array',
  });
  for (const [accountId, customerId, currency, statements, payments, name, language, timeZone, status] of rows) {
    const aging = agingInputFromPacked({ accountId, customerId, currency, statements, payments, hostCyclesDelinquent: null }, day);
    out.set(accountId, { accountId, customerId, customerName: name, language: language === 'en' ? 'en' : 'zh-CN', timeZone, currency, status, aging });
  }
  return out;
}

export interface MessagingCustomer { customerId: string; name: string; language: 'zh-CN' | 'en'; timeZone: string }

export async function messagingCustomers(db: Db, customerIds: readonly string[]): Promise<Map<string, MessagingCustomer>> {
  const out = new Map<string, MessagingCustomer>();
  if (customerIds.length === 0) return out;
  const { rows } = await db.query<[string, string, string, string]>({
    text: 'select customer_id, name, language, time_zone from customers where customer_id = any($1::text[])', values: [[...new Set(customerIds)]], rowMode: 'array',
  });
  for (const [customerId, name, language, timeZone] of rows) out.set(customerId, { customerId, name, language: language === 'en' ? 'en' : 'zh-CN', timeZone });
  return out;
}

export interface SendingContactPoint {
  kind: 'phone' | 'email' | 'address';
  position: number;
  partyRole: 'debtor' | 'guarantor' | 'contact';
  verified: boolean;
  source: string | null;
  /** E-mail address or address line in clear; null for phones (sealed). */
  value: string | null;
  /** Phones: the sealed number (decrypt only to hand it to a provider). */
  valueEncrypted: Buffer | null;
  /** Phones: the blind index, as the compliance state keys them ('tel:' + hex). */
  valueHmac: Buffer | null;
  masked: string | null;
  details: Record<string, unknown> | null;
}

/** Every contact point of these customers, by customer, in kind and position order. */
export async function sendingContactPoints(db: Db, customerIds: readonly string[]): Promise<Map<string, SendingContactPoint[]>> {
  const out = new Map<string, SendingContactPoint[]>();
  if (customerIds.length === 0) return out;
  const { rows } = await db.query<[string, SendingContactPoint['kind'], number, SendingContactPoint['partyRole'], boolean, string | null, string | null, Buffer | null, Buffer | null, string | null, Record<string, unknown> | null]>({
    text: `select customer_id, kind, position, party_role, verified, source, value, value_encrypted, value_hmac, value_masked, details
           from contact_points where customer_id = any($1::text[]) order by customer_id, kind, position`,
    values: [[...new Set(customerIds)]],
    rowMode: 'array',
  });
  for (const [customerId, kind, position, partyRole, verified, source, value, valueEncrypted, valueHmac, masked, details] of rows) {
    const point: SendingContactPoint = { kind, position, partyRole, verified, source, value, valueEncrypted, valueHmac, masked, details };
    const list = out.get(customerId);
    if (list) list.push(point);
    else out.set(customerId, [point]);
  }
  return out;
}

/** The customers (and positions) whose phone has one of these blind indexes. */
export async function customersByPhoneHmac(db: Db, hmacs: readonly Buffer[]): Promise<{ customerId: string; position: number; partyRole: string; valueHmac: Buffer; masked: string | null }[]> {
  if (hmacs.length === 0) return [];
  const { rows } = await db.query<{ customer_id: string; position: number; party_role: string; value_hmac: Buffer; value_masked: string | null }>(
    `select customer_id, position, party_role, value_hmac, value_masked from contact_points where kind = 'phone' and value_hmac = any($1::bytea[]) order by customer_id, position`,
    [hmacs],
  );
  return rows.map((r) => ({ customerId: r.customer_id, position: r.position, partyRole: r.party_role, valueHmac: r.value_hmac, masked: r.value_masked }));
}

/** Customers whose e-mail address is this one (case-insensitive). */
export async function customersByEmail(db: Db, address: string): Promise<string[]> {
  const { rows } = await db.query<{ customer_id: string }>(`select distinct customer_id from contact_points where kind = 'email' and lower(value) = lower($1) order by 1`, [address]);
  return rows.map((r) => r.customer_id);
}
