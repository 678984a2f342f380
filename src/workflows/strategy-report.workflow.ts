/**
 * The champion/challenger report: for each variant of a strategy over a period, the accounts it
 * followed, how many cured (and the rate), the amount collected on them, the contacts made per channel
 * and their cost, complaints opened, and the contacts the compliance gate blocked (per rule). A read
 * model across the strategy state, payments, outbox, work items, the compliance flags and the dropped
 * contacts; every figure is one set-based query.
 */
import type pg from 'pg';
import { formatPlainDate, type EpochDay } from '../kernel/dates.ts';
import { formatAmount } from '../kernel/money.ts';
import type { CompiledStrategy } from '../modules/strategy/index.ts';

export interface VariantReport {
  variant: string;
  percent: number | null;
  /** Accounts of the variant in collections at some point of the period. */
  accounts: number;
  cured: number;
  /** cured / accounts (0 when no accounts). */
  cureRate: number;
  collected: Record<string, string>;
  contacts: Record<string, number>;
  contactsTotal: number;
  /** Cost of the contacts at the strategy's channel costs, in its cost currency. */
  contactCost: string | null;
  complaints: number;
  complianceBlocks: number;
  blocksByRule: { rule: string; code: string; count: number }[];
}

export interface StrategyReport {
  strategy: { id: string; version: number };
  from: string;
  to: string;
  costCurrency: string | null;
  variants: VariantReport[];
}

export async function strategyReport(pool: pg.Pool, strategy: CompiledStrategy, from: EpochDay, to: EpochDay): Promise<StrategyReport> {
  const f = formatPlainDate(from);
  const t = formatPlainDate(to);
  const id = strategy.id;
  // The population: accounts the strategy follows, or that left it (cured) during or after the period.
  const population = `select account_id, customer_id, variant from strategy_account_states
    where strategy_id = $1 and (status <> 'current' or changed_on >= $2::date) and $3::date is not null`;
  const [accounts, cured, collected, messages, work, complaints, blocks] = await Promise.all([
    pool.query<{ variant: string; n: string }>(`select variant, count(*) as n from (${population}) p group by variant`, [id, f, t]),
    pool.query<{ variant: string; n: string }>(
      `select variant, count(*) as n from strategy_account_events where strategy_id = $1 and kind = 'cured' and occurred_on between $2::date and $3::date group by variant`, [id, f, t]),
    pool.query<{ variant: string; currency: string; total: bigint }>(
      `select p.variant, a.currency, sum(pay.amount_minor)::bigint as total from (${population}) p
       join payments pay on pay.account_id = p.account_id and pay.posted_on between $2::date and $3::date
       join card_accounts a on a.account_id = p.account_id group by p.variant, a.currency`, [id, f, t]),
    pool.query<{ variant: string; channel: string; n: string }>(
      `select strategy_variant as variant, channel, count(*) as n from outbox_messages
       where strategy_id = $1 and origin = 'cycle' and not_before >= $2::date and not_before < $3::date + 1 group by 1, 2`, [id, f, t]),
    pool.query<{ variant: string; kind: string; n: string }>(
      `select strategy_variant as variant, kind, count(*) as n from work_items
       where strategy_id = $1 and origin = 'cycle' and not_before >= $2::date and not_before < $3::date + 1 group by 1, 2`, [id, f, t]),
    pool.query<{ variant: string; n: string }>(
      `select p.variant, count(*) as n from compliance_flag_events e join (select distinct customer_id, variant from (${population}) x) p on p.customer_id = e.customer_id
       where e.kind = 'complaint_open' and e.action = 'set' and e.recorded_at >= $2::date and e.recorded_at < $3::date + 1 group by p.variant`, [id, f, t]),
    pool.query<{ variant: string; rule: string; code: string; n: string }>(
      `select strategy_variant as variant, coalesce(rules -> 0 ->> 'rule', '?') as rule, coalesce(rules -> 0 ->> 'code', '?') as code, count(*) as n
       from strategy_dropped_actions where strategy_id = $1 and reason = 'compliance_block' and as_of between $2::date and $3::date group by 1, 2, 3`, [id, f, t]),
  ]);
  const names = new Set<string>([...strategy.variants.map((v) => v.id), ...accounts.rows.map((r) => r.variant)]);
  const variants: VariantReport[] = [...names].map((variant) => {
    const n = Number(accounts.rows.find((r) => r.variant === variant)?.n ?? 0);
    const c = Number(cured.rows.find((r) => r.variant === variant)?.n ?? 0);
    const contacts: Record<string, number> = {};
    for (const r of messages.rows) if (r.variant === variant) contacts[r.channel] = Number(r.n);
    for (const r of work.rows) if (r.variant === variant) contacts[r.kind] = Number(r.n);
    let cost: bigint | null = strategy.costCurrency ? 0n : null;
    if (cost !== null) for (const [channel, count] of Object.entries(contacts)) cost += (strategy.costs[channel] ?? 0n) * BigInt(count);
    const variantBlocks = blocks.rows.filter((r) => r.variant === variant).map((r) => ({ rule: r.rule, code: r.code, count: Number(r.n) })).sort((a, b) => b.count - a.count);
    return {
      variant, percent: strategy.variants.find((v) => v.id === variant)?.percent ?? null, accounts: n, cured: c, cureRate: n === 0 ? 0 : Math.round((c / n) * 10_000) / 10_000,
      collected: Object.fromEntries(collected.rows.filter((r) => r.variant === variant).map((r) => [r.currency, formatAmount(r.total, r.currency)])),
      contacts, contactsTotal: Object.values(contacts).reduce((s, x) => s + x, 0),
      contactCost: cost === null ? null : formatAmount(cost, strategy.costCurrency!),
      complaints: Number(complaints.rows.find((r) => r.variant === variant)?.n ?? 0),
      complianceBlocks: variantBlocks.reduce((s, b) => s + b.count, 0), blocksByRule: variantBlocks,
    };
  });
  return { strategy: { id, version: strategy.version }, from: f, to: t, costCurrency: strategy.costCurrency, variants };
}
