/**
 * Which case a collector gets next: the work item's own priority (the strategy's), a bonus for a due
 * callback (it must come back on time), and urgency as today's contact window runs out. A case whose
 * window is closed now is not offered at all (it cannot be worked now).
 */
export interface PrioritySettings {
  /** Added to a due callback, so that it comes before ordinary work. */
  callbackBonus: number;
  /** Within this many minutes of the window closing, urgency rises linearly … */
  urgencyLastMinutes: number;
  /** … up to this many points at the close. */
  urgencyBonusMax: number;
}

export interface Candidate {
  workItemId: number;
  kind: string;
  priority: number;
  notBefore: number;
}

/** The contact window the case's contact needs, right now (null: the kind needs no contact). */
export interface CandidateWindow { open: boolean; closesAt: number | null }

/** The score a candidate is offered by, or null when it cannot be worked now. */
export function effectivePriority(c: Candidate, window: CandidateWindow | null, s: PrioritySettings, now: number): number | null {
  if (window && !window.open) return null;
  let score = c.priority;
  if (c.kind === 'callback') score += s.callbackBonus;
  if (window && window.closesAt !== null && s.urgencyLastMinutes > 0) {
    const minutesLeft = Math.max(0, (window.closesAt - now) / 60_000);
    if (minutesLeft < s.urgencyLastMinutes) score += Math.ceil(s.urgencyBonusMax * (1 - minutesLeft / s.urgencyLastMinutes));
  }
  return score;
}

/** Candidates in the order they are offered: score, then the longest waiting, then the oldest item. */
export function rankCandidates<C extends Candidate>(candidates: readonly C[], windowOf: (c: C) => CandidateWindow | null, s: PrioritySettings, now: number): { candidate: C; score: number }[] {
  const ranked: { candidate: C; score: number }[] = [];
  for (const c of candidates) {
    const score = effectivePriority(c, windowOf(c), s, now);
    if (score !== null) ranked.push({ candidate: c, score });
  }
  return ranked.sort((a, b) => b.score - a.score || a.candidate.notBefore - b.candidate.notBefore || a.candidate.workItemId - b.candidate.workItemId);
}
