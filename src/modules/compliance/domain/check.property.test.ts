/**
 * Property: whatever sequence of contacts is proposed, the contacts the gate allows never exceed a cap
 * in any window (CN-02, CN-03 per local day; US-02 per 7 consecutive local days; US-03 cooldown), and
 * never fall outside the local window in any of the debtor's zones.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { shippedPackSet, type PackSet } from '../pack-loader.service.ts';
import { check } from './check.ts';
import { localDay, localMinute } from './local-time.ts';
import type { DebtorSnapshot, HistoryEntry, ProposedContact } from './snapshot.ts';
import { OUTCOMES, type Outcome } from './vocabulary.ts';

let packs: PackSet;
beforeAll(async () => {
  packs = await shippedPackSet();
});

const NUMBERS = ['13800138000', '13900139002'];
const START = Date.parse('2026-06-01T00:00:00Z');

// Mostly dense bursts (so caps are reached every day), sometimes long gaps (so windows roll over).
const proposal = fc.record({
  gapMinutes: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 20 }), weight: 8 }, { arbitrary: fc.integer({ min: 0, max: 1_500 }), weight: 1 }),
  number: fc.constantFrom(...NUMBERS),
  robot: fc.boolean(),
  actor: fc.constantFrom('bank', 'agency:A', 'agency:B', 'robot'),
  outcome: fc.oneof(
    { arbitrary: fc.constantFrom<Outcome>('no_answer', 'busy', 'voicemail', 'rejected', 'powered_off'), weight: 3 },
    { arbitrary: fc.constant<Outcome>('connected_right_party'), weight: 2 },
    { arbitrary: fc.constantFrom(...OUTCOMES.filter((o) => o !== 'delivered' && o !== 'bounced')), weight: 1 },
  ),
});

function simulate(packId: string, zones: readonly string[], steps: { gapMinutes: number; number: string; robot: boolean; actor: string; outcome: Outcome }[]): HistoryEntry[] {
  const history: HistoryEntry[] = [];
  const snapshot: DebtorSnapshot = {
    customerId: 'c', timeZones: zones, flags: [], optOuts: [], consents: [],
    destinations: NUMBERS.map((value) => ({ value, role: 'debtor' as const, verified: true, source: 'application_form' })),
    history,
  };
  let t = START;
  for (const [i, s] of steps.entries()) {
    t += s.gapMinutes * 60_000;
    const pack = packs.select(packId, t)!;
    const kind = s.actor.split(':')[0] as 'bank' | 'agency' | 'robot';
    const contact: ProposedContact = {
      id: String(i), at: t, channel: s.robot ? 'voice_robot' : 'voice_agent', actor: { kind, id: s.actor.split(':')[1] ?? null, text: s.actor },
      party: 'debtor', destination: s.number, accountId: null, content: null,
    };
    const v = check(pack, contact, snapshot, t);
    if (v.decision === 'allow') history.push({ at: t, channel: contact.channel, destination: s.number, party: 'debtor', actor: kind, outcome: s.outcome, accountId: null });
  }
  return history;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1);
  return m;
}

describe('no sequence of allowed contacts exceeds a cap', () => {
  it('cn: ≤ 6 unanswered per number per local day, ≤ 3 connected per debtor per local day, all inside 08:00–22:00', () => {
    fc.assert(fc.property(fc.array(proposal, { minLength: 60, maxLength: 400, size: 'max' }), fc.constantFrom(['Asia/Shanghai'], ['Asia/Shanghai', 'Europe/London'], ['America/Los_Angeles']), (steps, zones) => {
      const allowed = simulate('cn', zones, steps);
      const unanswered = new Set<Outcome>(['no_answer', 'busy', 'rejected', 'powered_off', 'voicemail']);
      for (const zone of zones) {
        for (const [, n] of countBy(allowed.filter((h) => unanswered.has(h.outcome)), (h) => `${h.destination}/${localDay(zone, h.at)}`)) expect(n).toBeLessThanOrEqual(6);
        for (const [, n] of countBy(allowed.filter((h) => h.outcome === 'connected_right_party'), (h) => String(localDay(zone, h.at)))) expect(n).toBeLessThanOrEqual(3);
        for (const h of allowed) {
          const m = localMinute(zone, h.at);
          expect(m >= 480 && m < 1320).toBe(true);
        }
      }
    }), { numRuns: 60 });
  });

  it('us-regf: ≤ 7 counted calls in any 7 consecutive local days, and none within 7 days after a conversation', () => {
    fc.assert(fc.property(fc.array(proposal.map((p) => ({ ...p, robot: false, outcome: p.outcome === 'connected_right_party' && p.gapMinutes % 5 !== 0 ? ('no_answer' as Outcome) : p.outcome })), { minLength: 60, maxLength: 400, size: 'max' }), fc.constantFrom(['America/New_York'], ['America/New_York', 'America/Los_Angeles']), (steps, zones) => {
      const allowed = simulate('us-regf', zones, steps);
      const counted = new Set<Outcome>(['connected_right_party', 'connected_third_party', 'no_answer', 'voicemail', 'rejected']);
      for (const zone of zones) {
        const days = allowed.filter((h) => counted.has(h.outcome)).map((h) => localDay(zone, h.at));
        for (const end of new Set(days)) expect(days.filter((d) => d > end - 7 && d <= end).length).toBeLessThanOrEqual(7);
        for (const talk of allowed.filter((h) => h.outcome === 'connected_right_party')) {
          const after = allowed.filter((h) => h.at > talk.at && localDay(zone, h.at) < localDay(zone, talk.at) + 7);
          expect(after).toEqual([]);
        }
      }
    }), { numRuns: 60 });
  });

  it('a deferred contact is allowed at its until (the until is a real opening)', () => {
    fc.assert(fc.property(fc.array(proposal, { minLength: 30, maxLength: 200, size: 'max' }), fc.integer({ min: 0, max: 14 * 24 * 60 }), (steps, offset) => {
      const history = simulate('cn', ['Asia/Shanghai', 'Europe/London'], steps);
      const at = START + offset * 60_000;
      const pack = packs.select('cn', at)!;
      const snapshot: DebtorSnapshot = {
        customerId: 'c', timeZones: ['Asia/Shanghai', 'Europe/London'], flags: [], optOuts: [], consents: [], history,
        destinations: NUMBERS.map((value) => ({ value, role: 'debtor' as const, verified: true, source: 'application_form' })),
      };
      const contact: ProposedContact = { id: 'p', at, channel: 'voice_agent', actor: { kind: 'bank', id: null, text: 'bank' }, party: 'debtor', destination: NUMBERS[0]!, accountId: null, content: null };
      const v = check(pack, contact, snapshot, at);
      if (v.decision === 'defer') {
        expect(v.until).toBeGreaterThan(at);
        expect(check(pack, { ...contact, at: v.until! }, snapshot, v.until!).decision).toBe('allow');
      }
    }), { numRuns: 60 });
  });
});
