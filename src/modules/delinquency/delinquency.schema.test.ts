import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileAgingPolicy, validateAgingPolicy, type PolicyIssue } from './delinquency.schema.ts';
import { defaultBucketScheme } from './domain/buckets.ts';

const defaultDoc = JSON.parse(readFileSync(new URL('../../../policies/aging/default.json', import.meta.url), 'utf8'));
const clone = () => structuredClone(defaultDoc) as Record<string, unknown> & { buckets: Array<Record<string, unknown>> };

/** The issues of an invalid document (fails the test if the document is accepted). */
function issuesOf(doc: unknown, currencies?: string[]): PolicyIssue[] {
  const result = validateAgingPolicy(doc, currencies ? { currencies } : {});
  if (result.ok) throw new Error('expected the policy to be rejected');
  expect(result.code).toBe('invalid_policy');
  return result.details as PolicyIssue[];
}
const paths = (doc: unknown, currencies?: string[]) => issuesOf(doc, currencies).map((issue) => issue.path);

describe('validateAgingPolicy', () => {
  it('accepts the shipped default, whose buckets are the default scheme', () => {
    const result = validateAgingPolicy(defaultDoc, { currencies: ['CNY', 'USD', 'JPY'] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ id: 'default-aging', version: 1, effectiveFrom: '2020-01-01', tolerance: '10.00', graceDays: 3 });
    expect(result.value.buckets).toEqual(defaultBucketScheme);
  });

  it('reports overlapping buckets at the later bucket', () => {
    const doc = clone();
    doc.buckets[2]!.minDays = 30; // M1 ends at 30
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: '$.buckets[2].minDays', message: expect.stringMatching(/overlap/) });
  });

  it('reports a gap between buckets', () => {
    const doc = clone();
    doc.buckets[3]!.minDays = 65;
    const issues = issuesOf(doc);
    expect(issues).toEqual([{ path: '$.buckets[3].minDays', message: expect.stringMatching(/gap/) }]);
  });

  it('reports duplicate names at the second occurrence', () => {
    const doc = clone();
    doc.buckets[3]!.name = 'M1';
    expect(issuesOf(doc)).toEqual([{ path: '$.buckets[3].name', message: expect.stringMatching(/duplicate.*\$\.buckets\[1\]/) }]);
  });

  it('requires the first bucket to be exactly 0..0', () => {
    const doc = clone();
    doc.buckets[0]!.maxDays = 1;
    expect(paths(doc)).toContain('$.buckets[0]');
  });

  it('requires only the last bucket to be open-ended', () => {
    const closedLast = clone();
    closedLast.buckets[7]!.maxDays = 999;
    expect(paths(closedLast)).toEqual(['$.buckets[7].maxDays']);
    const openMiddle = clone();
    openMiddle.buckets[4]!.maxDays = null;
    expect(paths(openMiddle)).toEqual(['$.buckets[4].maxDays']);
  });

  it('rejects a bucket ending before it starts', () => {
    const doc = clone();
    doc.buckets[1]!.maxDays = 0;
    expect(paths(doc)).toContain('$.buckets[1].maxDays');
  });

  it('rejects a tolerance with more decimals than a target currency allows', () => {
    const doc = { ...clone(), tolerance: '10.001' };
    expect(issuesOf(doc, ['CNY'])).toEqual([{ path: '$.tolerance', message: expect.stringMatching(/too_many_decimals/) }]);
    expect(paths({ ...clone(), tolerance: '10.5' }, ['JPY'])).toEqual(['$.tolerance']);
    // Three decimals are exact in Bahraini dinar, and with no target currency only the form is checked.
    expect(validateAgingPolicy(doc, { currencies: ['BHD'] }).ok).toBe(true);
    expect(validateAgingPolicy(doc).ok).toBe(true);
  });

  it.each([
    ['tolerance', '-1.00', '$.tolerance'],
    ['tolerance', '1e1', '$.tolerance'],
    ['tolerance', 10, '$.tolerance'],
    ['graceDays', 61, '$.graceDays'],
    ['graceDays', -1, '$.graceDays'],
    ['graceDays', 1.5, '$.graceDays'],
    ['version', 0, '$.version'],
    ['effectiveFrom', '2021-02-29', '$.effectiveFrom'],
    ['effectiveFrom', '2021/01/01', '$.effectiveFrom'],
    ['id', '', '$.id'],
    ['buckets', [], '$.buckets'],
  ])('rejects %s = %j at %s', (field, value, path) => {
    expect(paths({ ...clone(), [field]: value })).toEqual([path]);
  });

  it('reports shape errors inside buckets and unknown fields with their paths', () => {
    const doc = clone();
    doc.buckets[1]!.minDays = '1';
    doc.gracedays = 3;
    expect(paths(doc).sort()).toEqual(['$.buckets[1].minDays', '$.gracedays']);
  });

  it('reports every semantic problem at once', () => {
    const doc = clone();
    doc.buckets[2]!.minDays = 30;
    doc.buckets[5]!.name = 'M2';
    doc.tolerance = '10.5';
    expect(paths(doc, ['JPY']).sort()).toEqual(['$.buckets[2].minDays', '$.buckets[5].name', '$.tolerance']);
  });
});

describe('compileAgingPolicy', () => {
  const valid = () => {
    const result = validateAgingPolicy(clone());
    if (!result.ok) throw new Error(result.message);
    return result.value;
  };

  it('converts the tolerance to minor units of each currency', () => {
    const doc = valid();
    expect(compileAgingPolicy(doc, 'CNY')).toEqual({ toleranceMinor: 1000n, graceDays: 3, buckets: defaultBucketScheme });
    expect(compileAgingPolicy(doc, 'BHD').toleranceMinor).toBe(10_000n);
    // "10.00" is exactly 10 yen: trailing zeros are not extra precision.
    expect(compileAgingPolicy(doc, 'JPY').toleranceMinor).toBe(10n);
    expect(compileAgingPolicy({ ...doc, tolerance: '10.000' }, 'CNY').toleranceMinor).toBe(1000n);
    expect(compileAgingPolicy({ ...doc, tolerance: '10' }, 'TWD').toleranceMinor).toBe(1000n);
  });

  it('caches per document and currency', () => {
    const doc = valid();
    expect(compileAgingPolicy(doc, 'CNY')).toBe(compileAgingPolicy(doc, 'CNY'));
    expect(compileAgingPolicy(doc, 'USD')).not.toBe(compileAgingPolicy(doc, 'CNY'));
  });

  it('refuses a tolerance that is not exact in the currency', () => {
    expect(() => compileAgingPolicy({ ...valid(), tolerance: '10.001' }, 'CNY')).toThrow(/10\.001/);
    expect(() => compileAgingPolicy({ ...valid(), tolerance: '10.50' }, 'JPY')).toThrow(/10\.50/);
    expect(() => compileAgingPolicy(valid(), 'XYZ')).toThrow(/XYZ/);
  });
});
