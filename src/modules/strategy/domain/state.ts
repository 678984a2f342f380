/**
 * Where an account stands in the strategy, as the daily cycle keeps it between days: status, segment,
 * ladder, stage (entered when), the treatments carried out in that stage (how many, last when), the
 * start of the delinquency episode and how often it cured. Stored packed in one text column (a million
 * of them are read and written each day):
 *
 *   1|status|segment|ladder|stage|stageEnteredOn|collectionsSince|cures|treatment:count:lastOn,…
 *
 * Ids are [a-z0-9-] (the document schema), so none of them can contain a separator.
 */
import { assert } from '../../../kernel/assert.ts';
import type { EpochDay } from '../../../kernel/dates.ts';

export const STATUSES = ['active', 'paused', 'plan', 'current'] as const;
/** active: in a ladder; paused: an open promise to pay; plan: plan monitoring; current: cured. */
export type Status = (typeof STATUSES)[number];

export interface TreatmentCount { id: string; count: number; lastOn: EpochDay }

export interface StrategyState {
  status: Status;
  segment: string | null;
  ladder: string | null;
  /** Null: in the ladder but waiting for its first stage's entry conditions. */
  stage: string | null;
  stageEnteredOn: EpochDay;
  collectionsSince: EpochDay;
  cures: number;
  /** Treatments carried out in the current stage (ordered by id). */
  treatments: readonly TreatmentCount[];
}

const CODE: Record<Status, string> = { active: 'a', paused: 'p', plan: 'l', current: 'c' };
const STATUS_OF: Record<string, Status> = { a: 'active', p: 'paused', l: 'plan', c: 'current' };

export function packState(s: StrategyState): string {
  let t = '';
  for (const x of s.treatments) t += `${t ? ',' : ''}${x.id}:${x.count}:${x.lastOn}`;
  return `1|${CODE[s.status]}|${s.segment ?? ''}|${s.ladder ?? ''}|${s.stage ?? ''}|${s.stageEnteredOn}|${s.collectionsSince}|${s.cures}|${t}`;
}

export function unpackState(text: string): StrategyState {
  const f = text.split('|');
  assert(f.length === 9 && f[0] === '1', `not a packed strategy state: ${JSON.stringify(text.slice(0, 80))}`);
  const status = STATUS_OF[f[1]!];
  assert(status, `unknown strategy status in ${JSON.stringify(text.slice(0, 80))}`);
  const treatments: TreatmentCount[] = [];
  if (f[8]) {
    for (const item of f[8].split(',')) {
      const [id, count, lastOn] = item.split(':');
      treatments.push({ id: id!, count: Number(count), lastOn: Number(lastOn) });
    }
  }
  return {
    status, segment: f[2] || null, ladder: f[3] || null, stage: f[4] || null,
    stageEnteredOn: Number(f[5]), collectionsSince: Number(f[6]), cures: Number(f[7]), treatments,
  };
}

/** The state after carrying out treatments `done` on `day` (counts raised, last day set). */
export function withTreatments(s: StrategyState, done: readonly string[], day: EpochDay): StrategyState {
  if (done.length === 0) return s;
  const byId = new Map(s.treatments.map((t) => [t.id, t]));
  for (const id of done) {
    const prior = byId.get(id);
    byId.set(id, { id, count: (prior?.count ?? 0) + 1, lastOn: day });
  }
  return { ...s, treatments: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}
