/** Time comes from an injected Clock; domain code never reads the system clock itself. */
import { epochDayOf, type EpochDay } from './dates.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(instant: Date): Clock {
  return { now: () => new Date(instant.getTime()) };
}

/** A clock that reads `start` at the moment it is made and runs on in real time from there. */
export function clockStartingAt(start: Date, real: Clock = systemClock): Clock {
  const offset = start.getTime() - real.now().getTime();
  return { now: () => new Date(real.now().getTime() + offset) };
}

/** Today's business date in an IANA time zone. */
export function todayIn(clock: Clock, timeZone: string): EpochDay {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(clock.now());
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return epochDayOf(get('year'), get('month'), get('day'));
}
