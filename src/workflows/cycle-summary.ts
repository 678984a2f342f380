/** The daily cycle's summary: merging the shards of a `--workers` run, and the text form. */
import type { CycleSummary } from './daily-cycle.workflow.ts';

const addCounts = (into: Record<string, number>, from: Record<string, number | undefined>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + (v ?? 0);
};

function mergeRules(lists: CycleSummary['blocked'][]): CycleSummary['blocked'] {
  const m = new Map<string, { rule: string; code: string; count: number }>();
  for (const l of lists) for (const r of l) {
    const k = `${r.rule} ${r.code}`;
    const prior = m.get(k);
    if (prior) prior.count += r.count;
    else m.set(k, { ...r });
  }
  return [...m.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
}

/** One summary for the shards of one date (the prepared steps are the same for all of them). */
export function mergeCycleSummaries(parts: readonly CycleSummary[]): CycleSummary {
  const first = parts[0]!;
  const segments = new Map<string, CycleSummary['segments'][number]>();
  for (const p of parts) for (const s of p.segments) {
    const k = `${s.segment}\u0000${s.stage}`;
    const prior = segments.get(k);
    if (prior) prior.accounts += s.accounts;
    else segments.set(k, { ...s });
  }
  const statuses = { active: 0, paused: 0, plan: 0, current: 0 };
  const transitions: Record<string, number> = {};
  const actions: Record<string, number> = {};
  const dropped = { compliance_block: 0, deferred_too_far: 0, no_contact_point: 0 };
  for (const p of parts) {
    addCounts(statuses, p.statuses);
    addCounts(transitions, p.transitions);
    addCounts(actions, p.actions);
    addCounts(dropped, p.dropped);
  }
  const sum = (f: (p: CycleSummary) => number) => parts.reduce((s, p) => s + f(p), 0);
  return {
    ...first,
    runId: first.runId,
    shard: { index: 0, count: first.shard.count },
    prepared: parts.some((p) => p.prepared === 'now') ? 'now' : 'earlier',
    accounts: sum((p) => p.accounts), statuses,
    segments: [...segments.values()].sort((a, b) => String(a.segment).localeCompare(String(b.segment)) || String(a.stage).localeCompare(String(b.stage))),
    transitions, treatmentsDue: sum((p) => p.treatmentsDue), gated: sum((p) => p.gated), actions, actionsCreated: sum((p) => p.actionsCreated),
    alreadyPresent: sum((p) => p.alreadyPresent), blocked: mergeRules(parts.map((p) => p.blocked)), deferred: mergeRules(parts.map((p) => p.deferred)),
    dropped, durationMs: Math.max(...parts.map((p) => p.durationMs)),
    timingsMs: {
      prepare: Math.max(...parts.map((p) => p.timingsMs.prepare)), decide: sum((p) => p.timingsMs.decide),
      gate: sum((p) => p.timingsMs.gate), apply: sum((p) => p.timingsMs.apply),
    },
  };
}

const n = (x: number) => x.toLocaleString('en');

export function formatCycleSummary(s: CycleSummary): string {
  const lines: string[] = [];
  lines.push(`cycle ${s.asOf} · strategy ${s.strategy.id} v${s.strategy.version} (${s.strategy.source}) · pack ${s.compliancePack} · ${s.shard.count > 1 ? `shard ${s.shard.index}/${s.shard.count}` : 'all shards'} · ${(s.durationMs / 1000).toFixed(1)} s`);
  const aging = s.aging as { accounts?: number; changed?: number };
  const arr = s.arrangements as { promisesKept?: number; promisesBroken?: number; instalmentsMet?: number; instalmentsMissed?: number; plansBroken?: number; plansCompleted?: number };
  lines.push(`  prepared ${s.prepared}: aged ${n(aging.accounts ?? 0)} accounts (${n(aging.changed ?? 0)} changed); promises kept ${arr.promisesKept ?? 0}, broken ${arr.promisesBroken ?? 0}; instalments met ${arr.instalmentsMet ?? 0}, missed ${arr.instalmentsMissed ?? 0}; plans broken ${arr.plansBroken ?? 0}, completed ${arr.plansCompleted ?? 0}`);
  lines.push(`  accounts decided ${n(s.accounts)} (active ${n(s.statuses.active)}, paused for a promise ${n(s.statuses.paused)}, plan monitoring ${n(s.statuses.plan)}, cured ${n(s.statuses.current)})`);
  if (s.segments.length) lines.push('  accounts per segment / stage:');
  for (const x of s.segments) lines.push(`    ${`${x.segment ?? '-'} / ${x.stage ?? '-'}`.padEnd(48)} ${n(x.accounts).padStart(10)}`);
  const actions = Object.entries(s.actions).sort(([a], [b]) => a.localeCompare(b));
  lines.push(`  actions per channel: ${actions.length ? actions.map(([k, v]) => `${k} ${n(v)}`).join(' · ') : 'none'}`);
  lines.push(`  treatments due ${n(s.treatmentsDue)}, put to the compliance gate ${n(s.gated)}; actionsCreated ${n(s.actionsCreated)} (already present ${n(s.alreadyPresent)})`);
  lines.push(`  blocked per rule: ${s.blocked.length ? s.blocked.map((r) => `${r.rule} ${r.code} ${n(r.count)}`).join(' · ') : 'none'}`);
  lines.push(`  deferred per rule: ${s.deferred.length ? s.deferred.map((r) => `${r.rule} ${r.code} ${n(r.count)}`).join(' · ') : 'none'}`);
  lines.push(`  dropped: compliance block ${n(s.dropped.compliance_block)} · deferred too far ${n(s.dropped.deferred_too_far)} · no contact point ${n(s.dropped.no_contact_point)}`);
  const t = s.timingsMs;
  lines.push(`  time: prepare ${(t.prepare / 1000).toFixed(1)} s · decide ${(t.decide / 1000).toFixed(1)} s · gate ${(t.gate / 1000).toFixed(1)} s · apply ${(t.apply / 1000).toFixed(1)} s (batches overlap)`);
  return lines.join('\n') + '\n';
}
