/** Portfolio reads: bulk inputs for aging (COPY out, one row per account) and single-account views. */
import { StringDecoder } from 'node:string_decoder';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { EpochDay } from '../../kernel/dates.ts';

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
 * Streams every account (opened on or before asOf) with its statements and payments up to asOf, as
 * one COPY out of one aggregated row per account: the database does the grouping in one pass.
 */
export async function* agingInputs(client: pg.ClientBase, asOf: string): AsyncGenerator<AgingInput> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`as-of ${asOf} is not a date`);
  const day0 = `date '1970-01-01'`;
  const sql = `copy (
    select a.account_id, a.customer_id, a.currency, s.agg, p.agg, h.cycles_delinquent
    from card_accounts a
    left join (select account_id, string_agg(concat_ws(',', statement_date - ${day0}, due_date - ${day0}, minimum_due_minor, closing_balance_minor), ';' order by statement_date) as agg
               from statements where statement_date <= date '${asOf}' group by account_id) s on s.account_id = a.account_id
    left join (select account_id, string_agg(concat_ws(',', posted_on - ${day0}, amount_minor), ';' order by posted_on) as agg
               from payments where posted_on <= date '${asOf}' group by account_id) p on p.account_id = a.account_id
    left join host_delinquency_snapshots h on h.account_id = a.account_id and h.as_of = date '${asOf}'
    where a.opened_on <= date '${asOf}'
  ) to stdout`;
  const stream = client.query(copyStreams.to(sql));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = rest + decoder.write(chunk);
    let start = 0;
    // `rest` holds no line end, so the search resumes after it (a long row spanning chunks is not rescanned).
    for (let nl = text.indexOf('\n', rest.length); nl !== -1; nl = text.indexOf('\n', start)) {
      yield parseAgingRow(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
}

function parseAgingRow(line: string): AgingInput {
  const [accountId, customerId, currency, statementsText, paymentsText, hostText] = line.split('\t') as [string, string, string, string, string, string];
  const statements: AgingInput['statements'] = [];
  if (statementsText !== '\\N') {
    for (const part of statementsText.split(';')) {
      const [sd, dd, min, close] = part.split(',');
      statements.push({ statementDate: Number(sd), dueDate: Number(dd), minimumDueMinor: BigInt(min!), closingBalanceMinor: BigInt(close!) });
    }
  }
  const payments: AgingInput['payments'] = [];
  if (paymentsText !== '\\N') {
    for (const part of paymentsText.split(';')) {
      const comma = part.indexOf(',');
      payments.push({ postedOn: Number(part.slice(0, comma)), amountMinor: BigInt(part.slice(comma + 1)) });
    }
  }
  return {
    accountId: unescapeCopy(accountId), customerId: unescapeCopy(customerId), currency, statements, payments,
    hostCyclesDelinquent: hostText === '\\N' ? null : Number(hostText),
  };
}

const COPY_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' };

function unescapeCopy(text: string): string {
  // COPY text format escapes: \\ \t \n \r and \b \f \v (COPY TO never writes octal or hex escapes).
  return text.includes('\\') ? text.replace(/\\(.)/g, (_, c: string) => COPY_ESCAPES[c] ?? c) : text;
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
  const { rows } = await client.query<{ kind: string; position: number; value: string; details: Record<string, string> | null; party_role: string; verified: boolean; source: string | null }>(
    'select kind, position, value, details, party_role, verified, source from contact_points where customer_id = $1 order by kind, position',
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
    text: `select customer_id, kind, value, party_role, verified, source from contact_points
           where customer_id = any($1::text[]) order by customer_id, kind, position`,
    values: [customerIds], rowMode: 'array',
  });
  for (const [id, kind, value, partyRole, verified, source] of points.rows) profiles.get(id)?.points.push({ kind, value, partyRole, verified, source });
  return profiles;
}
