/**
 * A token bucket per provider: `ratePerSecond` tokens a second, at most `burst` saved up. Pure state
 * over a monotonic time in milliseconds the caller supplies; `take` says how long to wait before the
 * next send may go.
 */
import { assert } from '../../../kernel/assert.ts';

export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(readonly ratePerSecond: number, readonly burst: number, nowMs: number) {
    assert(ratePerSecond > 0 && burst >= 1, `a rate limit needs a positive rate and a burst of at least 1 (got ${ratePerSecond}/s, burst ${burst})`);
    this.#tokens = burst;
    this.#at = nowMs;
  }

  /** Takes one token; returns 0 when it may go now, else the milliseconds to wait (the token is reserved). */
  take(nowMs: number): number {
    if (nowMs > this.#at) {
      this.#tokens = Math.min(this.burst, this.#tokens + ((nowMs - this.#at) * this.ratePerSecond) / 1000);
      this.#at = nowMs;
    }
    this.#tokens -= 1;
    if (this.#tokens >= 0) return 0;
    return Math.ceil((-this.#tokens * 1000) / this.ratePerSecond);
  }
}
