/** Portfolio reads: bulk inputs for aging (COPY out, one row per account) and single-account views. */
import type pg from 'pg';
import { copyOutRows, PackedBytes, type CopyRow } from '../../db/index.ts';
import { parsePlainDate, type EpochDay } from '../../kernel/dates.ts';

export interface AgingInput {
  accountId: string;
  customerId: string;
  currency: string;
  statements: { statementDate: EpochDay; dueDate: EpochDay; minimumDueMinor: bigint; closingBalanceMinor: bigint }[];
  payments: { postedOn: EpochDay; amountMinor: bigint }[];
  /** The card host's own cycles-delinquent for the as-of date, when it sent one. */
  hostCyclesDelinquent: number | null;
}

/**
 * Streams every account (opened on or before asOf) with its statements and payments up to asOf: one COPY
 * out of account_histories, where each account's statements and payments are kept packed (migration
 * 0005), so no grouping happens per run. Its rows are aliased `a`; the host's snapshot for the date `s`.
 */
export async function* agingInputs(client: pg.ClientBase, asOf: string): AsyncGenerator<AgingInput> {
  const day = asOfDay(asOf);
  await refreshAccountHistories(client);
  for await (const row of copyOutRows(client, agingInputsSql(asOf))) yield agingInputOf(row, day);
}

/**
 * Rebuilds the account_histories rows of accounts whose account, statements or payments changed since
 * the last refresh (the triggers of migration 0005 note them). The importer calls it before it commits;
 * readers call it first so that writes which bypassed the importer are seen. Returns the rows written.
 */
export async function refreshAccountHistories(client: pg.ClientBase | pg.Pool): Promise<number> {
  const { rows } = await client.query<{ written: number }>('select refresh_account_histories() as written');
  return rows[0]!.written;
}

/**
 * The COPY query behind `agingInputs` (call `refreshAccountHistories` first), for callers that join more columns (`extraColumns`, `extraJoins`);
 * its first six columns are those `agingInputOf` reads.
 */
export function agingInputsSql(asOf: string, extraColumns = '', extraJoins = '', extraWhere = 'true'): string {
  asOfDay(asOf);
  return `copy (
    select a.account_id, a.customer_id, a.currency, a.statements, a.payments, s.cycles_delinquent${extraColumns}
    from account_histories a
    left join host_delinquency_snapshots s on s.account_id = a.account_id and s.as_of = date '${asOf}'
    ${extraJoins}
    where a.opened_on <= date '${asOf}' and (${extraWhere})
  ) to stdout`;
}

function asOfDay(asOf: string): EpochDay {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? parsePlainDate(asOf) : null;
  if (day === null) throw new Error(`as-of ${asOf} is not a date`);
  return day;
}

/** One aging input from an account_histories row read as plain values (a query, not a COPY). */
export function agingInputFromPacked(r: { accountId: string; customerId: string; currency: string; statements: string | null; payments: string | null; hostCyclesDelinquent: number | null }, asOf: EpochDay): AgingInput {
  const statements: AgingInput['statements'] = [];
  if (r.statements) readPackedStatements(Buffer.from(r.statements, 'latin1'), 0, r.statements.length, asOf, statements);
  const payments: AgingInput['payments'] = [];
  if (r.payments) readPackedPayments(Buffer.from(r.payments, 'latin1'), 0, r.payments.length, asOf, payments);
  return { accountId: r.accountId, customerId: r.customerId, currency: r.currency, statements, payments, hostCyclesDelinquent: r.hostCyclesDelinquent };
}

function readPackedStatements(buf: Buffer, start: number, stop: number, asOf: EpochDay, out: AgingInput['statements']): void {
  const scan = new PackedBytes(buf, start, stop);
  while (!scan.done()) {
    const statementDate = scan.day();
    if (statementDate > asOf) break; // in statement-date order
    out.push({ statementDate, dueDate: scan.day(), minimumDueMinor: scan.minor(), closingBalanceMinor: scan.minor() });
  }
}

function readPackedPayments(buf: Buffer, start: number, stop: number, asOf: EpochDay, out: AgingInput['payments']): void {
  const scan = new PackedBytes(buf, start, stop);
  while (!scan.done()) {
    const postedOn = scan.day();
    if (postedOn > asOf) break; // in posted-on order
    out.push({ postedOn, amountMinor: scan.minor() });
  }
}

/**
 * One aging input from the first six fields of an `agingInputsSql` row, keeping only what exists as of
 * `asOf`; leaves the row positioned on the next field (callers that joined more columns read on).
 */
export function agingInputOf(row: CopyRow, asOf: EpochDay): AgingInput {
  const accountId = row.text()!;
  const customerId = row.text()!;
  const currency = row.text()!;
  const statements: AgingInput['statements'] = [];
  const packedStatements = row.raw();
  if (packedStatements) readPackedStatements(row.buf, packedStatements[0], packedStatements[1], asOf, statements);
  const payments: AgingInput['payments'] = [];
  const packedPayments = row.raw();
  if (packedPayments) readPackedPayments(row.buf, packedPayments[0], packedPayments[1], asOf, payments);
  return { accountId, customerId, currency, statements, payments, hostCyclesDelinquent: row.integer() };
}

export interface AccountRow {
  account_id: string; customer_id: string; currency: string; credit_limit_minor: bigint; opened_on: string; status: string;
  name: string; national_id_last4: string | null; time_zone: string; language: string;
}

export async function findAccount(client: pg.ClientBase | pg.Pool, accountId: string): Promise<AccountRow | null> {
  const { rows } = await client.query<AccountRow>(
    `select a.account_id, a.customer_id, a.currency, a.credit_limit_minor, a.opened_on, a.status,
            c.name, c.national_id_last4, c.time_zone, c.language
     from card_accounts a join customers c on c.customer_id = a.customer_id where a.account_id = $1`,
    [accountId],
  );
  return rows[0] ?? null;
}

export async function findContactPoints(client: pg.ClientBase | pg.Pool, customerId: string) {
  // Phones: only the masked form (the clear number is sealed; findCustomerPii decrypts for an audited unmask).
  const { rows } = await client.query<{ kind: string; position: number; value: string; details: Record<string, string> | null; party_role: string; verified: boolean; source: string | null }>(
    `select kind, position, case when kind = 'phone' then value_masked else value end as value, details, party_role, verified, source
     from contact_points where customer_id = $1 order by kind, position`,
    [customerId],
  );
  return rows;
}

export async function findStatements(client: pg.ClientBase | pg.Pool, accountId: string, asOf: string) {
  const { rows } = await client.query<{ statement_date: string; due_date: string; minimum_due_minor: bigint; closing_balance_minor: bigint; principal_minor: bigint | null; interest_minor: bigint | null; fees_minor: bigint | null }>(
    `select statement_date, due_date, minimum_due_minor, closing_balance_minor, principal_minor, interest_minor, fees_minor
     from statements where account_id = $1 and statement_date <= $2 order by statement_date`,
    [accountId, asOf],
  );
  return rows;
}

export async function findPayments(client: pg.ClientBase | pg.Pool, accountId: string, asOf: string) {
  const { rows } = await client.query<{ payment_id: string; posted_on: string; amount_minor: bigint; channel: string | null }>(
    'select payment_id, posted_on, amount_minor, channel from payments where account_id = $1 and posted_on <= $2 order by posted_on, payment_id',
    [accountId, asOf],
  );
  return rows;
}

export async function findHostSnapshot(client: pg.ClientBase | pg.Pool, accountId: string, asOf: string) {
  const { rows } = await client.query<{ cycles_delinquent: number; amount_due_minor: bigint | null; balance_minor: bigint | null }>(
    'select cycles_delinquent, amount_due_minor, balance_minor from host_delinquency_snapshots where account_id = $1 and as_of = $2',
    [accountId, asOf],
  );
  return rows[0] ?? null;
}

export interface ContactProfile {
  timeZone: string;
  points: { kind: 'phone' | 'email' | 'address'; value: string; partyRole: 'debtor' | 'guarantor' | 'contact'; verified: boolean; source: string | null }[];
}

/** Time zone and contact points of many customers in two set-based queries (compliance snapshots). */
export async function contactProfiles(client: pg.ClientBase | pg.Pool, customerIds: readonly string[]): Promise<Map<string, ContactProfile>> {
  const profiles = new Map<string, ContactProfile>();
  if (customerIds.length === 0) return profiles;
  const customers = await client.query<[string, string]>({ text: 'select customer_id, time_zone from customers where customer_id = any($1::text[])', values: [customerIds], rowMode: 'array' });
  for (const [id, timeZone] of customers.rows) profiles.set(id, { timeZone, points: [] });
  const points = await client.query<[string, 'phone' | 'email' | 'address', string, 'debtor' | 'guarantor' | 'contact', boolean, string | null]>({
    // Phones are sealed (migration 0003): they are named by their blind index, as the compliance keys them.
    text: `select customer_id, kind, case when kind = 'phone' then 'tel:' || encode(value_hmac, 'hex') else value end, party_role, verified, source from contact_points
           where customer_id = any($1::text[]) order by customer_id, kind, position`,
    values: [customerIds], rowMode: 'array',
  });
  for (const [id, kind, value, partyRole, verified, source] of points.rows) profiles.get(id)?.points.push({ kind, value, partyRole, verified, source });
  return profiles;
}

export interface PhonePoint {
  /** The contact point's reference as work items and outboxes name it ('phone:0'). */
  ref: string;
  position: number;
  /** The blind-index key the compliance state uses ('tel:' + hex HMAC). */
  key: string;
  masked: string;
  partyRole: 'debtor' | 'guarantor' | 'contact';
  verified: boolean;
  source: string | null;
}

/** A customer's phone numbers by reference, key and masked form (never the clear number). */
export async function customerPhones(client: pg.ClientBase | pg.Pool, customerId: string): Promise<PhonePoint[]> {
  const { rows } = await client.query<{ position: number; key: string; masked: string; party_role: PhonePoint['partyRole']; verified: boolean; source: string | null }>(
    `select position, 'tel:' || encode(value_hmac, 'hex') as key, value_masked as masked, party_role, verified, source
     from contact_points where customer_id = $1 and kind = 'phone' and value_hmac is not null order by position`,
    [customerId],
  );
  return rows.map((r) => ({ ref: `phone:${r.position}`, position: r.position, key: r.key, masked: r.masked, partyRole: r.party_role, verified: r.verified, source: r.source }));
}

/** The customer's card accounts with the stored aging of each (from the last aging run). */
export async function customerAccounts(client: pg.ClientBase | pg.Pool, customerId: string) {
  const { rows } = await client.query<{ account_id: string; currency: string; status: string; opened_on: string; credit_limit_minor: bigint; bucket: string | null; days_past_due: number | null; balance_minor: bigint | null; overdue_minor: bigint | null; as_of: string | null }>(
    `select a.account_id, a.currency, a.status, a.opened_on, a.credit_limit_minor, d.bucket, d.days_past_due, d.balance_minor, d.overdue_minor, d.as_of
     from card_accounts a left join account_delinquency d on d.account_id = a.account_id where a.customer_id = $1 order by a.account_id`,
    [customerId],
  );
  return rows;
}

export interface LedgerPayment { paymentId: string; accountId: string; postedOn: string; amountMinor: bigint; channel: string | null; reverses: string | null }
export interface LedgerStatement { accountId: string; statementDate: string; closingBalanceMinor: bigint; principalMinor: bigint | null; interestMinor: bigint | null; feesMinor: bigint | null }

/** Statements (with their balance components) and payments (with reversals) of many accounts, in date order. */
export async function moneyHistories(client: pg.ClientBase | pg.Pool, accountIds: readonly string[]): Promise<Map<string, { statements: LedgerStatement[]; payments: LedgerPayment[] }>> {
  const out = new Map<string, { statements: LedgerStatement[]; payments: LedgerPayment[] }>();
  if (accountIds.length === 0) return out;
  const ids = [...new Set(accountIds)];
  for (const id of ids) out.set(id, { statements: [], payments: [] });
  const [statements, payments] = await Promise.all([
    client.query<{ account_id: string; statement_date: string; closing_balance_minor: bigint; principal_minor: bigint | null; interest_minor: bigint | null; fees_minor: bigint | null }>(
      `select account_id, statement_date, closing_balance_minor, principal_minor, interest_minor, fees_minor from statements
       where account_id = any($1::text[]) order by account_id, statement_date`, [ids]),
    client.query<{ payment_id: string; account_id: string; posted_on: string; amount_minor: bigint; channel: string | null; reverses: string | null }>(
      `select payment_id, account_id, posted_on, amount_minor, channel, reverses from payments
       where account_id = any($1::text[]) order by account_id, posted_on, recorded_at, payment_id`, [ids]),
  ]);
  for (const s of statements.rows) {
    out.get(s.account_id)!.statements.push({ accountId: s.account_id, statementDate: s.statement_date, closingBalanceMinor: s.closing_balance_minor, principalMinor: s.principal_minor, interestMinor: s.interest_minor, feesMinor: s.fees_minor });
  }
  for (const p of payments.rows) {
    out.get(p.account_id)!.payments.push({ paymentId: p.payment_id, accountId: p.account_id, postedOn: p.posted_on, amountMinor: p.amount_minor, channel: p.channel, reverses: p.reverses });
  }
  return out;
}

/** The stored payments with these ids (to compare a re-sent payment with what is stored). */
export async function findPaymentsById(client: pg.ClientBase | pg.Pool, paymentIds: readonly string[]): Promise<Map<string, LedgerPayment>> {
  const out = new Map<string, LedgerPayment>();
  if (paymentIds.length === 0) return out;
  const { rows } = await client.query<{ payment_id: string; account_id: string; posted_on: string; amount_minor: bigint; channel: string | null; reverses: string | null }>(
    'select payment_id, account_id, posted_on, amount_minor, channel, reverses from payments where payment_id = any($1::text[])', [[...new Set(paymentIds)]]);
  for (const p of rows) out.set(p.payment_id, { paymentId: p.payment_id, accountId: p.account_id, postedOn: p.posted_on, amountMinor: p.amount_minor, channel: p.channel, reverses: p.reverses });
  return out;
}

/**
 * Appends payments (and reversals: a negative amount naming the payment it reverses) to the append-only
 * `payments` table, in the caller's transaction; the account's customer is copied from the account.
 * The history triggers note the accounts, so aging and arrangement evaluation see them.
 */
export async function appendPayments(client: pg.ClientBase, payments: readonly (Omit<LedgerPayment, 'reverses'> & { reverses?: string | null })[]): Promise<number> {
  if (payments.length === 0) return 0;
  const { rowCount } = await client.query(
    `insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor, channel, reverses)
     select x.payment_id, x.account_id, a.customer_id, x.posted_on, x.amount_minor, x.channel, x.reverses
     from unnest($1::text[], $2::text[], $3::date[], $4::bigint[], $5::text[], $6::text[]) as x (payment_id, account_id, posted_on, amount_minor, channel, reverses)
     join card_accounts a on a.account_id = x.account_id`,
    [payments.map((p) => p.paymentId), payments.map((p) => p.accountId), payments.map((p) => p.postedOn), payments.map((p) => p.amountMinor.toString()),
      payments.map((p) => p.channel), payments.map((p) => p.reverses ?? null)],
  );
  if (rowCount !== payments.length) throw new Error(`appendPayments: ${payments.length - (rowCount ?? 0)} payment(s) name an unknown account`);
  return rowCount;
}

/** Currency and customer of many accounts (unknown ids are absent). */
export async function accountsById(client: pg.ClientBase | pg.Pool, accountIds: readonly string[]): Promise<Map<string, { customerId: string; currency: string }>> {
  const out = new Map<string, { customerId: string; currency: string }>();
  if (accountIds.length === 0) return out;
  const { rows } = await client.query<{ account_id: string; customer_id: string; currency: string }>(
    'select account_id, customer_id, currency from card_accounts where account_id = any($1::text[])', [[...new Set(accountIds)]]);
  for (const r of rows) out.set(r.account_id, { customerId: r.customer_id, currency: r.currency });
  return out;
}

/** What a right-party check compares with: the name, the national id's last four and its blind index (never the clear id). */
export async function customerIdentity(client: pg.ClientBase | pg.Pool, customerId: string): Promise<{ name: string; nationalIdLast4: string | null; nationalIdHmac: Buffer | null } | null> {
  const { rows } = await client.query<{ name: string; national_id_last4: string | null; national_id_hmac: Buffer | null }>(
    'select name, national_id_last4, national_id_hmac from customers where customer_id = $1', [customerId]);
  const r = rows[0];
  return r ? { name: r.name, nationalIdLast4: r.national_id_last4, nationalIdHmac: r.national_id_hmac } : null;
}

/** Appends an account event (append-only), in the caller's transaction. */
export async function appendAccountEvent(client: pg.ClientBase | pg.Pool, e: { accountId: string; occurredOn: string; kind: string; data: Record<string, unknown> }): Promise<number> {
  const { rows } = await client.query<{ event_id: bigint }>(
    `insert into account_events (account_id, customer_id, occurred_on, kind, data)
     select account_id, customer_id, $2, $3, $4 from card_accounts where account_id = $1 returning event_id`,
    [e.accountId, e.occurredOn, e.kind, JSON.stringify(e.data)],
  );
  if (!rows[0]) throw new Error(`appendAccountEvent: no account ${e.accountId}`);
  return Number(rows[0].event_id);
}

/**
 * Sets an account's status (an approved freeze, restriction or lift). The card host stays the system
 * of record: a later feed's status for the account replaces this one.
 */
export async function setAccountStatus(client: pg.ClientBase | pg.Pool, accountId: string, status: 'open' | 'frozen' | 'restricted'): Promise<{ previous: string } | null> {
  const { rows } = await client.query<{ previous: string }>(
    `update card_accounts a set status = $2, updated_at = now() from (select account_id, status as previous from card_accounts where account_id = $1 for update) p
     where a.account_id = p.account_id returning p.previous`, [accountId, status]);
  return rows[0] ?? null;
}
