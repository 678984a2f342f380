/**
 * Delinquency aging as of a business date: days past due, bucket, amount past due, balance and late
 * counts of one account, from its statements and payments. Pure and allocation-light because the bulk
 * job runs it once per account on millions of accounts.
 *
 * Model: each statement's minimum due is an obligation due on its due date. Payments are applied to
 * obligations oldest first, so an obligation's unpaid remainder is
 *   min(minimumDue, max(0, cumulative minimum dues up to and including it − cumulative payments)).
 * The tolerance only decides whether an obligation counts as met (for days past due and lateness); a
 * remainder within it is still owed and counts in the amount past due.
 */
import type { EpochDay } from '../../../kernel/dates.ts';
import { bucketOfDays, type BucketScheme } from './buckets.ts';

export interface Obligation {
  statementDate: EpochDay;
  dueDate: EpochDay;
  minimumDueMinor: bigint;
  closingBalanceMinor: bigint;
}

export interface Posting {
  postedOn: EpochDay;
  amountMinor: bigint;
}

export interface AgingPolicy {
  /**
   * An obligation whose remainder is at most this (容差) counts as met for days past due and lateness; the
   * remainder is still owed (see `overdueMinor`). Minor units of the account currency.
   */
  toleranceMinor: bigint;
  /** Days after the due date (容时) in which paying still counts as on time. */
  graceDays: number;
  buckets: BucketScheme;
}

export interface AgingResult {
  daysPastDue: number;
  bucket: string;
  /**
   * Amount past due: sum of the unpaid remainders of all obligations due before the as-of date, including
   * remainders within the tolerance (met obligations still owe them). Paying this on the as-of date makes
   * the account current.
   */
  overdueMinor: bigint;
  /** Closing balance of the latest statement less payments posted since; negative is a credit. */
  balanceMinor: bigint;
  lateCountCumulative: number;
  lateCountConsecutive: number;
  /** Due date of the oldest unmet obligation due before the as-of date (daysPastDue counts from it). */
  oldestUnpaidDueOn: EpochDay | null;
}

/** Ages one account as of `asOf`. Inputs may be in any order and are never mutated. */
export function ageAccount(
  statements: readonly Obligation[],
  payments: readonly Posting[],
  asOf: EpochDay,
  policy: AgingPolicy,
): AgingResult {
  const obligations = inObligationOrder(statements);
  const postings = inPostingOrder(payments);
  const paidByAsOf = sumPostedThrough(postings, asOf);
  const tolerance = policy.toleranceMinor;

  let cumulativeDue = 0n;
  let overdue = 0n;
  let oldestUnpaid: EpochDay | null = null;
  let latest: Obligation | null = null;
  // Payments posted by each judged obligation's grace cut-off. Cut-offs grow with the due date, so one
  // forward pointer over the sorted postings serves every obligation.
  let paidByCutoff = 0n;
  let nextPosting = 0;
  let lateCumulative = 0;
  let lateConsecutive = 0;

  for (const obligation of obligations) {
    if (obligation.statementDate > asOf) continue; // not issued yet as of the date
    if (latest === null || isLaterStatement(obligation, latest)) latest = obligation;
    cumulativeDue += obligation.minimumDueMinor;

    if (obligation.dueDate < asOf) {
      const remainder = remainderOf(obligation.minimumDueMinor, cumulativeDue, paidByAsOf);
      overdue += remainder; // owed even when within tolerance
      // Obligations arrive in due-date order, so the first unmet one is the oldest.
      if (remainder > tolerance && oldestUnpaid === null) oldestUnpaid = obligation.dueDate;
    }

    const cutoff = obligation.dueDate + policy.graceDays;
    if (cutoff < asOf) {
      // Judged: the grace period is over, so whether it was paid on time can no longer change.
      for (; nextPosting < postings.length && postings[nextPosting]!.postedOn <= cutoff; nextPosting++) {
        paidByCutoff += postings[nextPosting]!.amountMinor;
      }
      if (remainderOf(obligation.minimumDueMinor, cumulativeDue, paidByCutoff) > tolerance) {
        lateCumulative++;
        lateConsecutive++;
      } else {
        lateConsecutive = 0;
      }
    }
  }

  const daysPastDue = oldestUnpaid === null ? 0 : asOf - oldestUnpaid;
  return {
    daysPastDue,
    bucket: bucketOfDays(daysPastDue, policy.buckets),
    overdueMinor: overdue,
    balanceMinor: latest === null ? 0n : latest.closingBalanceMinor - sumPostedBetween(postings, latest.statementDate, asOf),
    lateCountCumulative: lateCumulative,
    lateCountConsecutive: lateConsecutive,
    oldestUnpaidDueOn: oldestUnpaid,
  };
}

/** Unpaid part of an obligation given the minimum dues up to and including it and the payments so far. */
function remainderOf(minimumDue: bigint, cumulativeDue: bigint, paid: bigint): bigint {
  const shortfall = cumulativeDue - paid;
  if (shortfall <= 0n) return 0n;
  return shortfall < minimumDue ? shortfall : minimumDue;
}

/** The statement that sets the balance: latest statement date; a later due date breaks ties deterministically. */
function isLaterStatement(a: Obligation, b: Obligation): boolean {
  return a.statementDate > b.statementDate || (a.statementDate === b.statementDate && a.dueDate > b.dueDate);
}

function compareObligations(a: Obligation, b: Obligation): number {
  return a.dueDate - b.dueDate || a.statementDate - b.statementDate;
}

/** Obligations oldest first. Host feeds are usually already sorted, so check before copying. */
function inObligationOrder(statements: readonly Obligation[]): readonly Obligation[] {
  for (let i = 1; i < statements.length; i++) {
    if (compareObligations(statements[i - 1]!, statements[i]!) > 0) return statements.slice().sort(compareObligations);
  }
  return statements;
}

/** Postings by posting date; copied and sorted only when not already in order. */
function inPostingOrder(payments: readonly Posting[]): readonly Posting[] {
  for (let i = 1; i < payments.length; i++) {
    if (payments[i - 1]!.postedOn > payments[i]!.postedOn) return payments.slice().sort((a, b) => a.postedOn - b.postedOn);
  }
  return payments;
}

/** Total of sorted postings with postedOn <= day. */
function sumPostedThrough(postings: readonly Posting[], day: EpochDay): bigint {
  let total = 0n;
  for (let i = 0; i < postings.length && postings[i]!.postedOn <= day; i++) total += postings[i]!.amountMinor;
  return total;
}

/** Total of sorted postings with after < postedOn <= through. */
function sumPostedBetween(postings: readonly Posting[], after: EpochDay, through: EpochDay): bigint {
  let total = 0n;
  for (let i = 0; i < postings.length && postings[i]!.postedOn <= through; i++) {
    if (postings[i]!.postedOn > after) total += postings[i]!.amountMinor;
  }
  return total;
}
