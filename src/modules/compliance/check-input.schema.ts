/**
 * The self-contained check line (NDJSON for `recourse compliance check`, JSON for POST
 * /compliance/check) → the domain's ProposedContact and DebtorSnapshot, and a verdict → its output
 * line. Destinations are normalised the same way on both sides.
 */
import { parseClock } from './domain/local-time.ts';
import type { Verdict } from './domain/check.ts';
import { normalizeDestination, type ContactContent, type DebtorSnapshot, type Flag, type ProposedContact } from './domain/snapshot.ts';
import { parseActor, type FlagKind } from './domain/vocabulary.ts';
import type { CheckLine } from './compliance.schema.ts';
import { z } from 'zod';
import type { contentInputSchema } from './compliance.schema.ts';

export function toContent(input: z.infer<typeof contentInputSchema> | undefined): ContactContent | null {
  if (input === undefined) return null;
  if (typeof input === 'string') return { text: input, templateId: null, purpose: 'collection', slots: null, firstCommunication: false };
  return {
    text: input.text ?? null, templateId: input.templateId ?? null, purpose: input.purpose, slots: input.slots ?? null, firstCommunication: input.firstCommunication,
  };
}

const ms = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));

export function toProposedContact(line: CheckLine): ProposedContact {
  return {
    id: line.id, at: Date.parse(line.at), channel: line.channel, actor: parseActor(line.actor)!, party: line.party,
    destination: normalizeDestination(line.destination), accountId: line.accountId ?? null, content: toContent(line.content),
  };
}

export function toSnapshot(line: CheckLine): DebtorSnapshot {
  const d = line.debtor;
  const flags: Flag[] = d.flags.map((f) => (typeof f === 'string'
    ? { kind: f as FlagKind, since: null, until: null, extended: false, responded: false, accountId: null }
    : { kind: f.kind as FlagKind, since: ms(f.since), until: ms(f.until), extended: f.extended ?? false, responded: f.responded ?? false, accountId: f.accountId ?? null }));
  return {
    customerId: null,
    timeZones: d.timeZones ?? (d.timeZone ? [d.timeZone] : []),
    destinations: d.destinations.map((x) => ({ value: normalizeDestination(x.value), role: x.role, verified: x.verified, source: x.source ?? null })),
    flags,
    optOuts: d.optOuts.map((o) => ({ channel: o.channel, destination: o.destination === undefined ? null : normalizeDestination(o.destination) })),
    consents: d.consents.map((c) => ({
      id: c.id ?? null, kind: c.kind, channel: c.channel, validFrom: ms(c.validFrom), validUntil: Date.parse(c.validUntil),
      window: c.window ? { startMinute: parseClock(c.window.start)!, endMinute: parseClock(c.window.end)! } : null,
      destination: c.destination === undefined ? null : normalizeDestination(c.destination),
    })),
    history: line.history.map((h) => ({
      at: Date.parse(h.at), channel: h.channel, destination: normalizeDestination(h.destination), party: h.party,
      actor: parseActor(h.actor)!.kind, outcome: h.outcome, accountId: h.accountId ?? null,
    })),
  };
}

export interface VerdictLine { id: string; decision: Verdict['decision']; until?: string; rules: string[] }

/** The compact output line: `{"id", "decision", "until"?, "rules": [...]}` (rule ids, first-fired order, no repeats). */
export function verdictLine(v: Verdict): VerdictLine {
  const rules = [...new Set(v.rules.map((r) => r.ruleId))];
  return v.until === null ? { id: v.id, decision: v.decision, rules } : { id: v.id, decision: v.decision, until: new Date(v.until).toISOString(), rules };
}

/** The full verdict as JSON: instants as ISO strings. */
export function verdictJson(v: Verdict) {
  return {
    id: v.id, decision: v.decision, until: v.until === null ? null : new Date(v.until).toISOString(),
    at: new Date(v.at).toISOString(), checkedAt: new Date(v.checkedAt).toISOString(), pack: v.pack,
    rules: v.rules.map((r) => ({ ruleId: r.ruleId, effect: r.effect, code: r.code, until: r.until === null ? null : new Date(r.until).toISOString(), message: r.message, ...(r.details ? { details: r.details } : {}) })),
    context: {
      timeZones: v.context.timeZones, contentChecked: v.context.contentChecked,
      unreachable: v.context.unreachable && {
        ...v.context.unreachable,
        lastRightPartyContactAt: v.context.unreachable.lastRightPartyContactAt === null ? null : new Date(v.context.unreachable.lastRightPartyContactAt).toISOString(),
      },
    },
  };
}
