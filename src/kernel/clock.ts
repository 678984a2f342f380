/** Time comes from an injected Clock; domain code never reads the system clock itself. */
import { epochDayOf, type EpochDay } from './dates.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(instant: Date): Clock {
  return { now: () => new Date(instant.getTime()) };
}

/** Today's business date in an IANA time zone. */
export function todayIn(clock: Clock, timeZone: string): EpochDay {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(clock.now());
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return epochDayOf(get('year'), get('month'), get('day'));
}
