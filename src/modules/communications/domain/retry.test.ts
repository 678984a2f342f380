import { describe, expect, it } from 'vitest';
import { seededRng } from '../../../kernel/rng.ts';
import { afterTransientFailure } from './retry.ts';
import { TokenBucket } from './rate-limit.ts';

describe('retries', () => {
  const policy = { maxAttempts: 5, backoffBaseMs: 1_000, backoffMaxMs: 6_000 };
  it('back off exponentially with jitter in [0.5, 1), capped, and stop at the limit', () => {
    const rng = seededRng(1);
    const delays = [1, 2, 3, 4].map((n) => afterTransientFailure(policy, n, 0, rng));
    const bounds = [[500, 1_000], [1_000, 2_000], [2_000, 4_000], [3_000, 6_000]];
    delays.forEach((d, i) => {
      expect(d.kind).toBe('retry');
      if (d.kind === 'retry') {
        expect(d.delayMs).toBeGreaterThanOrEqual(bounds[i]![0]!);
        expect(d.delayMs).toBeLessThanOrEqual(bounds[i]![1]!);
        expect(d.at).toBe(d.delayMs);
      }
    });
    expect(afterTransientFailure(policy, 5, 0, rng)).toEqual({ kind: 'dead' });
    expect(() => afterTransientFailure(policy, 0, 0, rng)).toThrow();
  });
  it('the same seed gives the same delays', () => {
    const a = [1, 2, 3].map((n) => afterTransientFailure(policy, n, 0, seededRng(42)));
    const b = [1, 2, 3].map((n) => afterTransientFailure(policy, n, 0, seededRng(42)));
    expect(a).toEqual(b);
  });
});

describe('token bucket', () => {
  it('lets a burst go, then one token per 1/rate seconds', () => {
    const bucket = new TokenBucket(10, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 100, 200]);
    expect(bucket.take(1_000)).toBe(0); // refilled (capped at the burst)
    expect(bucket.take(1_000)).toBe(0);
    expect(bucket.take(1_000)).toBe(100);
    expect(() => new TokenBucket(0, 1, 0)).toThrow();
  });
});
