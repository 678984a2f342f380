/**
 * Read models across portfolio and delinquency: one account as of a date (aged from its stored
 * statements and payments) and the paged account list (from the last aging run).
 */
import type pg from 'pg';
import { err, ok, type Result } from '../kernel/result.ts';
import { formatPlainDate, parsePlainDate, type EpochDay } from '../kernel/dates.ts';
import { formatAmount } from '../kernel/money.ts';
import { limits } from '../kernel/limits.ts';
import {
  findAccount, findContactPoints, findHostSnapshot, findPayments, findStatements, maskIdentifier,
} from '../modules/portfolio/index.ts';
import { ageAccount, bucketOfCycles, compileAgingPolicy, loadDefaultAgingPolicy, type AgingPolicyDocument } from '../modules/delinquency/index.ts';
import { scopeCondition, type DataScope } from '../modules/identity/index.ts';

const ALL: DataScope = { kind: 'all' };

/** True when the account exists and `scope` may see it. Out of scope answers like a missing account (no IDOR oracle). */
export async function accountVisible(pool: pg.Pool, accountId: string, scope: DataScope): Promise<boolean> {
  const params: unknown[] = [accountId];
  const condition = scopeCondition(scope, 'a.account_id', params);
  return ((await pool.query(`select 1 from card_accounts a where a.account_id = $1 and ${condition}`, params)).rowCount ?? 0) > 0;
}

/** Which of these accounts the scope sees (one query for a list). */
export async function visibleAccounts(pool: pg.Pool, accountIds: readonly string[], scope: DataScope): Promise<Set<string>> {
  if (accountIds.length === 0) return new Set();
  const params: unknown[] = [[...new Set(accountIds)]];
  const condition = scopeCondition(scope, 'a.account_id', params);
  const { rows } = await pool.query<{ id: string }>(`select a.account_id as id from card_accounts a where a.account_id = any($1::text[]) and ${condition}`, params);
  return new Set(rows.map((r) => r.id));
}

function maskEmail(address: string): string {
  const at = address.indexOf('@');
  return at <= 1 ? '*' + address.slice(at) : address[0] + '***' + address.slice(at);
}

function maskAddressLine(line: string): string {
  return [...line].slice(0, 6).join('') + '****';
}

/** `recourse account show --json` and GET /accounts/:id: personal data masked, money as decimal strings. */
export interface AccountView {
  asOf: string;
  customer: {
    id: string; name: string; nationalId: string | null;
    phones: ({ number: string } & Party)[];
    emails: ({ address: string } & Party)[];
    addresses: ({ line: string; city?: string; region?: string; postalCode?: string; country?: string } & Party)[];
    timeZone: string; language: string;
  };
  account: { id: string; currency: string; creditLimit: string | null; openedOn: string; status: string };
  balances: { balance: string | null; overdue: string | null; lastStatementDate: string | null; minimumDue: string | null; dueDate: string | null; lastPaymentOn: string | null };
  daysPastDue: number;
  bucket: string;
  lateCountCumulative: number;
  lateCountConsecutive: number;
  oldestUnpaidDueOn: string | null;
  hostSnapshot: { cyclesDelinquent: number; bucket: string; amountDue: string | null; balance: string | null } | null;
  statements: { statementDate: string; dueDate: string; minimumDue: string | null; closingBalance: string | null; principal: string | null; interest: string | null; fees: string | null }[];
  payments: { id: string; postedOn: string; amount: string | null; channel: string | null }[];
}
interface Party { role: string; verified: boolean; source: string | null }

const ADDRESS_DETAILS = ['city', 'region', 'postalCode', 'country'] as const;

export async function showAccount(pool: pg.Pool, accountId: string, asOf: EpochDay, policyDoc: AgingPolicyDocument, scope: DataScope = ALL): Promise<Result<AccountView, 'account_not_found'>> {
  const account = await findAccount(pool, accountId);
  if (!account || (scope.kind !== 'all' && !(await accountVisible(pool, accountId, scope)))) return err('account_not_found', `no account ${JSON.stringify(accountId)}`);
  const asOfText = formatPlainDate(asOf);
  const [contacts, statements, payments, host] = await Promise.all([
    findContactPoints(pool, account.customer_id),
    findStatements(pool, accountId, asOfText),
    findPayments(pool, accountId, asOfText),
    findHostSnapshot(pool, accountId, asOfText),
  ]);
  const money = (minor: bigint | null) => (minor === null ? null : formatAmount(minor, account.currency));
  const aging = ageAccount(
    statements.map((s) => ({ statementDate: parsePlainDate(s.statement_date)!, dueDate: parsePlainDate(s.due_date)!, minimumDueMinor: s.minimum_due_minor, closingBalanceMinor: s.closing_balance_minor })),
    payments.map((p) => ({ postedOn: parsePlainDate(p.posted_on)!, amountMinor: p.amount_minor })),
    asOf,
    compileAgingPolicy(policyDoc, account.currency),
  );
  const latest = statements.at(-1);
  const party = (c: (typeof contacts)[number]): Party => ({ role: c.party_role, verified: c.verified, source: c.source });
  // Only the known address details are shown (never whatever else a stored details object holds).
  const addressDetails = (c: (typeof contacts)[number]) =>
    Object.fromEntries(ADDRESS_DETAILS.flatMap((k) => (typeof c.details?.[k] === 'string' ? [[k, c.details[k]]] : []))) as Partial<Record<(typeof ADDRESS_DETAILS)[number], string>>;
  return ok({
    asOf: asOfText,
    customer: {
      id: account.customer_id,
      name: account.name,
      nationalId: maskIdentifier(account.national_id_last4),
      phones: contacts.filter((c) => c.kind === 'phone').map((c) => ({ number: c.value /* stored masked */, ...party(c) })),
      emails: contacts.filter((c) => c.kind === 'email').map((c) => ({ address: maskEmail(c.value), ...party(c) })),
      addresses: contacts.filter((c) => c.kind === 'address').map((c) => ({ line: maskAddressLine(c.value), ...addressDetails(c), ...party(c) })),
      timeZone: account.time_zone,
      language: account.language,
    },
    account: {
      id: account.account_id, currency: account.currency, creditLimit: money(account.credit_limit_minor),
      openedOn: account.opened_on, status: account.status,
    },
    balances: {
      balance: money(aging.balanceMinor),
      overdue: money(aging.overdueMinor),
      lastStatementDate: latest?.statement_date ?? null,
      minimumDue: money(latest?.minimum_due_minor ?? null),
      dueDate: latest?.due_date ?? null,
      lastPaymentOn: payments.at(-1)?.posted_on ?? null,
    },
    daysPastDue: aging.daysPastDue,
    bucket: aging.bucket,
    lateCountCumulative: aging.lateCountCumulative,
    lateCountConsecutive: aging.lateCountConsecutive,
    oldestUnpaidDueOn: aging.oldestUnpaidDueOn === null ? null : formatPlainDate(aging.oldestUnpaidDueOn),
    hostSnapshot: host === null ? null : {
      cyclesDelinquent: host.cycles_delinquent, bucket: bucketOfCycles(host.cycles_delinquent, policyDoc.buckets),
      amountDue: money(host.amount_due_minor), balance: money(host.balance_minor),
    },
    statements: statements.map((s) => ({
      statementDate: s.statement_date, dueDate: s.due_date, minimumDue: money(s.minimum_due_minor), closingBalance: money(s.closing_balance_minor),
      principal: money(s.principal_minor), interest: money(s.interest_minor), fees: money(s.fees_minor),
    })),
    payments: payments.map((p) => ({ id: p.payment_id, postedOn: p.posted_on, amount: money(p.amount_minor), channel: p.channel })),
  });
}

export interface AccountListQuery {
  bucket?: string | undefined; daysPastDueMin?: number | undefined; daysPastDueMax?: number | undefined; limit?: number | undefined; cursor?: string | undefined;
  /** The bucket names `bucket` must be one of (default: the default aging policy's). */
  bucketNames?: readonly string[] | undefined;
  /** Only the accounts this data scope sees (default: all). */
  scope?: DataScope | undefined;
}
export interface AccountListItem { id: string; customerId: string; bucket: string | null; daysPastDue: number | null; balance: string | null; overdue: string | null; currency: string; agedAsOf: string | null }

export function encodeCursor(accountId: string): string {
  return Buffer.from(accountId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return encodeCursor(text) === cursor ? text : null;
}

/**
 * Accounts in id order with their stored aging (from the last `recourse age`), filtered and paged by cursor.
 * A bucket the aging policy does not define, or an empty days-past-due range, is an error rather than an
 * empty list (a typo such as `m2` must not look like "no accounts").
 */
export async function listAccounts(pool: pg.Pool, query: AccountListQuery): Promise<Result<{ accounts: AccountListItem[]; nextCursor: string | null }, 'invalid_cursor' | 'invalid_request'>> {
  const limit = Math.min(query.limit ?? limits.pageSizeDefault, limits.pageSizeMax);
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
  if (query.cursor !== undefined && after === null) return err('invalid_cursor', `cursor ${JSON.stringify(query.cursor)} is not one this server issued`, { field: 'cursor' });
  if (query.bucket !== undefined) {
    const names = (query.bucketNames ?? (await loadDefaultAgingPolicy()).buckets.map((b) => b.name));
    if (!names.includes(query.bucket)) return err('invalid_request', `bucket ${JSON.stringify(query.bucket)} is not one of ${names.join(', ')}`, { field: 'bucket' });
  }
  if (query.daysPastDueMin !== undefined && query.daysPastDueMax !== undefined && query.daysPastDueMin > query.daysPastDueMax) {
    return err('invalid_request', `the days-past-due minimum (${query.daysPastDueMin}) is above the maximum (${query.daysPastDueMax})`, { field: 'dpdMin' });
  }
  const params: unknown[] = [query.bucket ?? null, query.daysPastDueMin ?? null, query.daysPastDueMax ?? null, after, limit + 1];
  const inScope = scopeCondition(query.scope ?? ALL, 'a.account_id', params);
  const { rows } = await pool.query<{ account_id: string; customer_id: string; currency: string; bucket: string | null; days_past_due: number | null; balance_minor: bigint | null; overdue_minor: bigint | null; as_of: string | null }>(
    `select a.account_id, a.customer_id, a.currency, d.bucket, d.days_past_due, d.balance_minor, d.overdue_minor, d.as_of
     from card_accounts a left join account_delinquency d on d.account_id = a.account_id
     where ($1::text is null or d.bucket = $1) and ($2::int is null or d.days_past_due >= $2)
       and ($3::int is null or d.days_past_due <= $3) and ($4::text is null or a.account_id > $4) and ${inScope}
     order by a.account_id limit $5`,
    params,
  );
  const page = rows.slice(0, limit);
  return ok({
    accounts: page.map((r) => ({
      id: r.account_id, customerId: r.customer_id, bucket: r.bucket, daysPastDue: r.days_past_due,
      balance: r.balance_minor === null ? null : formatAmount(r.balance_minor, r.currency),
      overdue: r.overdue_minor === null ? null : formatAmount(r.overdue_minor, r.currency),
      currency: r.currency, agedAsOf: r.as_of,
    })),
    nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!.account_id) : null,
  });
}
