/**
 * Lockout with backoff after repeated failed logins: from the 5th consecutive failure the account is
 * locked for 1 minute, doubling with each further failure up to 1 hour. A successful login (or an
 * admin's password reset) clears the count. Pure: the caller passes the time.
 */
export const LOCKOUT = { failuresBeforeLock: 5, firstLockSeconds: 60, lockSecondsMax: 3600 } as const;

/** The lock that follows the `failures`-th consecutive failure (null: not locked yet). */
export function lockAfterFailure(failures: number, now: Date): Date | null {
  if (!Number.isInteger(failures) || failures < 1) throw new Error(`failures must be a positive integer, not ${failures}`);
  if (failures < LOCKOUT.failuresBeforeLock) return null;
  const exponent = Math.min(failures - LOCKOUT.failuresBeforeLock, 30);
  const seconds = Math.min(LOCKOUT.firstLockSeconds * 2 ** exponent, LOCKOUT.lockSecondsMax);
  return new Date(now.getTime() + seconds * 1000);
}

/** Seconds until the lock ends (0 when not locked). */
export function lockedForSeconds(lockedUntil: Date | null, now: Date): number {
  if (lockedUntil === null) return 0;
  return Math.max(0, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
}
