import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { effectivePriority, rankCandidates, type PrioritySettings } from './priority.ts';
import { checkRightParty, normaliseName } from './right-party.ts';
import { DELINQUENCY_REASONS, reasonCategory } from './vocabulary.ts';

const S: PrioritySettings = { callbackBonus: 1000, urgencyLastMinutes: 120, urgencyBonusMax: 20 };
const NOW = Date.parse('2026-06-30T12:00:00Z');
const minutes = (m: number) => NOW + m * 60_000;

describe('priority', () => {
  it('is the stored priority while plenty of the window is left, rising to the bonus at the close', () => {
    const c = { workItemId: 1, kind: 'agent_call', priority: 50, notBefore: NOW };
    expect(effectivePriority(c, { open: true, closesAt: minutes(300) }, S, NOW)).toBe(50);
    expect(effectivePriority(c, { open: true, closesAt: minutes(120) }, S, NOW)).toBe(50);
    expect(effectivePriority(c, { open: true, closesAt: minutes(60) }, S, NOW)).toBe(60);
    expect(effectivePriority(c, { open: true, closesAt: minutes(1) }, S, NOW)).toBe(70);
    expect(effectivePriority(c, { open: false, closesAt: null }, S, NOW)).toBeNull();
    expect(effectivePriority({ ...c, kind: 'review' }, null, S, NOW)).toBe(50);
    expect(effectivePriority({ ...c, kind: 'callback' }, { open: true, closesAt: minutes(300) }, S, NOW)).toBe(1050);
  });

  it('ranks by score, then the longest waiting, then the oldest item; closed windows are left out', () => {
    const items = [
      { workItemId: 3, kind: 'agent_call', priority: 60, notBefore: minutes(-10) },
      { workItemId: 2, kind: 'agent_call', priority: 60, notBefore: minutes(-30) },
      { workItemId: 1, kind: 'agent_call', priority: 60, notBefore: minutes(-30) },
      { workItemId: 4, kind: 'agent_call', priority: 55, notBefore: minutes(-30) },
      { workItemId: 5, kind: 'agent_call', priority: 99, notBefore: minutes(-30) },
    ];
    const windows = new Map<number, { open: boolean; closesAt: number | null }>([[4, { open: true, closesAt: minutes(30) }], [5, { open: false, closesAt: null }]]);
    const ranked = rankCandidates(items, (c) => windows.get(c.workItemId) ?? { open: true, closesAt: minutes(600) }, S, NOW);
    expect(ranked.map((r) => r.candidate.workItemId)).toEqual([4, 1, 2, 3]);
  });

  it('never lowers a stored priority and never exceeds it by more than the bonuses (fast-check)', () => {
    fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 2000 }), fc.boolean(), (priority, left, callback) => {
      const score = effectivePriority({ workItemId: 1, kind: callback ? 'callback' : 'agent_call', priority, notBefore: NOW }, { open: true, closesAt: minutes(left) }, S, NOW)!;
      const base = priority + (callback ? S.callbackBonus : 0);
      expect(score).toBeGreaterThanOrEqual(base);
      expect(score).toBeLessThanOrEqual(base + S.urgencyBonusMax);
    }));
  });
});

describe('right-party check', () => {
  const stored = { name: '张伟', nationalIdLast4: '002X', nationalIdHmac: Buffer.from('aa', 'hex') };
  it.each([
    [{ name: '张伟', nationalIdLast4: '002X' }, true],
    [{ name: '张 伟', nationalIdLast4: '002x' }, true],
    [{ name: '张伟', nationalIdLast4: '0021' }, false],
    [{ name: '张三', nationalIdLast4: '002X' }, false],
    [{ name: '张伟' }, false],
    [{ name: '', nationalIdLast4: '002X' }, false],
    [{ name: '张伟', nationalIdHmac: Buffer.from('aa', 'hex') }, true],
    [{ name: '张伟', nationalIdHmac: Buffer.from('ab', 'hex') }, false],
  ])('%o → %s', (given, passed) => {
    expect(checkRightParty(stored, given).passed).toBe(passed);
  });

  it('fails when nothing is stored to compare with', () => {
    expect(checkRightParty({ name: 'Li Na', nationalIdLast4: null, nationalIdHmac: null }, { name: 'Li Na', nationalIdLast4: '1234' }).passed).toBe(false);
  });

  it('folds names: width, case, spaces and middle dots', () => {
    expect(normaliseName('Ｌｉ·Ｎａ')).toBe(normaliseName('li na'));
    expect(normaliseName('阿依古丽·买买提')).toBe('阿依古丽买买提');
  });
});

describe('delinquency reasons', () => {
  it('are subjective or objective', () => {
    expect(DELINQUENCY_REASONS.map((r) => [r, reasonCategory(r)])).toEqual([
      ['worse_finances', 'subjective'], ['unstable_income', 'subjective'], ['overspending', 'subjective'], ['forgot', 'subjective'],
      ['economic_shock', 'objective'], ['disaster', 'objective'], ['illness', 'objective'], ['accident', 'objective'],
    ]);
  });
});
