/**
 * Aging policy documents (policies/aging/*.json): tolerance, grace and bucket scheme as data.
 * Validation reports every problem with its JSON path so a policy author can fix a file in one pass.
 */
import { z } from 'zod';
import { assert } from '../../kernel/assert.ts';
import { parsePlainDate } from '../../kernel/dates.ts';
import { parseAmount, type AmountError, type CurrencyCode } from '../../kernel/money.ts';
import { err, ok, type Result } from '../../kernel/result.ts';
import type { AgingPolicy } from './domain/aging.ts';
import type { Bucket } from './domain/buckets.ts';

const bucketSchema = z.strictObject({
  name: z.string().min(1),
  minDays: z.int().min(0),
  maxDays: z.int().min(0).nullable(),
});

export const agingPolicyDocumentSchema = z.strictObject({
  id: z.string().min(1),
  version: z.int().min(1),
  description: z.string().optional(),
  effectiveFrom: z.string().refine((text) => parsePlainDate(text) !== null, 'must be a valid date "YYYY-MM-DD"'),
  // A decimal string, never a JSON number, so the amount is exact (minor digits are checked per currency).
  tolerance: z.string().regex(/^\d+(?:\.\d+)?$/, 'must be a non-negative decimal string such as "10.00"'),
  graceDays: z.int().min(0).max(60),
  buckets: z.array(bucketSchema).min(2),
});

export type AgingPolicyDocument = z.infer<typeof agingPolicyDocumentSchema>;

export interface PolicyIssue {
  /** JSONPath of the offending value, e.g. "$.buckets[2].minDays". */
  path: string;
  message: string;
}

export interface ValidateOptions {
  /** Currencies the policy will be compiled for; the tolerance must be exact in each of them. */
  currencies?: readonly CurrencyCode[];
}

/** Checks shape and meaning; on failure `details` is the PolicyIssue[] list. The accepted document is frozen. */
export function validateAgingPolicy(doc: unknown, options: ValidateOptions = {}): Result<AgingPolicyDocument, 'invalid_policy'> {
  const parsed = agingPolicyDocumentSchema.safeParse(doc);
  const issues = parsed.success
    ? [...bucketIssues(parsed.data.buckets), ...toleranceIssues(parsed.data.tolerance, options.currencies ?? [])]
    : parsed.error.issues.flatMap(zodIssue);
  if (!parsed.success || issues.length > 0) {
    return err('invalid_policy', issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), issues);
  }
  return ok(deepFreeze(parsed.data));
}

/** Semantic rules for a bucket list: contiguous from the current bucket 0..0 to an open-ended last one. */
function bucketIssues(buckets: readonly Bucket[]): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const at = (i: number, field?: string) => `$.buckets[${i}]${field ? '.' + field : ''}`;
  const first = buckets[0]!;
  if (first.minDays !== 0 || first.maxDays !== 0) issues.push({ path: at(0), message: 'the first bucket must be exactly 0..0 days (current)' });
  const seen = new Map<string, number>();
  buckets.forEach((bucket, i) => {
    const earlier = seen.get(bucket.name);
    if (earlier !== undefined) issues.push({ path: at(i, 'name'), message: `duplicate bucket name ${JSON.stringify(bucket.name)} (also $.buckets[${earlier}])` });
    else seen.set(bucket.name, i);
    if (bucket.maxDays !== null && bucket.maxDays < bucket.minDays) issues.push({ path: at(i, 'maxDays'), message: `maxDays ${bucket.maxDays} is below minDays ${bucket.minDays}` });
    const isLast = i === buckets.length - 1;
    if (isLast && bucket.maxDays !== null) issues.push({ path: at(i, 'maxDays'), message: 'the last bucket must be open-ended (maxDays null)' });
    if (!isLast && bucket.maxDays === null) issues.push({ path: at(i, 'maxDays'), message: 'only the last bucket may be open-ended' });
    if (i > 0) issues.push(...adjacencyIssues(buckets[i - 1]!, bucket, i));
  });
  return issues;
}

/** A bucket must start the day after the previous one ends: earlier is an overlap, later a gap. */
function adjacencyIssues(previous: Bucket, bucket: Bucket, i: number): PolicyIssue[] {
  if (previous.maxDays === null) return []; // already reported as a non-last open-ended bucket
  const expected = previous.maxDays + 1;
  if (bucket.minDays < expected) {
    return [{ path: `$.buckets[${i}].minDays`, message: `overlaps $.buckets[${i - 1}] (${previous.name} ends at ${previous.maxDays}); must be ${expected}` }];
  }
  if (bucket.minDays > expected) {
    return [{ path: `$.buckets[${i}].minDays`, message: `gap after $.buckets[${i - 1}] (${previous.name} ends at ${previous.maxDays}); must be ${expected}` }];
  }
  return [];
}

/**
 * The tolerance in minor units of `currency`. Trailing zeros are dropped first so that one document
 * ("10.00") serves currencies with fewer minor digits (10 JPY); a non-zero extra digit is still an error.
 */
function toleranceMinorOf(tolerance: string, currency: CurrencyCode): Result<bigint, AmountError> {
  return parseAmount(tolerance.includes('.') ? tolerance.replace(/\.?0+$/, '') : tolerance, currency);
}

function toleranceIssues(tolerance: string, currencies: readonly CurrencyCode[]): PolicyIssue[] {
  return currencies.flatMap((currency) => {
    const parsed = toleranceMinorOf(tolerance, currency);
    return parsed.ok ? [] : [{ path: '$.tolerance', message: `${parsed.message} (${parsed.code})` }];
  });
}

function zodIssue(issue: z.core.$ZodIssue): PolicyIssue[] {
  // Zod reports unknown keys on the parent object; point at each key instead so typos are easy to find.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: jsonPath([...issue.path, key]), message: 'unknown field' }));
  }
  return [{ path: jsonPath(issue.path), message: issue.message }];
}

function jsonPath(path: readonly PropertyKey[]): string {
  return '$' + path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const compiled = new WeakMap<AgingPolicyDocument, Map<CurrencyCode, AgingPolicy>>();

/**
 * The aging policy of a validated document for accounts in `currency`, cached per document and currency
 * because the bulk job asks once per account. Throws if the tolerance is not exact in the currency:
 * validate with `currencies` first so that is caught as an operating error.
 */
export function compileAgingPolicy(doc: AgingPolicyDocument, currency: CurrencyCode): AgingPolicy {
  let byCurrency = compiled.get(doc);
  if (!byCurrency) compiled.set(doc, (byCurrency = new Map()));
  let policy = byCurrency.get(currency);
  if (!policy) {
    const tolerance = toleranceMinorOf(doc.tolerance, currency);
    assert(tolerance.ok, `aging policy ${doc.id} v${doc.version}: tolerance ${doc.tolerance} is not valid in ${currency}: ${tolerance.ok ? '' : tolerance.message}`);
    policy = Object.freeze({
      toleranceMinor: tolerance.value,
      graceDays: doc.graceDays,
      buckets: Object.freeze(doc.buckets.map((b) => Object.freeze({ name: b.name, minDays: b.minDays, maxDays: b.maxDays }))),
    });
    byCurrency.set(currency, policy);
  }
  return policy;
}
