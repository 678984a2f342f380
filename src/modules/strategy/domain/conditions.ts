/**
 * Conditions of a strategy document: `{all: […]}`, `{any: […]}`, `{not: …}` and leaves
 * `{fact, op, value}`. Three things happen to them, all before any account is seen:
 *  - validation (every leaf names a known fact, an operator its type allows, a value of its type);
 *  - compilation into closures (`test` for the daily cycle, `explain` recording the observed values);
 *  - analysis: each condition as a set of allowed values per fact in disjunctive normal form, so that
 *    validation can tell a condition that can never hold, two that overlap, or one covered by another.
 */
import { assert } from '../../../kernel/assert.ts';
import { formatAmount, parseAmount } from '../../../kernel/money.ts';
import { FACTS, type FactContext, type FactDefinition, type FactValue } from './facts.ts';

export const OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn'] as const;
export type Operator = (typeof OPERATORS)[number];
export type Scalar = number | string | boolean | null;

export interface LeafCondition { fact: string; op: Operator; value: Scalar | readonly Scalar[] }
export type Condition = { all: readonly Condition[] } | { any: readonly Condition[] } | { not: Condition } | LeafCondition;

export type PathKey = string | number;
export interface Issue { path: PathKey[]; code: string; message: string }

export interface ConditionContext {
  /** The aging scheme's bucket names (values of the `bucket` fact). */
  buckets: readonly string[];
}

const ORDERED: ReadonlySet<Operator> = new Set(['lt', 'lte', 'gt', 'gte']);
const OPS_BY_TYPE: Record<FactDefinition['type'], readonly Operator[]> = {
  int: OPERATORS, number: OPERATORS, money: OPERATORS, enum: ['eq', 'ne', 'in', 'notIn'], boolean: ['eq', 'ne'],
};
/** Longest list in an `in` / `notIn`. */
const LIST_MAX = 100;
const MONEY = /^-?\d{1,17}(?:\.\d{1,4})?$/;

export function isLeaf(c: Condition): c is LeafCondition {
  return 'fact' in c;
}

function enumValues(def: FactDefinition, ctx: ConditionContext): readonly string[] {
  return def.values === 'buckets' ? ctx.buckets : (def.values ?? []);
}

// ── validation ─────────────────────────────────────────────────────────────────────────────────

/** Every problem of a condition tree, each with its path (relative to `path`). */
export function validateCondition(c: Condition, path: PathKey[], ctx: ConditionContext): Issue[] {
  if ('all' in c) return c.all.flatMap((child, i) => validateCondition(child, [...path, 'all', i], ctx));
  if ('any' in c) return c.any.flatMap((child, i) => validateCondition(child, [...path, 'any', i], ctx));
  if ('not' in c) return validateCondition(c.not, [...path, 'not'], ctx);
  const def = FACTS.get(c.fact);
  if (!def) return [{ path: [...path, 'fact'], code: 'unknown_fact', message: `unknown fact ${JSON.stringify(c.fact)} (known: ${[...FACTS.keys()].join(', ')})` }];
  if (!OPS_BY_TYPE[def.type].includes(c.op)) {
    return [{ path: [...path, 'op'], code: 'operator_not_allowed', message: `${c.fact} is ${def.type === 'enum' ? 'one of a list of values' : `a ${def.type}`}: use ${OPS_BY_TYPE[def.type].join(', ')}, not ${c.op}` }];
  }
  if (c.op === 'in' || c.op === 'notIn') {
    if (!Array.isArray(c.value)) return [{ path: [...path, 'value'], code: 'invalid_value', message: `${c.op} takes a list of values` }];
    if (c.value.length === 0 || c.value.length > LIST_MAX) return [{ path: [...path, 'value'], code: 'invalid_value', message: `${c.op} takes 1 to ${LIST_MAX} values` }];
    return c.value.flatMap((v, i) => scalarIssues(def, v, c.op, [...path, 'value', i], ctx));
  }
  if (Array.isArray(c.value)) return [{ path: [...path, 'value'], code: 'invalid_value', message: `${c.op} takes one value, not a list (use in)` }];
  return scalarIssues(def, c.value as Scalar, c.op, [...path, 'value'], ctx);
}

function scalarIssues(def: FactDefinition, v: Scalar, op: Operator, path: PathKey[], ctx: ConditionContext): Issue[] {
  const bad = (message: string): Issue[] => [{ path, code: 'invalid_value', message: `${def.name}: ${message}` }];
  if (v === null) {
    if (ORDERED.has(op)) return bad(`${op} cannot compare with null`);
    return def.nullable ? [] : bad('is never null');
  }
  switch (def.type) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? [] : bad(`must be a whole number, got ${JSON.stringify(v)}`);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? [] : bad(`must be a number, got ${JSON.stringify(v)}`);
    case 'money':
      return typeof v === 'string' && MONEY.test(v) ? [] : bad(`must be an exact decimal string such as "5000.00", got ${JSON.stringify(v)}`);
    case 'boolean':
      return typeof v === 'boolean' ? [] : bad(`must be true or false, got ${JSON.stringify(v)}`);
    case 'enum': {
      const values = enumValues(def, ctx);
      return typeof v === 'string' && values.includes(v) ? [] : bad(`must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
    }
  }
}

/** Facts a condition reads. */
export function factsOf(c: Condition | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (n: Condition) => {
    if ('all' in n) n.all.forEach(walk);
    else if ('any' in n) n.any.forEach(walk);
    else if ('not' in n) walk(n.not);
    else out.add(n.fact);
  };
  if (c) walk(c);
  return out;
}

// ── compilation ────────────────────────────────────────────────────────────────────────────────

export type Predicate = (c: FactContext) => boolean;

export type Explained =
  | { kind: 'all' | 'any'; held: boolean; children: Explained[] }
  | { kind: 'not'; held: boolean; child: Explained }
  | { kind: 'leaf'; fact: string; op: Operator; expected: Scalar | readonly Scalar[]; observed: Scalar; held: boolean };

export interface CompiledCondition {
  test: Predicate;
  /** The same evaluation, recording each leaf's observed value (explain; not for the hot loop). */
  explain(c: FactContext): Explained;
}

export const ALWAYS: CompiledCondition = Object.freeze({ test: () => true, explain: () => ({ kind: 'all', held: true, children: [] }) as Explained });

/** Money as minor units of `currency`; trailing zeros dropped so "10.00" serves JPY too. */
function moneyIn(text: string, currency: string): bigint {
  const trimmed = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  const parsed = parseAmount(trimmed, currency, { allowNegative: true });
  assert(parsed.ok, `amount ${text} is not exact in ${currency}: validate the strategy against the portfolio's currencies first`);
  return parsed.value;
}

function constantOf(def: FactDefinition, v: Scalar, currency: string): FactValue {
  if (v === null) return null;
  return def.type === 'money' ? moneyIn(v as string, currency) : v;
}

function displayOf(def: FactDefinition, v: FactValue, currency: string): Scalar {
  if (typeof v === 'bigint') return def.type === 'money' ? formatAmount(v, currency) : v.toString();
  return v;
}

function leafTest(def: FactDefinition, op: Operator, value: LeafCondition['value'], currency: string): Predicate {
  const get = def.get;
  if (op === 'in' || op === 'notIn') {
    const set = new Set((value as readonly Scalar[]).map((v) => constantOf(def, v, currency)));
    return op === 'in' ? (c) => set.has(get(c)) : (c) => !set.has(get(c));
  }
  const k = constantOf(def, value as Scalar, currency);
  switch (op) {
    case 'eq': return (c) => get(c) === k;
    case 'ne': return (c) => get(c) !== k;
    // Null never compares (a nullable fact without a value holds no ordered comparison).
    case 'lt': return (c) => { const x = get(c); return x !== null && (x as number) < (k as number); };
    case 'lte': return (c) => { const x = get(c); return x !== null && (x as number) <= (k as number); };
    case 'gt': return (c) => { const x = get(c); return x !== null && (x as number) > (k as number); };
    case 'gte': return (c) => { const x = get(c); return x !== null && (x as number) >= (k as number); };
  }
}

/** Compiles a validated condition for accounts in `currency` (money constants become minor units once). */
export function compileCondition(c: Condition | undefined, currency: string): CompiledCondition {
  if (c === undefined) return ALWAYS;
  if ('all' in c || 'any' in c) {
    const isAll = 'all' in c;
    const children = (isAll ? (c as { all: readonly Condition[] }).all : (c as { any: readonly Condition[] }).any).map((x) => compileCondition(x, currency));
    const tests = children.map((x) => x.test);
    const test: Predicate = tests.length === 1 ? tests[0]!
      : tests.length === 2 ? (isAll ? (x) => tests[0]!(x) && tests[1]!(x) : (x) => tests[0]!(x) || tests[1]!(x))
      : isAll ? (x) => { for (const t of tests) if (!t(x)) return false; return true; }
      : (x) => { for (const t of tests) if (t(x)) return true; return false; };
    return {
      test,
      explain(x) {
        const explained = children.map((ch) => ch.explain(x));
        return { kind: isAll ? 'all' : 'any', held: isAll ? explained.every((e) => e.held) : explained.some((e) => e.held), children: explained };
      },
    };
  }
  if ('not' in c) {
    const inner = compileCondition(c.not, currency);
    return { test: (x) => !inner.test(x), explain: (x) => { const child = inner.explain(x); return { kind: 'not', held: !child.held, child }; } };
  }
  const def = FACTS.get(c.fact);
  assert(def, `unknown fact ${c.fact}: validate the strategy first`);
  const test = leafTest(def, c.op, c.value, currency);
  return {
    test,
    explain: (x) => ({ kind: 'leaf', fact: c.fact, op: c.op, expected: c.value, observed: displayOf(def, def.get(x), currency), held: test(x) }),
  };
}

// ── analysis ───────────────────────────────────────────────────────────────────────────────────

interface Range { lo: number; loIn: boolean; hi: number; hiIn: boolean }
/** Allowed values of a numeric fact: a union of ranges (normalised: sorted, disjoint) and maybe null. */
interface NumDomain { kind: 'num'; integer: boolean; ranges: Range[]; hasNull: boolean }
/** Allowed values of an enum or boolean fact (null as NULL_KEY). */
interface SetDomain { kind: 'set'; values: ReadonlySet<string> }
export type Domain = NumDomain | SetDomain;
/** A conjunction: per fact, the values it allows (facts not named allow everything). */
export type Clause = ReadonlyMap<string, Domain>;

const NULL_KEY = '\u0000null';
/** Largest disjunctive normal form analysed; beyond it validation asks for a simpler condition. */
export const DNF_CLAUSES_MAX = 512;

const keyOf = (v: Scalar): string => (v === null ? NULL_KEY : String(v));
const numOf = (def: FactDefinition, v: Scalar): number => (def.type === 'money' ? Number(v as string) : (v as number));

function universe(def: FactDefinition, ctx: ConditionContext): Domain {
  if (def.type === 'enum' || def.type === 'boolean') {
    const values = def.type === 'boolean' ? ['true', 'false'] : [...enumValues(def, ctx)];
    if (def.nullable) values.push(NULL_KEY);
    return { kind: 'set', values: new Set(values) };
  }
  return normalise({ kind: 'num', integer: def.type === 'int', ranges: [{ lo: def.min ?? -Infinity, loIn: def.min !== undefined, hi: Infinity, hiIn: false }], hasNull: def.nullable });
}

function normalise(d: NumDomain): NumDomain {
  const ranges: Range[] = [];
  for (const r0 of d.ranges) {
    let r = { ...r0 };
    if (d.integer) {
      // Whole numbers: open bounds become the next whole number in.
      if (Number.isFinite(r.lo)) r = { ...r, lo: r.loIn ? Math.ceil(r.lo) : Math.floor(r.lo) + 1, loIn: true };
      if (Number.isFinite(r.hi)) r = { ...r, hi: r.hiIn ? Math.floor(r.hi) : Math.ceil(r.hi) - 1, hiIn: true };
    }
    if (r.lo > r.hi || (r.lo === r.hi && !(r.loIn && r.hiIn))) continue;
    ranges.push(r);
  }
  ranges.sort((a, b) => a.lo - b.lo || Number(b.loIn) - Number(a.loIn));
  const merged: Range[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    const touches = last && (r.lo < last.hi || (r.lo === last.hi && (r.loIn || last.hiIn)) || (d.integer && r.lo === last.hi + 1));
    if (last && touches) {
      if (r.hi > last.hi || (r.hi === last.hi && r.hiIn)) merged[merged.length - 1] = { ...last, hi: r.hi, hiIn: r.hiIn };
    } else merged.push(r);
  }
  return { ...d, ranges: merged };
}

function intersect(a: Domain, b: Domain): Domain {
  if (a.kind === 'set' && b.kind === 'set') return { kind: 'set', values: new Set([...a.values].filter((v) => b.values.has(v))) };
  assert(a.kind === 'num' && b.kind === 'num', 'one fact has one domain kind');
  const ranges: Range[] = [];
  for (const x of a.ranges) {
    for (const y of b.ranges) {
      const lo = Math.max(x.lo, y.lo);
      const hi = Math.min(x.hi, y.hi);
      const loIn = (x.lo === lo ? x.loIn : true) && (y.lo === lo ? y.loIn : true);
      const hiIn = (x.hi === hi ? x.hiIn : true) && (y.hi === hi ? y.hiIn : true);
      ranges.push({ lo, loIn, hi, hiIn });
    }
  }
  return normalise({ kind: 'num', integer: a.integer, ranges, hasNull: a.hasNull && b.hasNull });
}

function complement(d: Domain, u: Domain): Domain {
  if (d.kind === 'set' && u.kind === 'set') return { kind: 'set', values: new Set([...u.values].filter((v) => !d.values.has(v))) };
  assert(d.kind === 'num' && u.kind === 'num', 'one fact has one domain kind');
  const gaps: Range[] = [];
  let lo = -Infinity;
  let loIn = false;
  for (const r of d.ranges) {
    gaps.push({ lo, loIn, hi: r.lo, hiIn: !r.loIn });
    lo = r.hi;
    loIn = !r.hiIn;
  }
  gaps.push({ lo, loIn, hi: Infinity, hiIn: false });
  return intersect(normalise({ kind: 'num', integer: d.integer, ranges: gaps, hasNull: !d.hasNull }), u);
}

function isEmpty(d: Domain): boolean {
  return d.kind === 'set' ? d.values.size === 0 : d.ranges.length === 0 && !d.hasNull;
}

function isSubset(a: Domain, b: Domain): boolean {
  if (a.kind === 'set' && b.kind === 'set') return [...a.values].every((v) => b.values.has(v));
  assert(a.kind === 'num' && b.kind === 'num', 'one fact has one domain kind');
  if (a.hasNull && !b.hasNull) return false;
  return a.ranges.every((x) => b.ranges.some((y) =>
    (y.lo < x.lo || (y.lo === x.lo && (y.loIn || !x.loIn))) && (y.hi > x.hi || (y.hi === x.hi && (y.hiIn || !x.hiIn)))));
}

function leafDomain(c: LeafCondition, def: FactDefinition, ctx: ConditionContext): Domain {
  const u = universe(def, ctx);
  if (u.kind === 'set') {
    const listed = (c.op === 'in' || c.op === 'notIn' ? (c.value as readonly Scalar[]) : [c.value as Scalar]).map(keyOf);
    const d: SetDomain = { kind: 'set', values: new Set(listed) };
    return c.op === 'eq' || c.op === 'in' ? intersect(d, u) : complement(d, u);
  }
  const points = (values: readonly Scalar[]): NumDomain => ({
    kind: 'num', integer: u.integer, hasNull: values.includes(null),
    ranges: values.filter((v) => v !== null).map((v) => ({ lo: numOf(def, v), loIn: true, hi: numOf(def, v), hiIn: true })),
  });
  if (c.op === 'in' || c.op === 'eq') return intersect(normalise(points(c.op === 'in' ? (c.value as readonly Scalar[]) : [c.value as Scalar])), u);
  if (c.op === 'notIn' || c.op === 'ne') return complement(normalise(points(c.op === 'notIn' ? (c.value as readonly Scalar[]) : [c.value as Scalar])), u);
  const v = numOf(def, c.value as Scalar);
  const range: Range = c.op === 'lt' ? { lo: -Infinity, loIn: false, hi: v, hiIn: false }
    : c.op === 'lte' ? { lo: -Infinity, loIn: false, hi: v, hiIn: true }
    : c.op === 'gt' ? { lo: v, loIn: false, hi: Infinity, hiIn: false }
    : { lo: v, loIn: true, hi: Infinity, hiIn: false };
  return intersect(normalise({ kind: 'num', integer: u.integer, ranges: [range], hasNull: false }), u);
}

export class TooComplex extends Error {}

function merge(a: Clause, b: Clause): Clause | null {
  const out = new Map(a);
  for (const [fact, d] of b) {
    const prior = out.get(fact);
    const next = prior ? intersect(prior, d) : d;
    if (isEmpty(next)) return null;
    out.set(fact, next);
  }
  return out;
}

/**
 * The satisfiable clauses of a validated condition (undefined: always true → one empty clause).
 * Negations are pushed to the leaves as complements, so null-valued facts keep their meaning.
 * Throws TooComplex beyond DNF_CLAUSES_MAX clauses.
 */
export function toDnf(c: Condition | undefined, ctx: ConditionContext, negate = false): Clause[] {
  if (c === undefined) return negate ? [] : [new Map()];
  if ('not' in c) return toDnf(c.not, ctx, !negate);
  if (isLeaf(c)) {
    const def = FACTS.get(c.fact);
    assert(def, `unknown fact ${c.fact}`);
    let d = leafDomain(c, def, ctx);
    if (negate) d = complement(d, universe(def, ctx));
    return isEmpty(d) ? [] : [new Map([[c.fact, d]])];
  }
  const children = 'all' in c ? c.all : c.any;
  const conjunction = ('all' in c) !== negate;
  if (!conjunction) {
    const out = children.flatMap((ch) => toDnf(ch, ctx, negate));
    if (out.length > DNF_CLAUSES_MAX) throw new TooComplex();
    return out;
  }
  let acc: Clause[] = [new Map()];
  for (const ch of children) {
    const next: Clause[] = [];
    for (const a of acc) for (const b of toDnf(ch, ctx, negate)) {
      const m = merge(a, b);
      if (m) next.push(m);
      if (next.length > DNF_CLAUSES_MAX) throw new TooComplex();
    }
    acc = next;
  }
  return acc;
}

/** Some account satisfies both. */
export function overlaps(a: readonly Clause[], b: readonly Clause[]): boolean {
  return a.some((x) => b.some((y) => merge(x, y) !== null));
}

/** Both hold for some account: the clause they share. */
export function conjoin(a: readonly Clause[], b: readonly Clause[]): Clause[] {
  const out: Clause[] = [];
  for (const x of a) for (const y of b) {
    const m = merge(x, y);
    if (m) out.push(m);
  }
  return out;
}

/** Every account satisfying `a` satisfies `b` (a sufficient test: each clause of a inside one clause of b). */
export function covers(b: readonly Clause[], a: readonly Clause[], ctx: ConditionContext): boolean {
  return a.every((x) => b.some((y) => [...y].every(([fact, dy]) => {
    const dx = x.get(fact) ?? universe(FACTS.get(fact)!, ctx);
    return isSubset(dx, dy);
  })));
}

/** Every account satisfying the clauses has `fact` = true (e.g. a segment only for hardship cases). */
export function impliesTrue(clauses: readonly Clause[], fact: string): boolean {
  return clauses.length > 0 && clauses.every((c) => {
    const d = c.get(fact);
    return d !== undefined && d.kind === 'set' && d.values.size === 1 && d.values.has('true');
  });
}
