/**
 * The dashboards' portfolio-wide aggregates (issue 8): each is one or two set-based queries over stored
 * results (aging_run_totals / aging_run_moves written by every aging run, delinquency_vintages) or over
 * one period of an event table through its date index (promises, contact attempts, payments, the
 * cycle's dropped contacts, the gate's verdicts). Nothing here re-ages an account, so the cost does not
 * grow with the portfolio except through the period's own rows. Money stays bigint minor units until it
 * is formatted as an exact decimal string per currency.
 */
import type pg from 'pg';
import { formatAmount } from '../kernel/money.ts';

type Db = pg.Pool | pg.ClientBase;
export type Money = Record<string, string>;

/** Minor units per currency → exact decimal strings, currencies in code order. */
function moneyOf(rows: readonly { currency: string; minor: bigint }[]): Money {
  const sums = new Map<string, bigint>();
  for (const r of rows) sums.set(r.currency, (sums.get(r.currency) ?? 0n) + r.minor);
  return Object.fromEntries([...sums.keys()].sort().map((c) => [c, formatAmount(sums.get(c)!, c)]));
}

const rate = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 10_000) / 10_000);

// Bucket distribution over time --------------------------------------------------------------------

export interface BucketHistory {
  buckets: string[];
  /** Oldest first within the page. */
  runs: { asOf: string; accounts: number; buckets: { bucket: string; accounts: number; balance: Money }[] }[];
  /** The first asOf of this page when earlier runs exist (pass as `before`), else null. */
  nextBefore: string | null;
}

/** The latest `limit` aging runs from `from` to `to` before `before` (pages walk back in time), oldest first. */
export async function bucketHistory(db: Db, q: { from: string | null; to: string | null; before: string | null; limit: number }, bucketOrder: readonly string[]): Promise<BucketHistory> {
  const dates = await db.query<{ as_of: string }>(
    `select distinct as_of::text from aging_run_totals
     where ($1::date is null or as_of >= $1) and ($2::date is null or as_of <= $2) and ($3::date is null or as_of < $3)
     order by 1 desc limit $4`,
    [q.from, q.to, q.before, q.limit + 1],
  );
  const page = dates.rows.slice(0, q.limit).map((r) => r.as_of).reverse();
  const { rows } = page.length === 0 ? { rows: [] } : await db.query<{ as_of: string; bucket: string; currency: string; accounts: number; balance_minor: bigint }>(
    `select as_of::text, bucket, currency, accounts, balance_minor from aging_run_totals where as_of = any($1::date[])`, [page]);
  const names = [...bucketOrder];
  for (const r of rows) if (!names.includes(r.bucket)) names.push(r.bucket);
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const runs = page.map((asOf) => {
    const mine = rows.filter((r) => r.as_of === asOf);
    const buckets = names.map((bucket) => {
      const cells = mine.filter((r) => r.bucket === bucket);
      const balance = moneyOf([...currencies.map((c) => ({ currency: c, minor: 0n })), ...cells.map((r) => ({ currency: r.currency, minor: BigInt(r.balance_minor) }))]);
      return { bucket, accounts: cells.reduce((n, r) => n + r.accounts, 0), balance };
    });
    return { asOf, accounts: buckets.reduce((n, b) => n + b.accounts, 0), buckets };
  });
  return { buckets: names, runs, nextBefore: dates.rows.length > q.limit ? page[0]! : null };
}

// Roll rates between consecutive runs ----------------------------------------------------------------

export interface RunRollRates {
  from: string | null;
  to: string | null;
  accounts: number;
  buckets: string[];
  rows: { from: string; accounts: number; balance: Money; cells: { to: string; accounts: number; balance: Money; rate: number }[] }[];
}

/** The moves recorded by the aging run of `to` (default: the latest run with moves) from the run before it. */
export async function runRollRates(db: Db, to: string | null, bucketOrder: readonly string[]): Promise<RunRollRates | null> {
  const run = await db.query<{ from_as_of: string; to_as_of: string }>(
    `select from_as_of::text, to_as_of::text from aging_run_moves where ($1::date is null or to_as_of = $1) order by to_as_of desc limit 1`, [to]);
  if (run.rows.length === 0) return null;
  const { from_as_of: fromAsOf, to_as_of: toAsOf } = run.rows[0]!;
  const { rows } = await db.query<{ from_bucket: string; to_bucket: string; currency: string; accounts: number; balance_minor: bigint }>(
    'select from_bucket, to_bucket, currency, accounts, balance_minor from aging_run_moves where to_as_of = $1', [toAsOf]);
  const names = [...bucketOrder];
  for (const r of rows) for (const b of [r.from_bucket, r.to_bucket]) if (!names.includes(b)) names.push(b);
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const zero = currencies.map((c) => ({ currency: c, minor: 0n }));
  const out = names.map((from) => {
    const mine = rows.filter((r) => r.from_bucket === from);
    const accounts = mine.reduce((n, r) => n + r.accounts, 0);
    return {
      from, accounts, balance: moneyOf([...zero, ...mine.map((r) => ({ currency: r.currency, minor: BigInt(r.balance_minor) }))]),
      cells: names.map((toBucket) => {
        const cell = mine.filter((r) => r.to_bucket === toBucket);
        const n = cell.reduce((s, r) => s + r.accounts, 0);
        return { to: toBucket, accounts: n, balance: moneyOf([...zero, ...cell.map((r) => ({ currency: r.currency, minor: BigInt(r.balance_minor) }))]), rate: rate(n, accounts) };
      }),
    };
  });
  return { from: fromAsOf, to: toAsOf, accounts: out.reduce((n, r) => n + r.accounts, 0), buckets: names, rows: out };
}

// Recovery curves by delinquency vintage ------------------------------------------------------------

export interface RecoveryCurves {
  currency: string;
  months: number;
  vintages: { vintage: string; accounts: number; balanceAtEntry: string; points: { month: number; recovered: string; rate: number }[] }[];
}

/**
 * Per vintage (the month an account's first delinquency began, from `from` to `to`, in one currency),
 * the share of the balance at entry paid back within 1, 2, … `months` months of the delinquency's start.
 * A point is present only once that many months have passed by `today` for the vintage's last day.
 */
export async function recoveryCurves(db: Db, q: { from: string; to: string; currency: string; months: number; today: string }): Promise<RecoveryCurves> {
  const { rows } = await db.query<{ vintage: string; accounts: number; balance: bigint; month: number | null; paid: bigint | null }>(
    `with v as (
       select account_id, delinquent_since, balance_at_entry_minor from delinquency_vintages
       where delinquent_since >= date_trunc('month', $1::date) and delinquent_since < date_trunc('month', $2::date) + interval '1 month' and currency = $3
     ), cohorts as (
       select to_char(delinquent_since, 'YYYY-MM') as vintage, count(*)::int as accounts, sum(balance_at_entry_minor)::bigint as balance from v group by 1
     ), paid as (
       select to_char(v.delinquent_since, 'YYYY-MM') as vintage,
              (extract(year from age(p.posted_on, v.delinquent_since)) * 12 + extract(month from age(p.posted_on, v.delinquent_since)))::int + 1 as month,
              sum(p.amount_minor)::bigint as paid
       from v join payments p on p.account_id = v.account_id and p.posted_on >= v.delinquent_since
         and p.posted_on < v.delinquent_since + make_interval(months => $4::int)
       group by 1, 2
     )
     select c.vintage, c.accounts, c.balance, p.month, p.paid from cohorts c left join paid p on p.vintage = c.vintage order by c.vintage, p.month`,
    [q.from, q.to, q.currency, q.months],
  );
  const vintages = new Map<string, { accounts: number; balance: bigint; paid: Map<number, bigint> }>();
  for (const r of rows) {
    const v = vintages.get(r.vintage) ?? { accounts: r.accounts, balance: BigInt(r.balance), paid: new Map() };
    vintages.set(r.vintage, v);
    if (r.month !== null) v.paid.set(r.month, BigInt(r.paid!));
  }
  const today = new Date(`${q.today}T00:00:00Z`);
  return {
    currency: q.currency, months: q.months,
    vintages: [...vintages.entries()].map(([vintage, v]) => {
      const [y, m] = vintage.split('-').map(Number) as [number, number];
      // Months fully elapsed since the vintage's last day.
      const lastDay = new Date(Date.UTC(y, m, 0));
      const elapsed = (today.getUTCFullYear() - lastDay.getUTCFullYear()) * 12 + today.getUTCMonth() - lastDay.getUTCMonth() - (today.getUTCDate() < lastDay.getUTCDate() ? 1 : 0);
      const points: { month: number; recovered: string; rate: number }[] = [];
      let cumulative = 0n;
      for (let k = 1; k <= Math.min(q.months, Math.max(elapsed, 0)); k++) {
        cumulative += v.paid.get(k) ?? 0n;
        points.push({ month: k, recovered: formatAmount(cumulative, q.currency), rate: v.balance === 0n ? 0 : Number((cumulative * 10_000n) / v.balance) / 10_000 });
      }
      return { vintage, accounts: v.accounts, balanceAtEntry: formatAmount(v.balance, q.currency), points };
    }),
  };
}

// Promises kept ----------------------------------------------------------------------------------------

export interface PromiseReport {
  from: string; to: string;
  made: number; kept: number; broken: number; active: number; cancelled: number;
  /** kept / (kept + broken): of the promises judged, the share kept. */
  keptRate: number;
  promised: Money; paid: Money;
  weeks: { week: string; made: number; kept: number; broken: number; keptRate: number }[];
}

/** Promises made from `from` to `to`, by status, with the kept rate overall and per ISO week made. */
export async function promiseReport(db: Db, from: string, to: string): Promise<PromiseReport> {
  const { rows } = await db.query<{ week: string; status: string; currency: string; n: number; promised: bigint; paid: bigint }>(
    `select to_char(date_trunc('week', created_on), 'YYYY-MM-DD') as week, status, currency, count(*)::int as n,
            sum(amount_minor)::bigint as promised, coalesce(sum(paid_minor), 0)::bigint as paid
     from promises_to_pay where created_on between $1::date and $2::date group by 1, 2, 3`, [from, to]);
  const count = (status: string, week?: string) => rows.filter((r) => r.status === status && (week === undefined || r.week === week)).reduce((n, r) => n + r.n, 0);
  const weeks = [...new Set(rows.map((r) => r.week))].sort().map((week) => {
    const kept = count('kept', week);
    const broken = count('broken', week);
    return { week, made: rows.filter((r) => r.week === week).reduce((n, r) => n + r.n, 0), kept, broken, keptRate: rate(kept, kept + broken) };
  });
  const kept = count('kept');
  const broken = count('broken');
  return {
    from, to, made: rows.reduce((n, r) => n + r.n, 0), kept, broken, active: count('active'), cancelled: count('cancelled'), keptRate: rate(kept, kept + broken),
    promised: moneyOf(rows.map((r) => ({ currency: r.currency, minor: BigInt(r.promised) }))),
    paid: moneyOf(rows.filter((r) => r.status === 'kept' || r.status === 'broken').map((r) => ({ currency: r.currency, minor: BigInt(r.paid) }))),
    weeks,
  };
}

// Contact and right-party-contact rates ------------------------------------------------------------------

/** Outcomes that reached a person. */
const CONNECTED = ['connected_right_party', 'connected_third_party'];
/** Channels where a person can be reached (calls and visits); messages count as attempts only. */
export const CONVERSATION_CHANNELS = ['voice_agent', 'voice_robot', 'field_visit'];

export interface ContactReport {
  from: string; to: string;
  channels: { channel: string; attempts: number; connected: number; rightParty: number; contactRate: number; rightPartyRate: number }[];
  total: { attempts: number; connected: number; rightParty: number; contactRate: number; rightPartyRate: number };
}

/**
 * Contact attempts recorded from `from` to `to` (business days in `timeZone`), per channel: attempts,
 * connected (a person answered), right party (the debtor). An attempt a later row corrects counts with
 * the correction's outcome, once.
 */
export async function contactReport(db: Db, from: string, to: string, timeZone: string): Promise<ContactReport> {
  const { rows } = await db.query<{ channel: string; attempts: number; connected: number; right_party: number }>(
    `with period as (
       select * from contact_attempts
       where attempted_at >= ($1::date)::timestamp at time zone $3 and attempted_at < ($2::date + 1)::timestamp at time zone $3
     ), effective as (
       select coalesce(c.channel, a.channel) as channel, coalesce(c.outcome, a.outcome) as outcome from period a
       left join lateral (select x.channel, x.outcome from contact_attempts x where x.corrects = a.attempt_id order by x.attempt_id desc limit 1) c on true
       where a.corrects is null
     )
     select channel, count(*)::int as attempts, count(*) filter (where outcome = any($4))::int as connected,
            count(*) filter (where outcome = 'connected_right_party')::int as right_party
     from effective group by 1 order by 1`, [from, to, timeZone, CONNECTED]);
  const channels = rows.map((r) => ({ channel: r.channel, attempts: r.attempts, connected: r.connected, rightParty: r.right_party, contactRate: rate(r.connected, r.attempts), rightPartyRate: rate(r.right_party, r.attempts) }));
  const sum = (k: 'attempts' | 'connected' | 'rightParty') => channels.reduce((n, c) => n + c[k], 0);
  const attempts = sum('attempts');
  return { from, to, channels, total: { attempts, connected: sum('connected'), rightParty: sum('rightParty'), contactRate: rate(sum('connected'), attempts), rightPartyRate: rate(sum('rightParty'), attempts) } };
}

// Amount collected per channel, and the cost of contacts ---------------------------------------------------

export interface CollectionsReport {
  from: string; to: string;
  /** Payments posted in the period per payment channel (null channel: "unknown"). */
  collected: { channel: string; payments: number; amount: Money }[];
  collectedTotal: Money;
  costCurrency: string | null;
  /** Contacts made in the period per contact channel, at the strategy's channelCosts. */
  contacts: { channel: string; contacts: number; unitCost: string | null; cost: string | null }[];
  costTotal: string | null;
}

/** A contact channel whose cost the strategy names by its work kind (channelCosts.agent_call for a collector's call). */
const WORK_KIND_OF: Readonly<Record<string, string>> = { voice_agent: 'agent_call' };

export async function collectionsReport(db: Db, q: { from: string; to: string; timeZone: string; costs: Readonly<Record<string, bigint>>; costCurrency: string | null }): Promise<CollectionsReport> {
  const [paid, contacted] = await Promise.all([
    db.query<{ channel: string; currency: string; n: number; minor: bigint }>(
      `select coalesce(p.channel, 'unknown') as channel, a.currency, count(*)::int as n, sum(p.amount_minor)::bigint as minor
       from payments p join card_accounts a on a.account_id = p.account_id where p.posted_on between $1::date and $2::date group by 1, 2`, [q.from, q.to]),
    db.query<{ channel: string; n: number }>(
      `select channel, count(*)::int as n from contact_attempts
       where corrects is null and attempted_at >= ($1::date)::timestamp at time zone $3 and attempted_at < ($2::date + 1)::timestamp at time zone $3
       group by 1 order by 1`, [q.from, q.to, q.timeZone]),
  ]);
  const channels = [...new Set(paid.rows.map((r) => r.channel))].sort();
  const collected = channels.map((channel) => {
    const mine = paid.rows.filter((r) => r.channel === channel);
    return { channel, payments: mine.reduce((n, r) => n + r.n, 0), amount: moneyOf(mine.map((r) => ({ currency: r.currency, minor: BigInt(r.minor) }))) };
  });
  const cur = q.costCurrency;
  let total = 0n;
  const contacts = contacted.rows.map((r) => {
    const unit = q.costs[r.channel] ?? q.costs[WORK_KIND_OF[r.channel] ?? ''] ?? 0n;
    total += unit * BigInt(r.n);
    return { channel: r.channel, contacts: r.n, unitCost: cur ? formatAmount(unit, cur) : null, cost: cur ? formatAmount(unit * BigInt(r.n), cur) : null };
  });
  return {
    from: q.from, to: q.to, collected, collectedTotal: moneyOf(paid.rows.map((r) => ({ currency: r.currency, minor: BigInt(r.minor) }))),
    costCurrency: cur, contacts, costTotal: cur ? formatAmount(total, cur) : null,
  };
}

// Compliance blocks per rule -------------------------------------------------------------------------------

export interface ComplianceBlockReport {
  from: string; to: string;
  /** The daily cycle's contacts dropped (strategy_dropped_actions), per first blocking rule and code. */
  cycleDrops: { rule: string; code: string; reason: string; count: number }[];
  /** Every stored-state gate verdict that blocked or deferred (the audit chain), per rule and code that decided it. */
  gateVerdicts: { rule: string; code: string; decision: string; count: number }[];
  totals: { cycleDrops: number; gateVerdicts: number };
}

export async function complianceBlockReport(db: Db, from: string, to: string, timeZone: string): Promise<ComplianceBlockReport> {
  const [drops, verdicts] = await Promise.all([
    db.query<{ rule: string; code: string; reason: string; n: number }>(
      `select coalesce(rules -> 0 ->> 'rule', '?') as rule, coalesce(rules -> 0 ->> 'code', '?') as code, reason, count(*)::int as n
       from strategy_dropped_actions where as_of between $1::date and $2::date group by 1, 2, 3 order by 4 desc, 1, 2, 3`, [from, to]),
    db.query<{ rule: string; code: string; decision: string; n: number }>(
      `with v as (
         select payload::jsonb as p from audit_log
         where chain = 'compliance' and kind = 'compliance.verdict'
           and occurred_at >= ($1::date)::timestamp at time zone $3 and occurred_at < ($2::date + 1)::timestamp at time zone $3
       )
       select coalesce(r ->> 'rule', '?') as rule, coalesce(r ->> 'code', '?') as code, p ->> 'decision' as decision, count(*)::int as n
       from v cross join lateral (select r from jsonb_array_elements(coalesce(p -> 'rules', '[]')) r where r ->> 'effect' = p ->> 'decision' limit 1) d
       where p ->> 'decision' <> 'allow' group by 1, 2, 3 order by 4 desc, 1, 2, 3`, [from, to, timeZone]),
  ]);
  const cycleDrops = drops.rows.map((r) => ({ rule: r.rule, code: r.code, reason: r.reason, count: r.n }));
  const gateVerdicts = verdicts.rows.map((r) => ({ rule: r.rule, code: r.code, decision: r.decision, count: r.n }));
  return { from, to, cycleDrops, gateVerdicts, totals: { cycleDrops: cycleDrops.reduce((n, r) => n + r.count, 0), gateVerdicts: gateVerdicts.reduce((n, r) => n + r.count, 0) } };
}

// Leaderboards ------------------------------------------------------------------------------------------------

export interface LeaderboardEntry {
  rank: number;
  /** The collector's username, or the agency id. */
  id: string;
  score: number;
  attempts: number;
  rightParty: number;
  rightPartyRate: number;
  promisesJudged: number;
  promisesKept: number;
  keptRate: number;
  recovered: string;
  /** recovered / the best recovered on the board (0..1). */
  recoveryIndex: number;
  complaints: number;
  complianceBlocks: number;
  /** (complaints + compliance blocks) per 100 attempts. */
  incidentRate: number;
}

export interface Leaderboard {
  kind: 'collector' | 'agency';
  from: string; to: string; currency: string;
  weights: typeof LEADERBOARD_WEIGHTS;
  entries: LeaderboardEntry[];
  total: number;
  offset: number;
  limit: number;
}

/**
 * score = 100 × (0.35·keptRate + 0.25·rightPartyRate + 0.25·recoveryIndex + 0.15·(1 − min(1, incidentRate / 5)))
 * (docs/decisions.md): recovery weighs a quarter, never alone.
 */
export const LEADERBOARD_WEIGHTS = { keptRate: 0.35, rightPartyRate: 0.25, recoveryIndex: 0.25, conduct: 0.15, incidentsPer100AtZero: 5 } as const;

/**
 * Collectors (staff who recorded contacts as the bank, and the promises they took) or agencies (accounts
 * placed with them, contacts their staff made as the agency) over a period, ranked by the blended score,
 * paged by offset (the board is small: one row per collector or agency).
 */
export async function leaderboard(db: Db, q: { kind: 'collector' | 'agency'; from: string; to: string; timeZone: string; currency: string; offset: number; limit: number }): Promise<Leaderboard> {
  const w = LEADERBOARD_WEIGHTS;
  // Who each row belongs to: the collector who acted, or the agency the account is placed with.
  // The actor text is "bank:USER" / "agency:ID[:USER]" (compliance vocabulary): its second part names the row.
  const actorKind = q.kind === 'collector' ? 'bank' : 'agency';
  const contactsSql = `select split_part(a.actor, ':', 2) as id, a.attempt_id, a.customer_id, coalesce(c.outcome, a.outcome) as outcome
    from period a ${correctionJoin} where a.corrects is null and a.actor_kind = '${actorKind}' and split_part(a.actor, ':', 2) <> ''`;
  const promisesSql = q.kind === 'collector'
    ? `select p.recorded_by as id, p.status, p.paid_minor from promises_to_pay p where p.currency = $4 and p.resolved_on between $1::date and $2::date and p.status in ('kept', 'broken')`
    : `select s.agency_id as id, p.status, p.paid_minor from promises_to_pay p join account_assignments s on s.account_id = p.account_id and s.agency_id is not null
       where p.currency = $4 and p.resolved_on between $1::date and $2::date and p.status in ('kept', 'broken')`;
  const { rows } = await db.query<{
    id: string; attempts: number; right_party: number; judged: number; kept: number; recovered: bigint; complaints: number; blocks: number;
  }>(
    `with period as (
       select * from contact_attempts
       where attempted_at >= ($1::date)::timestamp at time zone $3 and attempted_at < ($2::date + 1)::timestamp at time zone $3
     ), contacts as (${contactsSql}
     ), promises as (${promisesSql}
     ), reached as (
       select distinct id, customer_id from contacts where outcome = 'connected_right_party'
     ), complaints as (
       -- complaints opened in the period by customers the collector/agency reached in it
       select r.id, count(distinct e.event_id)::int as n from reached r join compliance_flag_events e on e.customer_id = r.customer_id
       where e.kind = 'complaint_open' and e.action = 'set' and e.recorded_at >= ($1::date)::timestamp at time zone $3 and e.recorded_at < ($2::date + 1)::timestamp at time zone $3
       group by 1
     ), blocks as (
       -- gate verdicts that blocked a contact this collector/agency proposed
       select split_part(p -> 'contact' ->> 'actor', ':', 2) as id, count(*)::int as n from (
         select payload::jsonb as p from audit_log where chain = 'compliance' and kind = 'compliance.verdict'
           and occurred_at >= ($1::date)::timestamp at time zone $3 and occurred_at < ($2::date + 1)::timestamp at time zone $3
       ) v where p ->> 'decision' = 'block' and split_part(p -> 'contact' ->> 'actor', ':', 1) = '${actorKind}' group by 1
     ), c as (
       select id, count(*)::int as attempts, count(*) filter (where outcome = 'connected_right_party')::int as right_party from contacts group by 1
     ), pr as (
       select id, count(*)::int as judged, count(*) filter (where status = 'kept')::int as kept, coalesce(sum(paid_minor), 0)::bigint as recovered from promises group by 1
     ), ids as (select id from c union select id from pr union select id from blocks)
     select i.id, coalesce(c.attempts, 0) as attempts, coalesce(c.right_party, 0) as right_party, coalesce(pr.judged, 0) as judged,
            coalesce(pr.kept, 0) as kept, coalesce(pr.recovered, 0)::bigint as recovered,
            coalesce(x.n, 0) as complaints, coalesce(b.n, 0) as blocks
     from ids i left join c on c.id = i.id left join pr on pr.id = i.id left join complaints x on x.id = i.id left join blocks b on b.id = i.id
     where i.id is not null and i.id <> ''`,
    [q.from, q.to, q.timeZone, q.currency],
  );
  const best = rows.reduce((m, r) => (BigInt(r.recovered) > m ? BigInt(r.recovered) : m), 0n);
  const scored = rows.map((r) => {
    const recovered = BigInt(r.recovered);
    const keptRate = rate(r.kept, r.judged);
    const rightPartyRate = rate(r.right_party, r.attempts);
    const recoveryIndex = best === 0n ? 0 : Number((recovered * 10_000n) / best) / 10_000;
    const incidentRate = r.attempts === 0 ? (r.complaints + r.blocks > 0 ? w.incidentsPer100AtZero : 0) : Math.round(((r.complaints + r.blocks) * 100 / r.attempts) * 100) / 100;
    const conduct = 1 - Math.min(1, incidentRate / w.incidentsPer100AtZero);
    const score = Math.round(100 * (w.keptRate * keptRate + w.rightPartyRate * rightPartyRate + w.recoveryIndex * recoveryIndex + w.conduct * conduct) * 100) / 100;
    return {
      rank: 0, id: r.id, score, attempts: r.attempts, rightParty: r.right_party, rightPartyRate, promisesJudged: r.judged, promisesKept: r.kept, keptRate,
      recovered: formatAmount(recovered, q.currency), recoveryIndex, complaints: r.complaints, complianceBlocks: r.blocks, incidentRate,
    };
  });
  scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  scored.forEach((e, i) => (e.rank = i + 1));
  return { kind: q.kind, from: q.from, to: q.to, currency: q.currency, weights: w, entries: scored.slice(q.offset, q.offset + q.limit), total: scored.length, offset: q.offset, limit: q.limit };
}

const correctionJoin = `left join lateral (select x.outcome from contact_attempts x where x.corrects = a.attempt_id order by x.attempt_id desc limit 1) c on true`;
