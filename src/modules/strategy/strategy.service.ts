/**
 * Use cases of the strategy module: read a document (JSON or YAML, with line numbers for errors),
 * validate it in three layers (shape, semantics, cross-policy against the compliance pack, the aging
 * buckets, the template catalog and the arrangement settings), publish it as an immutable version,
 * list, get, diff, find the version in effect on a date, and record collector-known circumstances.
 * An invalid document is never stored and never activates.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { LineCounter, parseDocument } from 'yaml';
import { inTransaction } from '../../db/index.ts';
import { parsePlainDate } from '../../kernel/dates.ts';
import { err, ok, type Result } from '../../kernel/result.ts';
import type { Pack, PackSet } from '../compliance/index.ts';
import { findAccount } from '../portfolio/index.ts';
import { compileStrategy, type CompiledStrategy } from './domain/compile.ts';
import { diffDocuments, type Change } from './domain/diff.ts';
import type { StrategyDocument } from './domain/document.ts';
import { DEFAULT_TEMPLATE_CATALOG, type TemplateCatalog } from './domain/template-catalog.ts';
import { formatPath, validateStrategy, type Issue, type PackFacts, type PathKey } from './domain/validate.ts';
import * as repo from './strategy.repository.ts';
import { shapeIssues } from './strategy.schema.ts';

/** What the document is checked against. */
export interface StrategyContext {
  packs: PackSet;
  /** The aging scheme's bucket names. */
  buckets: readonly string[];
  templates?: TemplateCatalog;
  /** Currencies of the portfolio (amounts in conditions must be exact in each); default CNY. */
  currencies?: readonly string[];
  /** Arrangement settings' plan.termMonthsMax (CN-09: 60). */
  planTermMonthsMax: number;
}

/** A problem with its path and, when the document came from a file, the line. */
export interface StrategyIssue { path: string; code: string; message: string; line: number | null }

export type StrategyError = 'invalid_strategy' | 'version_not_newer' | 'version_exists_with_different_content' | 'strategy_not_found';

/** A parsed document and how to find the line of a path in its source text. */
export interface SourceDocument { value: unknown; lineOf(path: readonly PathKey[]): number | null }

/** Parses JSON or YAML text (duplicate keys are errors); syntax errors come back as issues with lines. */
export function parseStrategyText(text: string): Result<SourceDocument, 'invalid_strategy'> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const issues: StrategyIssue[] = doc.errors.map((e) => ({ path: '$', code: 'syntax_error', message: e.message.split('\n')[0]!, line: lines.linePos(e.pos[0]).line }));
    return err('invalid_strategy', issues.map(issueText).join('; '), issues);
  }
  return ok({
    value: doc.toJS({ maxAliasCount: 0 }),
    lineOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node?.range) return lines.linePos(node.range[0]).line;
      }
      return null;
    },
  });
}

export const issueText = (i: StrategyIssue) => `${i.line !== null ? `line ${i.line}: ` : ''}${i.path}: ${i.message}`;

/** What validation reads of a compiled compliance pack. */
export function packFactsOf(pack: Pack): PackFacts {
  const windows: Record<string, PackFacts['windows'][string]> = {};
  for (const [channel, w] of Object.entries(pack.timeWindows.channels)) {
    if (w) windows[channel] = { workday: w.workday, restday: w.restday, holiday: w.holiday };
  }
  const dailyCaps = [pack.unansweredCap, pack.connectedCap].filter((c) => c !== null).map((c) => ({ ruleId: c!.ruleId, max: c!.max, channels: [...c!.channels] }));
  const rolling = pack.rollingCallCap;
  return {
    id: pack.id, version: pack.version, windows, dailyCaps,
    rollingCaps: rolling ? [{ ruleId: rolling.ruleId, max: rolling.max, days: rolling.days, channels: [...rolling.channels] }] : [],
    holds: Object.fromEntries(Object.entries(pack.holds).map(([flag, h]) => [flag, { ruleId: h!.ruleId, exceptPurposes: [...h!.exceptPurposes] }])),
    requiredText: pack.content.required.map((r) => ({ ruleId: r.ruleId, channels: [...r.channels], purposes: r.purposes ? [...r.purposes] : null, exceptPurposes: [...r.exceptPurposes] })),
  };
}

/** Shape, then semantics and cross-policy; every issue with its path (and line, given the source). */
export function validateStrategyDocument(value: unknown, ctx: StrategyContext, source?: SourceDocument): Result<StrategyDocument, 'invalid_strategy'> {
  const withLines = (issues: Issue[]): StrategyIssue[] => issues.map((i) => ({ path: formatPath(i.path), code: i.code, message: i.message, line: source?.lineOf(i.path) ?? null }));
  const shaped = shapeIssues(value);
  if ('issues' in shaped) {
    const issues = withLines(shaped.issues);
    return err('invalid_strategy', issues.map(issueText).join('; '), issues);
  }
  const doc = shaped.value;
  const at = Date.parse(`${doc.effectiveFrom}T12:00:00Z`);
  const pack = ctx.packs.ids().includes(doc.compliancePack) ? ctx.packs.select(doc.compliancePack, at) : null;
  const issues = withLines(validateStrategy(doc, {
    buckets: ctx.buckets, templates: ctx.templates ?? DEFAULT_TEMPLATE_CATALOG, pack: pack ? packFactsOf(pack) : null,
    currencies: ctx.currencies ?? ['CNY'], planTermMonthsMax: ctx.planTermMonthsMax,
  }));
  if (issues.length) return err('invalid_strategy', issues.map(issueText).join('; '), issues);
  return ok(deepFreeze(doc));
}

/** Reads, parses and validates a file. */
export async function validateStrategyFile(file: string, ctx: StrategyContext): Promise<Result<StrategyDocument, 'invalid_strategy'>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return err('invalid_strategy', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, [{ path: '$', code: 'unreadable', message: 'cannot read the file', line: null }]);
  }
  const parsed = parseStrategyText(text);
  if (!parsed.ok) return parsed;
  return validateStrategyDocument(parsed.value.value, ctx, parsed.value);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

export const documentDigest = (doc: StrategyDocument) => createHash('sha256').update(JSON.stringify(canonical(doc))).digest('hex');

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export interface Published { strategyId: string; version: number; digest: string; replayed: boolean }

/**
 * Publishes a validated document as version `version` of `id`. The same version again with the same
 * content is a no-op (replayed); with other content it is refused; a version must be newer than every
 * published version of the id.
 */
export async function publishStrategy(pool: pg.Pool, value: unknown, ctx: StrategyContext, by: string, source?: SourceDocument): Promise<Result<Published, StrategyError>> {
  const valid = validateStrategyDocument(value, ctx, source);
  if (!valid.ok) return valid;
  const doc = valid.value;
  const digest = documentDigest(doc);
  return inTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`strategy:${doc.id}`]);
    const latest = await repo.findVersion(client, doc.id, null);
    if (latest && latest.version === doc.version) {
      return latest.digest === digest ? ok({ strategyId: doc.id, version: doc.version, digest, replayed: true })
        : err('version_exists_with_different_content', `${doc.id} version ${doc.version} is already published with other content (digest ${latest.digest.slice(0, 12)}…): publish it as version ${latest.version + 1}`);
    }
    if (latest && latest.version > doc.version) {
      const same = await repo.findVersion(client, doc.id, doc.version);
      if (same?.digest === digest) return ok({ strategyId: doc.id, version: doc.version, digest, replayed: true });
      return err('version_not_newer', `${doc.id} version ${doc.version} is not newer than the published version ${latest.version}`);
    }
    await repo.insertVersion(client, { strategyId: doc.id, version: doc.version, effectiveFrom: doc.effectiveFrom, document: doc, digest, publishedBy: by });
    return ok({ strategyId: doc.id, version: doc.version, digest, replayed: false });
  });
}

export const listStrategies = (db: pg.ClientBase | pg.Pool) => repo.listVersions(db);

export async function getStrategy(db: pg.ClientBase | pg.Pool, id: string, version: number | null): Promise<Result<repo.StoredDocument, 'strategy_not_found'>> {
  const found = await repo.findVersion(db, id, version);
  return found ? ok(found) : err('strategy_not_found', `no published strategy ${id}${version === null ? '' : ` version ${version}`}`);
}

/** Changes from the published version (the latest, or `against`) of the document's id to the document. */
export async function diffStrategy(db: pg.ClientBase | pg.Pool, doc: StrategyDocument, against: number | null): Promise<Result<{ from: { id: string; version: number } | null; changes: Change[] }, 'strategy_not_found'>> {
  const base = await repo.findVersion(db, doc.id, against);
  if (!base && against !== null) return err('strategy_not_found', `no published strategy ${doc.id} version ${against}`);
  return ok({ from: base ? { id: base.strategyId, version: base.version } : null, changes: diffDocuments(base?.document ?? {}, doc) });
}

const shippedUrl = new URL('../../../policies/strategy/default.json', import.meta.url);

/** The shipped default strategy, parsed (not yet validated: that needs the context). */
export async function readShippedStrategy(): Promise<{ file: string; source: SourceDocument }> {
  const parsed = parseStrategyText(await readFile(shippedUrl, 'utf8'));
  if (!parsed.ok) throw new Error(`${shippedUrl.pathname}: ${parsed.message}`);
  return { file: shippedUrl.pathname, source: parsed.value };
}

export interface ActiveStrategy { strategy: CompiledStrategy; source: 'published' | 'shipped' }

const compiledCache = new Map<string, CompiledStrategy>();

/**
 * The strategy in effect on `asOf`: the published version with the latest effectiveFrom ≤ asOf, else
 * the shipped default. It is validated again against today's context (packs and overrides may have
 * narrowed since it was published): an invalid one does not run.
 */
export async function strategyInEffect(db: pg.ClientBase | pg.Pool, asOf: string, ctx: StrategyContext): Promise<Result<ActiveStrategy, 'invalid_strategy' | 'no_strategy_in_effect'>> {
  const stored = await repo.versionInEffect(db, asOf);
  let value: unknown;
  let source: 'published' | 'shipped';
  let sourceDoc: SourceDocument | undefined;
  if (stored) {
    value = stored.document;
    source = 'published';
  } else {
    const shipped = await readShippedStrategy();
    value = shipped.source.value;
    sourceDoc = shipped.source;
    source = 'shipped';
  }
  const valid = validateStrategyDocument(value, ctx, sourceDoc);
  if (!valid.ok) return err('invalid_strategy', `the ${source} strategy is not valid today: ${valid.message}`, valid.details);
  if (parsePlainDate(valid.value.effectiveFrom)! > parsePlainDate(asOf)!) return err('no_strategy_in_effect', `no strategy is in effect on ${asOf} (the shipped one starts ${valid.value.effectiveFrom})`);
  const key = `${valid.value.id}@${valid.value.version}:${documentDigest(valid.value)}`;
  let strategy = compiledCache.get(key);
  if (!strategy) compiledCache.set(key, (strategy = compileStrategy(valid.value)));
  return ok({ strategy, source });
}

// ── markers ────────────────────────────────────────────────────────────────────────────────────

export async function markAccount(pool: pg.Pool, accountId: string, change: repo.MarkerChange, by: string, note: string | null): Promise<Result<{ accountId: string }, 'account_not_found'>> {
  const account = await findAccount(pool, accountId);
  if (!account) return err('account_not_found', `account ${accountId} does not exist`);
  await inTransaction(pool, (client) => repo.writeMarkers(client, { accountId, customerId: account.customer_id }, change, by, note));
  return ok({ accountId });
}

export const accountMarkers = (db: pg.ClientBase | pg.Pool, accountId: string) => repo.readMarkers(db, accountId);
