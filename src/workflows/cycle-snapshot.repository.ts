/**
 * The daily cycle's snapshot: a read model across module tables, loaded set-based (like the aging
 * workflow's). One COPY streams every account the cycle decides — the latest aging
 * (account_delinquency), the card account and customer, the packed payment history, the strategy
 * state, collector-recorded markers and the assignment — filtered to a shard by a hash of the customer
 * id. Per batch, set-based lookups add the compliance facts (flags in force, failed and right-party
 * attempts inside the pack's unreachable window) and the debtor's contact points.
 */
import type pg from 'pg';
import { copyOutLines, unescapeCopy } from '../db/index.ts';
import type { EpochDay } from '../kernel/dates.ts';
import type { Language } from '../modules/strategy/index.ts';

export interface Shard { index: number; count: number }

/** One account as the COPY delivers it, before the per-batch facts are added. */
export interface SnapshotRow {
  accountId: string;
  customerId: string;
  currency: string;
  daysPastDue: number;
  bucket: string;
  balanceMinor: bigint;
  overdueMinor: bigint;
  creditLimitMinor: bigint;
  lateCountCumulative: number;
  lateCountConsecutive: number;
  accountStatus: string;
  language: Language;
  timeZone: string;
  lastPaymentOn: EpochDay | null;
  /** Stored strategy state, the state before `changedOn`, and that day. */
  state: string | null;
  prevState: string | null;
  changedOn: EpochDay | null;
  delinquencyReason: string | null;
  suspectedEvasion: boolean;
  riskScore: number | null;
  teamId: string | null;
  agencyId: string | null;
  legalStage: string | null;
}

/** A shard filter on a customer id column: hashtext is PostgreSQL's (the same on every process of one run). */
export function shardCondition(shard: Shard | null, column: string): string {
  if (!shard || shard.count === 1) return 'true';
  return `mod(hashtext(${column})::bigint + 2147483648, ${shard.count}) = ${shard.index}`;
}

function snapshotSql(where: string, agingJoin: 'join' | 'left join' = 'join'): string {
  return `select a.account_id, a.customer_id, a.currency, coalesce(d.days_past_due, 0), coalesce(d.bucket, ''), coalesce(d.balance_minor, 0), coalesce(d.overdue_minor, 0),
      a.credit_limit_minor, coalesce(d.late_count_cumulative, 0), coalesce(d.late_count_consecutive, 0), a.status, c.language, c.time_zone, h.payments,
      s.state, s.prev_state, s.changed_on - date '1970-01-01', m.delinquency_reason, m.suspected_evasion, m.risk_score, g.team_id, g.agency_id, g.legal_stage
    from card_accounts a
    ${agingJoin} account_delinquency d on d.account_id = a.account_id
    join customers c on c.customer_id = a.customer_id
    left join account_histories h on h.account_id = a.account_id
    left join strategy_account_states s on s.account_id = a.account_id
    left join strategy_account_markers m on m.account_id = a.account_id
    left join account_assignments g on g.account_id = a.account_id
    where ${where}`;
}

/** The accounts the cycle decides: delinquent ones, and those the strategy still follows (to see them cure). */
export function cycleSnapshotSql(shard: Shard | null): string {
  return `copy (${snapshotSql(`(d.days_past_due > 0 or (s.status is not null and s.status <> 'current')) and ${shardCondition(shard, 'a.customer_id')}`)}) to stdout`;
}

const nullable = (f: string) => (f === '\\N' ? null : unescapeCopy(f));

/** The latest payment day on or before `asOf` of a packed history ('day,amount;…' in posted order). */
function lastPaymentDay(packed: string | null, asOf: EpochDay): EpochDay | null {
  if (packed === null) return null;
  let end = packed.length;
  while (end > 0) {
    const start = packed.lastIndexOf(';', end - 1) + 1;
    const comma = packed.indexOf(',', start);
    const day = Number(packed.slice(start, comma));
    if (day <= asOf) return day;
    end = start - 1;
  }
  return null;
}

export function parseSnapshotRow(line: string, asOf: EpochDay): SnapshotRow {
  const f = line.split('\t');
  return {
    accountId: unescapeCopy(f[0]!), customerId: unescapeCopy(f[1]!), currency: f[2]!, daysPastDue: Number(f[3]), bucket: unescapeCopy(f[4]!),
    balanceMinor: BigInt(f[5]!), overdueMinor: BigInt(f[6]!), creditLimitMinor: BigInt(f[7]!), lateCountCumulative: Number(f[8]), lateCountConsecutive: Number(f[9]),
    accountStatus: f[10]!, language: f[11] as Language, timeZone: unescapeCopy(f[12]!), lastPaymentOn: lastPaymentDay(nullable(f[13]!), asOf),
    state: nullable(f[14]!), prevState: nullable(f[15]!), changedOn: f[16] === '\\N' ? null : Number(f[16]),
    delinquencyReason: nullable(f[17]!), suspectedEvasion: f[18] === 't', riskScore: f[19] === '\\N' ? null : Number(f[19]),
    teamId: nullable(f[20]!), agencyId: nullable(f[21]!), legalStage: nullable(f[22]!),
  };
}

/** Streams the cycle's accounts (leaving early leaves the COPY unfinished: discard the client then). */
export async function* cycleSnapshotRows(client: pg.ClientBase, asOf: EpochDay, shard: Shard | null): AsyncGenerator<SnapshotRow> {
  for await (const line of copyOutLines(client, cycleSnapshotSql(shard))) yield parseSnapshotRow(line, asOf);
}

/** One account's row (explain), whatever its delinquency. */
export async function accountSnapshotRow(db: pg.ClientBase | pg.Pool, accountId: string, asOf: EpochDay): Promise<SnapshotRow | null> {
  const { rows } = await db.query<unknown[]>({ text: snapshotSql('a.account_id = $1', 'left join'), values: [accountId], rowMode: 'array' });
  const r = rows[0];
  if (!r) return null;
  const s = (i: number) => (r[i] === null ? null : String(r[i]));
  return {
    accountId: s(0)!, customerId: s(1)!, currency: s(2)!, daysPastDue: Number(r[3]), bucket: s(4)!, balanceMinor: r[5] as bigint, overdueMinor: r[6] as bigint,
    creditLimitMinor: r[7] as bigint, lateCountCumulative: Number(r[8]), lateCountConsecutive: Number(r[9]), accountStatus: s(10)!, language: s(11) as Language,
    timeZone: s(12)!, lastPaymentOn: lastPaymentDay(s(13), asOf), state: s(14), prevState: s(15), changedOn: r[16] === null ? null : Number(r[16]),
    delinquencyReason: s(17), suspectedEvasion: r[18] === true, riskScore: r[19] === null ? null : Number(r[19]), teamId: s(20), agencyId: s(21), legalStage: s(22),
  };
}

export interface ComplianceFacts {
  /** Flags in force, by customer, with the account they are limited to (null: every account). */
  flags: Map<string, { kind: string; accountId: string | null }[]>;
  /** Right-party contacts and failed attempts to the debtor inside the window. */
  attempts: Map<string, { rightParty: number; failed: number }>;
}

/**
 * Compliance facts of many customers at instant `at`: flags whose latest event is a `set` in force at
 * `at`, and ledger attempts in (at − windowDays, at] that no later row corrects.
 */
export async function complianceFacts(db: pg.ClientBase | pg.Pool, customerIds: readonly string[], at: number, windowDays: number, failedOutcomes: readonly string[]): Promise<ComplianceFacts> {
  const out: ComplianceFacts = { flags: new Map(), attempts: new Map() };
  if (customerIds.length === 0) return out;
  const ids = [...customerIds];
  const [flags, attempts] = await Promise.all([
    db.query<[string, string | null, string]>({
      text: `select customer_id, account_id, kind from (
               select distinct on (customer_id, coalesce(account_id, ''), kind) customer_id, account_id, kind, action, since, until
               from compliance_flag_events where customer_id = any($1::text[]) order by customer_id, coalesce(account_id, ''), kind, event_id desc) f
             where action = 'set' and (since is null or since <= to_timestamp($2::float8 / 1000)) and (until is null or until > to_timestamp($2::float8 / 1000))`,
      values: [ids, at], rowMode: 'array',
    }),
    db.query<[string, string, string]>({
      text: `select a.customer_id, count(*) filter (where a.outcome = 'connected_right_party'), count(*) filter (where a.outcome = any($4::text[]))
             from contact_attempts a
             where a.customer_id = any($1::text[]) and a.party = 'debtor'
               and a.attempted_at > to_timestamp($2::float8 / 1000) and a.attempted_at <= to_timestamp($3::float8 / 1000)
               and not exists (select 1 from contact_attempts c where c.corrects = a.attempt_id)
             group by a.customer_id`,
      values: [ids, at - windowDays * 86_400_000, at, [...failedOutcomes]], rowMode: 'array',
    }),
  ]);
  for (const [customerId, accountId, kind] of flags.rows) {
    const list = out.flags.get(customerId);
    if (list) list.push({ kind, accountId });
    else out.flags.set(customerId, [{ kind, accountId }]);
  }
  for (const [customerId, rightParty, failed] of attempts.rows) out.attempts.set(customerId, { rightParty: Number(rightParty), failed: Number(failed) });
  return out;
}

export interface ContactPoint { kind: 'phone' | 'email' | 'address'; position: number; verified: boolean; source: string | null; key: string }

/** The debtor's own contact points (phones by blind-index key, as the compliance gate names them). */
export async function debtorContactPoints(db: pg.ClientBase | pg.Pool, customerIds: readonly string[]): Promise<Map<string, ContactPoint[]>> {
  const out = new Map<string, ContactPoint[]>();
  if (customerIds.length === 0) return out;
  const { rows } = await db.query<[string, ContactPoint['kind'], number, boolean, string | null, string]>({
    text: `select customer_id, kind, position, verified, source, case when kind = 'phone' then 'tel:' || encode(value_hmac, 'hex') else value end
           from contact_points where customer_id = any($1::text[]) and party_role = 'debtor' order by customer_id, kind, position`,
    values: [[...customerIds]], rowMode: 'array',
  });
  for (const [customerId, kind, position, verified, source, key] of rows) {
    const point = { kind, position, verified, source, key };
    const list = out.get(customerId);
    if (list) list.push(point);
    else out.set(customerId, [point]);
  }
  return out;
}

