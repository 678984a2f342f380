/**
 * Retries: exponential backoff with jitter, and when to stop. Pure; randomness from a seeded Rng.
 * Attempt n (1-based) that failed transiently waits base · 2^(n−1), capped at max, times a jitter in
 * [0.5, 1) so that dispatchers recovering together do not retry in lock-step; after `maxAttempts`
 * attempts the message is dead-lettered.
 */
import type { Rng } from '../../../kernel/rng.ts';
import { assert } from '../../../kernel/assert.ts';

export interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, backoffBaseMs: 30_000, backoffMaxMs: 3_600_000 };

export type RetryDecision = { kind: 'retry'; at: number; delayMs: number } | { kind: 'dead' };

export function afterTransientFailure(policy: RetryPolicy, attempts: number, now: number, rng: Rng): RetryDecision {
  assert(attempts >= 1, 'a failure comes after at least one attempt');
  if (attempts >= policy.maxAttempts) return { kind: 'dead' };
  const raw = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempts - 1));
  const delayMs = Math.max(1, Math.round(raw * (0.5 + rng.next() / 2)));
  return { kind: 'retry', at: now + delayMs, delayMs };
}
