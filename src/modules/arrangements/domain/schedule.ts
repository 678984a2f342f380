/**
 * Instalment schedules in exact money: a total split into equal instalments of whole minor units,
 * the remainder on the last one, due every N months from the first due date (month ends clamped).
 */
import { assert } from '../../../kernel/assert.ts';
import { addMonths, type EpochDay } from '../../../kernel/dates.ts';

export interface Instalment {
  seq: number;
  dueOn: EpochDay;
  amountMinor: bigint;
}

export function instalmentSchedule(totalMinor: bigint, count: number, firstDueOn: EpochDay, everyMonths: number): Instalment[] {
  assert(totalMinor > 0n, 'an instalment plan needs a positive total');
  assert(Number.isInteger(count) && count >= 1, 'an instalment plan needs at least one instalment');
  assert(Number.isInteger(everyMonths) && everyMonths >= 1, 'instalments are at least a month apart');
  assert(totalMinor >= BigInt(count), 'every instalment must be at least one minor unit');
  const base = totalMinor / BigInt(count);
  const remainder = totalMinor - base * BigInt(count);
  const out: Instalment[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ seq: i + 1, dueOn: addMonths(firstDueOn, i * everyMonths), amountMinor: i === count - 1 ? base + remainder : base });
  }
  return out;
}
