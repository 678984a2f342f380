import { describe, expect, it } from 'vitest';
import { ageAccount, compileAgingPolicy, defaultBucketScheme, loadDefaultAgingPolicy } from './index.ts';

describe('loadDefaultAgingPolicy', () => {
  it('loads the shipped default and compiles it for aging', async () => {
    const doc = await loadDefaultAgingPolicy();
    expect(doc.id).toBe('default-aging');
    const policy = compileAgingPolicy(doc, 'CNY');
    expect(policy).toEqual({ toleranceMinor: 1000n, graceDays: 3, buckets: defaultBucketScheme });
    // 10.00 CNY short is within tolerance; 10.01 is not.
    const statement = { statementDate: 100, dueDate: 120, minimumDueMinor: 30_000n, closingBalanceMinor: 60_000n };
    expect(ageAccount([statement], [{ postedOn: 110, amountMinor: 29_000n }], 130, policy).daysPastDue).toBe(0);
    expect(ageAccount([statement], [{ postedOn: 110, amountMinor: 28_999n }], 130, policy).daysPastDue).toBe(10);
  });
});
