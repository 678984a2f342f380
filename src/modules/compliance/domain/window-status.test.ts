/** windowStatus: today's contact window in every zone (queues rank work by the time left in it). */
import { beforeAll, describe, expect, it } from 'vitest';
import { shippedPackSet, type PackSet } from '../pack-loader.service.ts';
import { windowStatus } from './check.ts';

let packs: PackSet;
beforeAll(async () => {
  packs = await shippedPackSet();
});
const at = (iso: string) => Date.parse(iso);
const cn = (iso: string) => packs.select('cn', at(iso))!;

describe('windowStatus', () => {
  it.each([
    ['10:00 Shanghai, a workday', '2026-06-30T02:00:00Z', true, '2026-06-30T14:00:00.000Z'],
    ['21:59:59', '2026-06-30T13:59:59Z', true, '2026-06-30T14:00:00.000Z'],
    ['22:00', '2026-06-30T14:00:00Z', false, null],
    ['07:59', '2026-06-29T23:59:00Z', false, null],
  ])('%s → open %s, closes %s', (_label, iso, open, closes) => {
    const w = windowStatus(cn(iso), 'voice_agent', ['Asia/Shanghai'], at(iso));
    expect(w).toEqual({ unrestricted: false, open, closesAt: closes === null ? null : at(closes) });
  });

  it('needs every zone open and closes with the first of them', () => {
    // 15:00 in Shanghai is 08:00 in London (summer): open in both; London closes at 22:00 local = 21:00Z.
    const w = windowStatus(cn('2026-06-30T07:00:00Z'), 'voice_agent', ['Asia/Shanghai', 'Europe/London'], at('2026-06-30T07:00:00Z'));
    expect(w).toEqual({ unrestricted: false, open: true, closesAt: at('2026-06-30T14:00:00Z') });
    expect(windowStatus(cn('2026-06-30T06:00:00Z'), 'voice_agent', ['Asia/Shanghai', 'Europe/London'], at('2026-06-30T06:00:00Z')).open).toBe(false);
  });

  it('says unrestricted for channels without a window (letters)', () => {
    expect(windowStatus(cn('2026-06-30T15:00:00Z'), 'letter', ['Asia/Shanghai'], at('2026-06-30T15:00:00Z'))).toEqual({ unrestricted: true, open: true, closesAt: null });
  });
});
