/**
 * Business days for due dates: a due date on a rest day or a statutory holiday moves to the next
 * business day (a CN make-up workday 调休上班 counts as one). The calendar is injected (the compliance
 * pack's, from chinese-days for CN); a year the calendar has no data for falls back to weekdays.
 */
import type { EpochDay } from '../../../kernel/dates.ts';

export interface BusinessCalendar {
  /** The day kind, or null when the calendar has no data for that year. */
  dayKind(day: EpochDay): 'workday' | 'restday' | 'holiday' | null;
}

const isWeekend = (day: EpochDay) => {
  const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday === 0 || weekday === 6;
};

export function isBusinessDay(day: EpochDay, calendar: BusinessCalendar): boolean {
  const kind = calendar.dayKind(day);
  return kind === null ? !isWeekend(day) : kind === 'workday';
}

/** The day itself when it is a business day, else the first business day after it (within 30 days: no calendar closes longer). */
export function nextBusinessDay(day: EpochDay, calendar: BusinessCalendar): EpochDay {
  for (let d = day; d < day + 30; d++) if (isBusinessDay(d, calendar)) return d;
  return day;
}
