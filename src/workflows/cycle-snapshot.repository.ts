/**
 * The daily cycle's snapshot: a read model across module tables, loaded in one set-based scan (like
 * the aging workflow's). One COPY streams every account the cycle decides with everything the
 * decision and the compliance gate need: the latest aging (account_delinquency), the card account and
 * customer, the packed payment history, the strategy state, collector-recorded markers, the
 * assignment, the customer's contact points, the compliance flags in force and the attempts inside the
 * pack's unreachable window, and the arrangement state (arrangements module's SQL). Aggregates are
 * computed once per table (hash joins over a shard), not looked up per account: a million index
 * probes per lookup cost more than one pass over each table.
 */
import type pg from 'pg';
import { copyField, copyOutLines, unescapeCopy } from '../db/index.ts';
import type { EpochDay } from '../kernel/dates.ts';
import { arrangementStateOf, arrangementStatesSql, ARRANGEMENT_STATE_COLUMNS, type ArrangementState } from '../modules/arrangements/index.ts';
import type { Language } from '../modules/strategy/index.ts';

export interface Shard { index: number; count: number }

export interface ContactPoint {
  kind: 'phone' | 'email' | 'address';
  position: number;
  partyRole: 'debtor' | 'guarantor' | 'contact';
  verified: boolean;
  source: string | null;
  /** As the compliance gate names it: a phone's blind-index key ('tel:' + hex HMAC), else the value. */
  key: string;
}

/** One account as the snapshot scan delivers it. */
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
  /** Latest payment posted on or before the date. */
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
  /** Every contact point of the customer (all parties, as the gate checks them), in kind, position order. */
  points: ContactPoint[];
  /** Compliance flags in force at the start of the day, with the account they are limited to (null: all). */
  flags: { kind: string; accountId: string | null }[];
  /** Right-party contacts and failed attempts to the debtor inside the unreachable window. */
  rightPartyContacts: number;
  failedAttempts: number;
  arrangements: ArrangementState | null;
}

/** What the facts are measured against: the start of the business day and the pack's unreachable window. */
export interface FactWindow { at: number; windowDays: number; failedOutcomes: readonly string[] }

/** A shard filter on a customer id column: hashtext is PostgreSQL's (the same for every process of a run). */
export function shardCondition(shard: Shard | null, column: string): string {
  if (!shard || shard.count === 1) return 'true';
  return `mod(hashtext(${column})::bigint + 2147483648, ${shard.count}) = ${shard.index}`;
}

const US = "chr(31)";
const RS = "chr(30)";
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
const instant = (ms: number) => `to_timestamp(${Number(ms)}::float8 / 1000)`;

/**
 * The snapshot query. `where` selects accounts (alias a: card_accounts, d: account_delinquency, s:
 * strategy state); `customers` and `accounts` filter the aggregated tables by customer_id / account_id
 * before grouping (a shard, or one account for explain).
 */
function snapshotSql(where: string, customers: string, accounts: string, w: FactWindow, agingJoin: 'join' | 'left join'): string {
  const failed = w.failedOutcomes.length ? w.failedOutcomes.map(literal).join(', ') : "''";
  return `select a.account_id, a.customer_id, a.currency, coalesce(d.days_past_due, 0), coalesce(d.bucket, ''), coalesce(d.balance_minor, 0), coalesce(d.overdue_minor, 0),
      a.credit_limit_minor, coalesce(d.late_count_cumulative, 0), coalesce(d.late_count_consecutive, 0), a.status, c.language, c.time_zone, h.payments,
      s.state, s.prev_state, s.changed_on - date '1970-01-01', m.delinquency_reason, m.suspected_evasion, m.risk_score, g.team_id, g.agency_id, g.legal_stage,
      cp.points, fl.flags, coalesce(ca.right_party, 0), coalesce(ca.failed, 0),
      ar.promises_kept, ar.promises_broken, ar.active_promise_id, ar.active_promise_on, ar.active_promise_minor, ar.plans_broken, ar.plans_completed, ar.active_plan_id, ar.next_due_on
    from card_accounts a
    ${agingJoin} account_delinquency d on d.account_id = a.account_id
    join customers c on c.customer_id = a.customer_id
    left join account_histories h on h.account_id = a.account_id
    left join strategy_account_states s on s.account_id = a.account_id
    left join strategy_account_markers m on m.account_id = a.account_id
    left join account_assignments g on g.account_id = a.account_id
    left join (
      select customer_id, string_agg(concat_ws(${US}, kind, position, party_role, case when verified then '1' else '0' end, coalesce(source, ''),
                                               coalesce(case when kind = 'phone' then 'tel:' || encode(value_hmac, 'hex') else value end, '')), ${RS} order by kind, position) as points
      from contact_points where ${customers} group by customer_id) cp on cp.customer_id = a.customer_id
    left join (
      select customer_id, string_agg(kind || ${US} || coalesce(account_id, ''), ${RS}) as flags from (
        select distinct on (customer_id, coalesce(account_id, ''), kind) customer_id, account_id, kind, action, since, until
        from compliance_flag_events where ${customers} order by customer_id, coalesce(account_id, ''), kind, event_id desc) f
      where action = 'set' and (since is null or since <= ${instant(w.at)}) and (until is null or until > ${instant(w.at)})
      group by customer_id) fl on fl.customer_id = a.customer_id
    left join (
      select x.customer_id, count(*) filter (where x.outcome = 'connected_right_party') as right_party, count(*) filter (where x.outcome in (${failed})) as failed
      from contact_attempts x
      where ${customers.replace(/customer_id/g, 'x.customer_id')} and x.party = 'debtor'
        and x.attempted_at > ${instant(w.at - w.windowDays * 86_400_000)} and x.attempted_at <= ${instant(w.at)}
        and not exists (select 1 from contact_attempts y where y.corrects = x.attempt_id)
      group by x.customer_id) ca on ca.customer_id = a.customer_id
    left join (${arrangementStatesSql(accounts)}) ar on ar.account_id = a.account_id
    where ${where}`;
}

/** The accounts the cycle decides: delinquent ones, and those the strategy still follows (to see them cure). */
export function cycleSnapshotSql(shard: Shard | null, w: FactWindow): string {
  const customers = shardCondition(shard, 'customer_id');
  const accounts = shard && shard.count > 1 ? `account_id in (select account_id from card_accounts where ${customers})` : 'true';
  return `copy (${snapshotSql(`(d.days_past_due > 0 or (s.status is not null and s.status <> 'current')) and ${shardCondition(shard, 'a.customer_id')}`, customers, accounts, w, 'join')}) to stdout`;
}

const nullable = (f: string) => (f === '\\N' ? null : unescapeCopy(f));
const US_CHAR = '\u001f';
const RS_CHAR = '\u001e';

/** The latest payment day on or before `asOf` of a packed history ('day,amount;…' in posted order). */
function lastPaymentDay(packed: string | null, asOf: EpochDay): EpochDay | null {
  if (packed === null) return null;
  let end = packed.length;
  while (end > 0) {
    const start = packed.lastIndexOf(';', end - 1) + 1;
    const day = Number(packed.slice(start, packed.indexOf(',', start)));
    if (day <= asOf) return day;
    end = start - 1;
  }
  return null;
}

function pointsOf(text: string | null): ContactPoint[] {
  if (text === null) return [];
  return text.split(RS_CHAR).map((p) => {
    const f = p.split(US_CHAR);
    return {
      kind: f[0] as ContactPoint['kind'], position: Number(f[1]), partyRole: f[2] as ContactPoint['partyRole'], verified: f[3] === '1',
      source: f[4] || null, key: f.slice(5).join(US_CHAR),
    };
  });
}

function flagsOf(text: string | null): SnapshotRow['flags'] {
  if (text === null) return [];
  return text.split(RS_CHAR).map((x) => {
    const [kind, accountId] = x.split(US_CHAR);
    return { kind: kind!, accountId: accountId || null };
  });
}

export function parseSnapshotRow(line: string, asOf: EpochDay): SnapshotRow {
  const f = line.split('\t');
  const arrangements = f[27] === '\\N' ? null : arrangementStateOf(f.slice(27, 27 + ARRANGEMENT_STATE_COLUMNS));
  return {
    accountId: unescapeCopy(f[0]!), customerId: unescapeCopy(f[1]!), currency: f[2]!, daysPastDue: Number(f[3]), bucket: unescapeCopy(f[4]!),
    balanceMinor: BigInt(f[5]!), overdueMinor: BigInt(f[6]!), creditLimitMinor: BigInt(f[7]!), lateCountCumulative: Number(f[8]), lateCountConsecutive: Number(f[9]),
    accountStatus: f[10]!, language: f[11] as Language, timeZone: unescapeCopy(f[12]!), lastPaymentOn: lastPaymentDay(nullable(f[13]!), asOf),
    state: nullable(f[14]!), prevState: nullable(f[15]!), changedOn: f[16] === '\\N' ? null : Number(f[16]),
    delinquencyReason: nullable(f[17]!), suspectedEvasion: f[18] === 't', riskScore: f[19] === '\\N' ? null : Number(f[19]),
    teamId: nullable(f[20]!), agencyId: nullable(f[21]!), legalStage: nullable(f[22]!),
    points: pointsOf(nullable(f[23]!)), flags: flagsOf(nullable(f[24]!)), rightPartyContacts: Number(f[25]), failedAttempts: Number(f[26]), arrangements,
  };
}

/** Streams the cycle's accounts (leaving early leaves the COPY unfinished: discard the client then). */
export async function* cycleSnapshotRows(client: pg.ClientBase, asOf: EpochDay, shard: Shard | null, w: FactWindow): AsyncGenerator<SnapshotRow> {
  for await (const line of copyOutLines(client, cycleSnapshotSql(shard, w))) yield parseSnapshotRow(line, asOf);
}

/** One account's row (explain), whatever its delinquency; null when the account does not exist. */
export async function accountSnapshotRow(db: pg.ClientBase | pg.Pool, accountId: string, asOf: EpochDay, w: FactWindow): Promise<SnapshotRow | null> {
  const sql = snapshotSql('a.account_id = $1', 'customer_id = (select customer_id from card_accounts where account_id = $1)', 'account_id = $1', w, 'left join');
  const { rows } = await db.query<unknown[]>({ text: sql, values: [accountId], rowMode: 'array' });
  const r = rows[0];
  if (!r) return null;
  const text = r.map((v) => (v === null ? '\\N' : v === true ? 't' : v === false ? 'f' : copyField(String(v)))).join('\t');
  return parseSnapshotRow(text, asOf);
}
