/**
 * Use cases of the arrangements core: record a promise to pay or a repayment plan (idempotent by key),
 * judge every open promise and instalment as of a business date (set-based), and read the states the
 * strategy segments on. Settings (tolerance, grace, when a plan breaks) are data:
 * policies/arrangements/default.json.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { inTransaction } from '../../db/index.ts';
import { formatPlainDate, parsePlainDate, type EpochDay } from '../../kernel/dates.ts';
import { formatAmount, parseAmount } from '../../kernel/money.ts';
import { err, ok, type Result } from '../../kernel/result.ts';
import { findAccount } from '../portfolio/index.ts';
import { instalmentSchedule } from './domain/schedule.ts';
import * as repo from './arrangements.repository.ts';
import { arrangementSettingsSchema, tolerancesIn, type ArrangementSettings, type RecordPlanCommand, type RecordPromiseCommand, recordPlanSchema } from './arrangements.schema.ts';

export type RecordError =
  | 'account_not_found' | 'amount_invalid' | 'promise_already_active' | 'promised_date_invalid' | 'plan_already_active'
  | 'plan_term_exceeds_limit' | 'first_due_before_start' | 'instalments_too_small' | 'idempotency_key_reused';

const settingsUrl = new URL('../../../policies/arrangements/default.json', import.meta.url);

/** The shipped settings; an invalid file is a packaging bug, so it throws. */
export async function loadDefaultArrangementSettings(): Promise<ArrangementSettings> {
  const parsed = arrangementSettingsSchema.safeParse(JSON.parse(await readFile(settingsUrl, 'utf8')));
  if (!parsed.success) throw new Error(`${settingsUrl.pathname}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return Object.freeze(parsed.data);
}

function inputHash(input: object): string {
  const canonical = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]))
    : v);
  return createHash('sha256').update(JSON.stringify(canonical(input))).digest('hex');
}

const isUniqueViolation = (e: unknown, index: string) => (e as { code?: string; constraint?: string }).code === '23505' && (e as { constraint?: string }).constraint === index;

/**
 * Records a promise to pay. Same idempotency key and input → the original promise; same key with a
 * different input → `idempotency_key_reused`. One open promise per account.
 */
export async function recordPromise(pool: pg.Pool, settings: ArrangementSettings, cmd: RecordPromiseCommand, today: EpochDay): Promise<Result<{ promiseId: number; replayed: boolean }, RecordError>> {
  const { idempotencyKey, ...input } = cmd;
  const createdOn = cmd.createdOn ?? formatPlainDate(today);
  const hash = inputHash({ ...input, createdOn });
  if (idempotencyKey) {
    const prior = await repo.findPromiseByKey(pool, idempotencyKey);
    if (prior) return prior.inputHash === hash ? ok({ promiseId: prior.promiseId, replayed: true }) : err('idempotency_key_reused', `idempotency key ${JSON.stringify(idempotencyKey)} was used for a different promise (#${prior.promiseId})`);
  }
  const account = await findAccount(pool, cmd.accountId);
  if (!account) return err('account_not_found', `account ${cmd.accountId} does not exist`);
  const amount = parseAmount(cmd.amount, account.currency);
  if (!amount.ok) return err('amount_invalid', `amount ${cmd.amount}: ${amount.message}`, { field: 'amount' });
  const made = parsePlainDate(createdOn)!;
  const promised = parsePlainDate(cmd.promisedOn)!;
  if (promised < made) return err('promised_date_invalid', `promised date ${cmd.promisedOn} is before the day the promise was made (${createdOn})`, { field: 'promisedOn' });
  if (promised - made > settings.promise.daysAheadMax) {
    return err('promised_date_invalid', `promised date ${cmd.promisedOn} is more than ${settings.promise.daysAheadMax} days after ${createdOn} (settings: promise.daysAheadMax); agree a repayment plan instead`, { field: 'promisedOn' });
  }
  try {
    const promiseId = await repo.insertPromise(pool, {
      accountId: account.account_id, customerId: account.customer_id, currency: account.currency, amountMinor: amount.value, createdOn, promisedOn: cmd.promisedOn,
      channel: cmd.channel ?? null, note: cmd.note ?? null, recordedBy: cmd.recordedBy, idempotencyKey: idempotencyKey ?? null, inputHash: hash,
    });
    return ok({ promiseId, replayed: false });
  } catch (e) {
    if (isUniqueViolation(e, 'promises_to_pay_one_active')) return err('promise_already_active', `account ${cmd.accountId} already has an open promise to pay`);
    if (idempotencyKey && isUniqueViolation(e, 'promises_to_pay_idempotency_key_key')) return recordPromise(pool, settings, cmd, today);
    throw e;
  }
}

/**
 * Records an instalment plan: the total split into equal instalments (remainder on the last), due every
 * `everyMonths` from `firstDueOn`; payments from `startsOn` count toward it. The term is capped by the
 * settings (CN-09: 60 months). An open promise on the account is cancelled (the plan supersedes it).
 */
export async function recordPlan(pool: pg.Pool, settings: ArrangementSettings, command: RecordPlanCommand, today: EpochDay): Promise<Result<{ planId: number; replayed: boolean; currency: string; instalments: { seq: number; dueOn: string; amountMinor: bigint; amount: string }[] }, RecordError>> {
  const cmd = recordPlanSchema.parse(command);
  const { idempotencyKey, ...input } = cmd;
  const startsOn = cmd.startsOn ?? formatPlainDate(today);
  const hash = inputHash({ ...input, startsOn });
  if (idempotencyKey) {
    const prior = await repo.findPlanByKey(pool, idempotencyKey);
    if (prior) {
      if (prior.inputHash !== hash) return err('idempotency_key_reused', `idempotency key ${JSON.stringify(idempotencyKey)} was used for a different plan (#${prior.planId})`);
      const listing = await pool.query<{ seq: number; due_on: string; amount_minor: bigint; currency: string }>(
        'select i.seq, i.due_on, i.amount_minor, p.currency from plan_instalments i join repayment_plans p on p.plan_id = i.plan_id where i.plan_id = $1 order by i.seq', [prior.planId]);
      const currency = listing.rows[0]!.currency;
      return ok({ planId: prior.planId, replayed: true, currency, instalments: listing.rows.map((r) => ({ seq: r.seq, dueOn: r.due_on, amountMinor: r.amount_minor, amount: formatAmount(r.amount_minor, currency) })) });
    }
  }
  const termMonths = cmd.instalments * cmd.everyMonths;
  if (termMonths > settings.plan.termMonthsMax) {
    return err('plan_term_exceeds_limit', `a plan of ${cmd.instalments} instalments every ${cmd.everyMonths} month(s) runs ${termMonths} months; the limit is ${settings.plan.termMonthsMax} (CN-09, 2011 Art. 70: a personalised instalment plan is at most 5 years)`, { field: 'instalments', rule: 'CN-09' });
  }
  const account = await findAccount(pool, cmd.accountId);
  if (!account) return err('account_not_found', `account ${cmd.accountId} does not exist`);
  const total = parseAmount(cmd.total, account.currency);
  if (!total.ok) return err('amount_invalid', `total ${cmd.total}: ${total.message}`, { field: 'total' });
  if (total.value < BigInt(cmd.instalments)) return err('instalments_too_small', `${cmd.total} cannot be split into ${cmd.instalments} instalments of at least one minor unit`, { field: 'instalments' });
  const start = parsePlainDate(startsOn)!;
  const firstDue = parsePlainDate(cmd.firstDueOn)!;
  if (firstDue < start) return err('first_due_before_start', `the first instalment (${cmd.firstDueOn}) is due before the plan starts (${startsOn})`, { field: 'firstDueOn' });
  const schedule = instalmentSchedule(total.value, cmd.instalments, firstDue, cmd.everyMonths);
  const instalments = schedule.map((i) => ({ seq: i.seq, dueOn: formatPlainDate(i.dueOn), amountMinor: i.amountMinor, amount: formatAmount(i.amountMinor, account.currency) }));
  try {
    const planId = await inTransaction(pool, (client) => repo.insertPlan(client, {
      accountId: account.account_id, customerId: account.customer_id, currency: account.currency, totalMinor: total.value, startsOn,
      interestReductionPercent: cmd.interestReductionPercent ?? null, terms: { everyMonths: cmd.everyMonths, termMonths }, note: cmd.note ?? null,
      recordedBy: cmd.recordedBy, idempotencyKey: idempotencyKey ?? null, inputHash: hash, instalments,
    }));
    return ok({ planId, replayed: false, currency: account.currency, instalments });
  } catch (e) {
    if (isUniqueViolation(e, 'repayment_plans_one_active')) return err('plan_already_active', `account ${cmd.accountId} already has an open repayment plan`);
    if (idempotencyKey && isUniqueViolation(e, 'repayment_plans_idempotency_key_key')) return recordPlan(pool, settings, command, today);
    throw e;
  }
}

export type EvaluationSummary = repo.EvaluationCounts & { asOf: string };

/**
 * Judges every open promise and instalment as of `asOf` in one transaction (the daily cycle's second
 * step). Idempotent: a date evaluated twice changes nothing the second time.
 */
export async function evaluateArrangements(pool: pg.Pool, settings: ArrangementSettings, asOf: EpochDay): Promise<Result<EvaluationSummary, 'invalid_settings'>> {
  const asOfText = formatPlainDate(asOf);
  return inTransaction(pool, async (client) => {
    // One evaluation at a time: two concurrent cycles must not judge the same rows twice.
    await client.query('select pg_advisory_xact_lock($1)', [7_301_998_010]);
    const currencies = await repo.openArrangementCurrencies(client);
    const t: repo.Tolerances = { currencies: [], promiseMinor: [], instalmentMinor: [] };
    for (const c of currencies) {
      const tol = tolerancesIn(settings, c);
      if (!tol.ok) return tol;
      t.currencies.push(c);
      t.promiseMinor.push(tol.value.promiseMinor);
      t.instalmentMinor.push(tol.value.instalmentMinor);
    }
    const counts = await repo.evaluateOpenArrangements(client, asOfText, t, {
      promiseGraceDays: settings.promise.graceDays, instalmentGraceDays: settings.instalment.graceDays, missedToBreak: settings.plan.missedInstalmentsToBreak,
    });
    return ok({ asOf: asOfText, ...counts });
  });
}

/** Open promise, open plan and kept/broken counts of many accounts (bulk, for strategy snapshots). */
export function arrangementStates(db: pg.ClientBase | pg.Pool, accountIds: readonly string[]): Promise<Map<string, repo.ArrangementState>> {
  return repo.loadArrangementStates(db, accountIds);
}

export function accountArrangements(db: pg.ClientBase | pg.Pool, accountId: string): Promise<repo.ArrangementListing> {
  return repo.listAccountArrangements(db, accountId);
}
