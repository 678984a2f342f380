/**
 * Payments allocated to an arrangement's instalments (and a promise's amount): what was paid since the
 * arrangement started goes to the instalments in order, each filled before the next — the same reading
 * the daily cycle's evaluation uses (instalment k is met once the payments reach the first k
 * instalments' total). Exact, pure: nothing is created or lost (what exceeds the schedule is `beyond`).
 */
import { assert } from '../../../kernel/assert.ts';

export interface InstalmentAllocation { paidMinor: bigint[]; beyondMinor: bigint }

export function allocateToInstalments(paidMinor: bigint, amountsMinor: readonly bigint[]): InstalmentAllocation {
  assert(amountsMinor.every((a) => a > 0n), 'instalments are positive');
  let left = paidMinor > 0n ? paidMinor : 0n;
  const paid = amountsMinor.map((a) => {
    const take = left < a ? left : a;
    left -= take;
    return take;
  });
  return { paidMinor: paid, beyondMinor: left };
}
