/**
 * Local wall-clock time in IANA zones, fast enough for the hot loop: the UTC offset of a zone is
 * computed with Intl once per UTC hour and cached. An hour whose start and end offsets differ holds a
 * transition (DST) and is never cached: every instant in it is computed exactly.
 */
import { assert } from '../../../kernel/assert.ts';
import { epochDayOf, type EpochDay } from '../../../kernel/dates.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
const CACHE_HOURS_MAX = 200_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

export function isTimeZone(name: string): boolean {
  try {
    formatterOf(name);
    return true;
  } catch {
    return false;
  }
}

function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Offset (local − UTC) in minutes at an instant, exactly, via Intl. */
function exactOffsetMinutes(zone: string, at: number): number {
  const parts = formatterOf(zone).formatToParts(new Date(at));
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of parts) {
    if (p.type === 'year') y = Number(p.value);
    else if (p.type === 'month') mo = Number(p.value);
    else if (p.type === 'day') d = Number(p.value);
    else if (p.type === 'hour') h = Number(p.value);
    else if (p.type === 'minute') mi = Number(p.value);
    else if (p.type === 'second') s = Number(p.value);
  }
  const localAsUtc = epochDayOf(y, mo, d) * DAY_MS + h * HOUR_MS + mi * MINUTE_MS + s * 1000;
  const atSeconds = Math.floor(at / 1000) * 1000;
  return Math.round((localAsUtc - atSeconds) / MINUTE_MS);
}

/** Offset (local − UTC) in minutes at an instant. */
export function offsetMinutes(zone: string, at: number): number {
  let byHour = offsetCache.get(zone);
  if (!byHour) offsetCache.set(zone, (byHour = new Map()));
  const hour = Math.floor(at / HOUR_MS);
  const cached = byHour.get(hour);
  if (cached !== undefined) return cached;
  const start = exactOffsetMinutes(zone, hour * HOUR_MS);
  const end = exactOffsetMinutes(zone, (hour + 1) * HOUR_MS - 1000);
  if (start !== end) return exactOffsetMinutes(zone, at); // a transition inside this hour
  if (byHour.size >= CACHE_HOURS_MAX) byHour.clear();
  byHour.set(hour, start);
  return start;
}

/** The local date (epoch day) of an instant in a zone. */
export function localDay(zone: string, at: number): EpochDay {
  return Math.floor((at + offsetMinutes(zone, at) * MINUTE_MS) / DAY_MS);
}

/** Minutes after local midnight of an instant in a zone (0–1439). */
export function localMinute(zone: string, at: number): number {
  const local = at + offsetMinutes(zone, at) * MINUTE_MS;
  return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / MINUTE_MS);
}

/** Local date and exact milliseconds after local midnight. */
export function localParts(zone: string, at: number): { day: EpochDay; msOfDay: number } {
  const local = at + offsetMinutes(zone, at) * MINUTE_MS;
  const day = Math.floor(local / DAY_MS);
  return { day, msOfDay: local - day * DAY_MS };
}

/**
 * The first instant at or after local `day` + `minute` in `zone`. A wall time skipped by a DST gap
 * resolves to the first valid instant after it; a repeated wall time to its earlier occurrence.
 */
export function instantAtLocal(zone: string, day: EpochDay, minute: number): number {
  assert(minute >= 0 && minute <= 1440, `minute ${minute} out of range`);
  const wall = day * DAY_MS + minute * MINUTE_MS;
  // Candidates: the wall time under the offsets in force around it; keep those that map back exactly.
  const offsets = new Set([offsetMinutes(zone, wall - DAY_MS / 2), offsetMinutes(zone, wall), offsetMinutes(zone, wall + DAY_MS / 2)]);
  let best: number | null = null;
  for (const o of offsets) {
    const candidate = wall - o * MINUTE_MS;
    if (candidate + offsetMinutes(zone, candidate) * MINUTE_MS === wall && (best === null || candidate < best)) best = candidate;
  }
  if (best !== null) return best;
  // In a gap: the transition instant is the first valid local time after the wall time.
  let lo = wall - Math.max(...offsets) * MINUTE_MS;
  let hi = wall - Math.min(...offsets) * MINUTE_MS;
  for (let i = 0; i < 40 && hi - lo > 1000; i++) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + offsetMinutes(zone, mid) * MINUTE_MS >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** "08:00" → 480; "24:00" → 1440. */
export function parseClock(text: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]), mi = Number(m[2]);
  if (mi > 59 || h > 24 || (h === 24 && mi !== 0)) return null;
  return h * 60 + mi;
}

export function formatClock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
