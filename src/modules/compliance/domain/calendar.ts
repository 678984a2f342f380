/**
 * Day kinds for contact windows: a `workday` (Monday–Friday, or a CN make-up workday 调休上班), a
 * `restday` (a weekend that is not a make-up workday) or a `holiday` (a statutory holiday). The data
 * comes from a maintained package (chinese-days) and is injected; this file only answers questions.
 */
import { formatPlainDate, type EpochDay } from '../../../kernel/dates.ts';

export const DAY_KINDS = ['workday', 'restday', 'holiday'] as const;
export type DayKind = (typeof DAY_KINDS)[number];

export interface HolidayCalendar {
  readonly id: string;
  /** The day kind, or null when the calendar has no data for that year (so it cannot tell). */
  dayKind(day: EpochDay): DayKind | null;
  /** Years the calendar knows, inclusive. */
  readonly coveredYears: { first: number; last: number } | null;
}

/** 1970-01-01 was a Thursday. */
export function isWeekend(day: EpochDay): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return weekday === 0 || weekday === 6;
}

/** Weekends are rest days, nothing is a holiday: for packs without a holiday calendar. */
export const weekdayCalendar: HolidayCalendar = {
  id: 'weekdays',
  coveredYears: null,
  dayKind: (day) => (isWeekend(day) ? 'restday' : 'workday'),
};

/** A calendar from lists of statutory holidays and make-up workdays ("YYYY-MM-DD"). */
export function calendarFromDates(id: string, holidays: Iterable<string>, makeUpWorkdays: Iterable<string>): HolidayCalendar {
  const holidaySet = new Set(holidays);
  const workdaySet = new Set(makeUpWorkdays);
  const years = [...holidaySet, ...workdaySet].map((d) => Number(d.slice(0, 4)));
  const coveredYears = years.length ? { first: Math.min(...years), last: Math.max(...years) } : null;
  const memo = new Map<EpochDay, DayKind | null>();
  return {
    id,
    coveredYears,
    dayKind(day) {
      let kind = memo.get(day);
      if (kind !== undefined) return kind;
      const text = formatPlainDate(day);
      const year = Number(text.slice(0, 4));
      if (!coveredYears || year < coveredYears.first || year > coveredYears.last) kind = null;
      else if (holidaySet.has(text)) kind = 'holiday';
      else if (workdaySet.has(text)) kind = 'workday';
      else kind = isWeekend(day) ? 'restday' : 'workday';
      memo.set(day, kind);
      return kind;
    },
  };
}
