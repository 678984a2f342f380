/**
 * SQL of the feed import: a temporary staging table filled by COPY, set-based checks that need
 * other lines or stored data, and the merge into the portfolio tables. Runs inside the caller's
 * transaction; nothing here commits.
 */
import type pg from 'pg';
import { CopyWriter } from '../../db/copy.ts';

export const STAGE_COLUMNS = [
  'line', 'type', 'record_key', 'id', 'account_id', 'customer_id', 'name', 'national_id_encrypted', 'national_id_hmac',
  'national_id_last4', 'time_zone', 'language', 'contacts', 'currency', 'credit_limit_minor', 'opened_on', 'status',
  'statement_date', 'due_date', 'minimum_due', 'closing_balance', 'principal', 'interest', 'fees', 'posted_on', 'amount',
  'channel', 'as_of', 'cycles_delinquent', 'amount_due', 'balance',
] as const;

export async function createStage(client: pg.ClientBase): Promise<CopyWriter> {
  await client.query(`create temp table feed_stage (
    line integer not null, type text not null, record_key text not null, id text, account_id text, customer_id text,
    name text, national_id_encrypted bytea, national_id_hmac bytea, national_id_last4 text, time_zone text, language text,
    contacts jsonb, currency text, credit_limit_minor bigint, opened_on date, status text,
    statement_date date, due_date date, minimum_due numeric, closing_balance numeric, principal numeric, interest numeric,
    fees numeric, posted_on date, amount numeric, channel text, as_of date, cycles_delinquent integer, amount_due numeric,
    balance numeric, rejected boolean not null default false
  ) on commit drop`);
  return CopyWriter.open(client, `copy feed_stage (${STAGE_COLUMNS.join(', ')}) from stdin`);
}

export async function indexStage(client: pg.ClientBase): Promise<void> {
  // Statistics only: the checks and merges are hash joins over the whole stage, which beat indexes here.
  await client.query('analyze feed_stage');
}

export interface StageProblem { line: number; field: string; message: string }

const CHECKS: string[] = [
  // The same record twice in one file: the later lines are wrong. Hash-aggregate first (few keys repeat).
  `with repeated as (select type, record_key, min(line) as first_line from feed_stage where not rejected
                     group by type, record_key having count(*) > 1)
   select s.line, case s.type when 'statement' then 'statementDate' when 'delinquency' then 'asOf' else 'id' end as field,
     format('%s %s repeated in this file (first on line %s)', s.type, s.record_key, r.first_line) as message
   from feed_stage s join repeated r on r.type = s.type and r.record_key = s.record_key
   where not s.rejected and s.line > r.first_line`,
  `select s.line, 'customerId' as field, format('unknown customer %s (neither in this file nor stored)', s.customer_id) as message
   from feed_stage s
   where s.type = 'account' and not s.rejected
     and not exists (select 1 from feed_stage c where c.type = 'customer' and c.id = s.customer_id and not c.rejected)
     and not exists (select 1 from customers c where c.customer_id = s.customer_id)`,
  `select s.line, v.field, v.message
   from feed_stage s join card_accounts a on a.account_id = s.id
   cross join lateral (values
     ('customerId', case when a.customer_id <> s.customer_id then format('account %s belongs to customer %s; a feed cannot move an account to another customer', s.id, a.customer_id) end),
     ('currency', case when a.currency <> s.currency then format('account %s is kept in %s; its currency cannot change', s.id, a.currency) end)
   ) v(field, message)
   where s.type = 'account' and not s.rejected and v.message is not null`,
  // One staged account per id (a repeated account line is an error of its own and must not repeat its children's).
  `with staged_account as (
     select distinct on (id) id, currency from feed_stage where type = 'account' and not rejected order by id, line),
   child as (
     select s.line, s.account_id, cur.code, cur.minor_digits, s.minimum_due, s.closing_balance, s.principal, s.interest,
            s.fees, s.amount, s.amount_due, s.balance
     from feed_stage s
     left join staged_account sa on sa.id = s.account_id
     left join card_accounts ca on ca.account_id = s.account_id
     left join currencies cur on cur.code = coalesce(sa.currency, ca.currency)
     where s.type in ('statement', 'payment', 'delinquency') and not s.rejected),
   bad as (
     select * from child c where c.code is null
       or greatest(scale(c.minimum_due), scale(c.closing_balance), scale(c.principal), scale(c.interest), scale(c.fees),
                   scale(c.amount), scale(c.amount_due), scale(c.balance)) > c.minor_digits)
   select b.line, coalesce(v.field, 'accountId') as field,
     case when b.code is null then format('unknown account %s (neither in this file nor stored)', b.account_id)
          else format('%s has %s decimals; %s allows %s', v.amount, scale(v.amount), b.code, b.minor_digits) end as message
   from bad b
   left join lateral (select * from (values ('minimumDue', b.minimum_due), ('closingBalance', b.closing_balance),
       ('principal', b.principal), ('interest', b.interest), ('fees', b.fees), ('amount', b.amount),
       ('amountDue', b.amount_due), ('balance', b.balance)) x(field, amount)
     where b.code is not null and x.amount is not null and scale(x.amount) > b.minor_digits) v on true`,
  `select s.line, 'id' as field,
     format('payment %s is already recorded with different content (account %s, posted %s, amount %s); payments are append-only: send a correction as a new payment',
            s.id, p.account_id, p.posted_on, round(p.amount_minor::numeric / power(10::numeric, cur.minor_digits), cur.minor_digits)) as message
   from feed_stage s
   join payments p on p.payment_id = s.id
   join card_accounts a on a.account_id = p.account_id
   join currencies cur on cur.code = a.currency
   where s.type = 'payment' and not s.rejected
     and (p.account_id, p.posted_on, p.amount_minor, p.channel)
         is distinct from (s.account_id, s.posted_on, (s.amount * power(10::numeric, cur.minor_digits))::bigint, s.channel)`,
];

/**
 * Every problem found by the set-based checks. With `cascade`, lines with problems are marked
 * rejected and the checks run again, because a rejected customer makes its accounts unknown, and so on.
 */
export async function findStageProblems(client: pg.ClientBase, cascade: boolean): Promise<StageProblem[]> {
  const all: StageProblem[] = [];
  for (let round = 0; round < 5; round++) {
    const found: StageProblem[] = [];
    for (const sql of CHECKS) found.push(...(await client.query<StageProblem>(sql)).rows);
    all.push(...found);
    if (!cascade || found.length === 0) break;
    await client.query('update feed_stage set rejected = true where line = any($1::int[]) and not rejected', [
      [...new Set(found.map((p) => p.line))],
    ]);
  }
  return all;
}

export async function rejectLines(client: pg.ClientBase, lines: number[]): Promise<void> {
  if (lines.length) await client.query('update feed_stage set rejected = true where line = any($1::int[])', [lines]);
}

export interface MergeCounts { inserted: number; updated: number; unchanged: number }

async function counted(client: pg.ClientBase, type: string, upsertSql: string): Promise<MergeCounts> {
  const { rows } = await client.query<{ staged: string; inserted: string; updated: string }>(
    `with m as (${upsertSql} returning (xmax = 0) as inserted)
     select (select count(*) from feed_stage where type = $1 and not rejected) as staged,
            count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated from m`,
    [type],
  );
  const r = rows[0]!;
  const [staged, inserted, updated] = [Number(r.staged), Number(r.inserted), Number(r.updated)];
  return { inserted, updated, unchanged: staged - inserted - updated };
}

const minor = (column: string) => `(s.${column} * power(10::numeric, cur.minor_digits))::bigint`;

export async function mergeStage(client: pg.ClientBase): Promise<Record<string, MergeCounts>> {
  const customer = await counted(client, 'customer', `
    insert into customers as t (customer_id, name, national_id_encrypted, national_id_hmac, national_id_last4, time_zone, language)
    select id, name, national_id_encrypted, national_id_hmac, national_id_last4, time_zone, language
    from feed_stage s where type = 'customer' and not rejected
    on conflict (customer_id) do update set name = excluded.name,
      national_id_encrypted = case when t.national_id_hmac is distinct from excluded.national_id_hmac
                                   then excluded.national_id_encrypted else t.national_id_encrypted end,
      national_id_hmac = excluded.national_id_hmac, national_id_last4 = excluded.national_id_last4,
      time_zone = excluded.time_zone, language = excluded.language, updated_at = now()
    where (t.name, t.national_id_hmac, t.time_zone, t.language)
          is distinct from (excluded.name, excluded.national_id_hmac, excluded.time_zone, excluded.language)`);
  const contactPoint = await mergeContactPoints(client);
  const account = await counted(client, 'account', `
    insert into card_accounts as t (account_id, customer_id, currency, credit_limit_minor, opened_on, status)
    select id, customer_id, currency, credit_limit_minor, opened_on, status
    from feed_stage s where type = 'account' and not rejected
    on conflict (account_id) do update set credit_limit_minor = excluded.credit_limit_minor,
      opened_on = excluded.opened_on, status = excluded.status, updated_at = now()
    where (t.credit_limit_minor, t.opened_on, t.status) is distinct from (excluded.credit_limit_minor, excluded.opened_on, excluded.status)`);
  const statement = await counted(client, 'statement', `
    insert into statements as t (account_id, statement_date, customer_id, due_date, minimum_due_minor, closing_balance_minor,
      principal_minor, interest_minor, fees_minor)
    select s.account_id, s.statement_date, a.customer_id, s.due_date, ${minor('minimum_due')}, ${minor('closing_balance')},
      ${minor('principal')}, ${minor('interest')}, ${minor('fees')}
    from feed_stage s join card_accounts a on a.account_id = s.account_id join currencies cur on cur.code = a.currency
    where s.type = 'statement' and not s.rejected
    on conflict (account_id, statement_date) do update set due_date = excluded.due_date,
      minimum_due_minor = excluded.minimum_due_minor, closing_balance_minor = excluded.closing_balance_minor,
      principal_minor = excluded.principal_minor, interest_minor = excluded.interest_minor, fees_minor = excluded.fees_minor
    where (t.due_date, t.minimum_due_minor, t.closing_balance_minor, t.principal_minor, t.interest_minor, t.fees_minor)
      is distinct from (excluded.due_date, excluded.minimum_due_minor, excluded.closing_balance_minor,
                        excluded.principal_minor, excluded.interest_minor, excluded.fees_minor)`);
  const payment = await counted(client, 'payment', `
    insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor, channel)
    select s.id, s.account_id, a.customer_id, s.posted_on, ${minor('amount')}, s.channel
    from feed_stage s join card_accounts a on a.account_id = s.account_id join currencies cur on cur.code = a.currency
    where s.type = 'payment' and not s.rejected
    on conflict (payment_id) do nothing`);
  const delinquency = await counted(client, 'delinquency', `
    insert into host_delinquency_snapshots as t (account_id, as_of, customer_id, cycles_delinquent, amount_due_minor, balance_minor)
    select s.account_id, s.as_of, a.customer_id, s.cycles_delinquent, ${minor('amount_due')}, ${minor('balance')}
    from feed_stage s join card_accounts a on a.account_id = s.account_id join currencies cur on cur.code = a.currency
    where s.type = 'delinquency' and not s.rejected
    on conflict (account_id, as_of) do update set cycles_delinquent = excluded.cycles_delinquent,
      amount_due_minor = excluded.amount_due_minor, balance_minor = excluded.balance_minor
    where (t.cycles_delinquent, t.amount_due_minor, t.balance_minor)
      is distinct from (excluded.cycles_delinquent, excluded.amount_due_minor, excluded.balance_minor)`);
  return { customer, account, statement, payment, delinquency, contactPoint };
}

/** A customer record carries its full set of contact points: the stored set is made equal to it. */
async function mergeContactPoints(client: pg.ClientBase): Promise<MergeCounts> {
  // Phones arrive sealed (hex); they compare by blind index, since every sealing has a new random IV.
  await client.query(`create temp table incoming_contacts on commit drop as
    select s.id as customer_id, e.kind, e.position, e.value, decode(e.value_encrypted, 'hex') as value_encrypted,
           decode(e.value_hmac, 'hex') as value_hmac, e.value_masked, e.details, e.party_role, e.verified, e.source
    from feed_stage s
    cross join lateral jsonb_to_recordset(s.contacts)
      as e(kind text, position smallint, value text, value_encrypted text, value_hmac text, value_masked text,
           details jsonb, party_role text, verified boolean, source text)
    where s.type = 'customer' and not s.rejected`);
  await client.query(`delete from contact_points cp using feed_stage s
    where s.type = 'customer' and not s.rejected and cp.customer_id = s.id
      and not exists (select 1 from incoming_contacts i
                      where i.customer_id = cp.customer_id and i.kind = cp.kind and i.position = cp.position)`);
  const { rows } = await client.query<{ total: string; inserted: string; updated: string }>(`
    with m as (
      insert into contact_points as t (customer_id, kind, position, value, value_encrypted, value_hmac, value_masked, details, party_role, verified, source)
      select customer_id, kind, position, value, value_encrypted, value_hmac, value_masked, details, party_role, verified, source from incoming_contacts
      on conflict (customer_id, kind, position) do update set value = excluded.value,
        value_encrypted = case when t.value_hmac is distinct from excluded.value_hmac then excluded.value_encrypted else t.value_encrypted end,
        value_hmac = excluded.value_hmac, value_masked = excluded.value_masked, details = excluded.details,
        party_role = excluded.party_role, verified = excluded.verified, source = excluded.source
      where (t.value, t.value_hmac, t.value_masked, t.details, t.party_role, t.verified, t.source)
        is distinct from (excluded.value, excluded.value_hmac, excluded.value_masked, excluded.details, excluded.party_role, excluded.verified, excluded.source)
      returning (xmax = 0) as inserted)
    select (select count(*) from incoming_contacts) as total,
           count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated from m`);
  const r = rows[0]!;
  return { inserted: Number(r.inserted), updated: Number(r.updated), unchanged: Number(r.total) - Number(r.inserted) - Number(r.updated) };
}

export async function recordImport(
  client: pg.ClientBase,
  entry: { source: string; format: string; startedAt: Date; lines: number; rejected: number; counts: unknown },
): Promise<number> {
  const { rows } = await client.query<{ import_id: bigint }>(
    `insert into imports (source, format, started_at, lines, rejected, counts) values ($1, $2, $3, $4, $5, $6)
     returning import_id`,
    [entry.source, entry.format, entry.startedAt, entry.lines, entry.rejected, JSON.stringify(entry.counts)],
  );
  return Number(rows[0]!.import_id);
}
