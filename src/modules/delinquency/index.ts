/** Public surface of the delinquency module: aging, buckets, roll rates and aging policies. */
import { readFile } from 'node:fs/promises';
import { validateAgingPolicy, type AgingPolicyDocument } from './delinquency.schema.ts';

export { ageAccount, type AgingPolicy, type AgingResult, type Obligation, type Posting } from './domain/aging.ts';
export {
  bucketIndex,
  bucketIndexOfDays,
  bucketNames,
  bucketOfCycles,
  bucketOfDays,
  defaultBucketScheme,
  type Bucket,
  type BucketScheme,
} from './domain/buckets.ts';
export {
  bucketDistribution,
  rollRateMatrix,
  type BucketMove,
  type BucketShare,
  type RollRateCell,
  type RollRateMatrix,
  type RollRateRow,
} from './domain/roll-rates.ts';
export {
  agingPolicyDocumentSchema,
  compileAgingPolicy,
  validateAgingPolicy,
  type AgingPolicyDocument,
  type PolicyIssue,
  type ValidateOptions,
} from './delinquency.schema.ts';

const defaultPolicyUrl = new URL('../../../policies/aging/default.json', import.meta.url);

/** Reads and validates the shipped default policy; an invalid file is a packaging bug, so it throws. */
export async function loadDefaultAgingPolicy(): Promise<AgingPolicyDocument> {
  const text = await readFile(defaultPolicyUrl, 'utf8');
  const result = validateAgingPolicy(JSON.parse(text));
  if (!result.ok) throw new Error(`${defaultPolicyUrl.pathname}: ${result.message}`);
  return result.value;
}
