/**
 * Loads the shipped packs (policies/compliance/*.json), the lexicon and any bank overrides, validates
 * them and compiles each once. The CN calendar comes from the maintained `chinese-days` package
 * (statutory holidays and make-up workdays).
 */
import { createRequire } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '../../kernel/result.ts';
import { calendarFromDates, weekdayCalendar, type HolidayCalendar } from './domain/calendar.ts';
import { compileLexicon, type CompiledLexicon } from './domain/content-lint.ts';
import { localDay } from './domain/local-time.ts';
import type { Pack } from './domain/pack.ts';
import type { OverrideDocument, PackDocument } from './compliance.schema.ts';
import { applyOverride, compilePack, validateLexiconDocument, validateOverrideDocument, validatePackDocument } from './pack.schema.ts';

export const DEFAULT_PACK_ID = 'cn';
const POLICY_DIR = fileURLToPath(new URL('../../../policies/compliance/', import.meta.url));
const LEXICON_FILE = 'lexicon.json';

let cnCalendar: HolidayCalendar | undefined;

/** Statutory holidays and make-up workdays of mainland China, from chinese-days. */
export function chineseCalendar(): HolidayCalendar {
  if (!cnCalendar) {
    const data = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
    cnCalendar = calendarFromDates('cn', Object.keys(data.holidays), Object.keys(data.workdays));
  }
  return cnCalendar;
}

export function calendarNamed(name: 'cn' | 'weekdays'): HolidayCalendar {
  return name === 'cn' ? chineseCalendar() : weekdayCalendar;
}

export interface PackSet {
  ids(): string[];
  /** The version of pack `id` in effect at instant `at` (its date in the pack's first zone), with overrides in effect then. */
  select(id: string, at: number): Pack | null;
  /** Every version of every pack, newest first per id. */
  documents(): readonly PackDocument[];
  lexicon: CompiledLexicon;
}

export interface LoadedFile { file: string; doc: unknown }

/** Builds a pack set from parsed documents (files named for error messages). */
export function buildPackSet(packFiles: readonly LoadedFile[], lexiconFile: LoadedFile, overrideFiles: readonly LoadedFile[] = []): Result<PackSet, 'invalid_policy' | 'override_widens_pack'> {
  const lex = validateLexiconDocument(lexiconFile.doc);
  if (!lex.ok) return err('invalid_policy', `${lexiconFile.file}: ${lex.message}`, lex.details);
  const lexicon = compileLexicon(lex.value);
  const docs: PackDocument[] = [];
  for (const f of packFiles) {
    const v = validatePackDocument(f.doc, lex.value);
    if (!v.ok) return err('invalid_policy', `${f.file}: ${v.message}`, v.details);
    if (docs.some((d) => d.id === v.value.id && d.version === v.value.version)) return err('invalid_policy', `${f.file}: pack ${v.value.id} version ${v.value.version} is defined twice`);
    docs.push(v.value);
  }
  const overrides: OverrideDocument[] = [];
  for (const f of overrideFiles) {
    const v = validateOverrideDocument(f.doc);
    if (!v.ok) return err('invalid_policy', `${f.file}: ${v.message}`, v.details);
    const targets = docs.filter((d) => d.id === v.value.pack);
    if (!targets.length) return err('invalid_policy', `${f.file}: $.pack: no pack ${JSON.stringify(v.value.pack)} (have ${[...new Set(docs.map((d) => d.id))].join(', ')})`);
    // Refused at load: the override must narrow every version it could be applied to.
    for (const t of targets) {
      const applied = applyOverride(t, v.value);
      if (!applied.ok) return err(applied.code, `${f.file}: ${applied.message}`, applied.details);
    }
    overrides.push(v.value);
  }
  docs.sort((a, b) => (a.id === b.id ? b.version - a.version : a.id.localeCompare(b.id)));
  const compiled = new Map<string, Pack>();
  const dayOf = (text: string) => Date.parse(text) / 86_400_000;
  const spans = docs.map((d) => ({ d, from: dayOf(d.effectiveFrom), to: d.effectiveTo === null ? Infinity : dayOf(d.effectiveTo) }));
  const byDay = new Map<string, Pack | null>();
  const selectOn = (id: string, day: number): Pack | null => {
    for (const { d, from, to } of spans) {
      if (d.id !== id || day < from || day >= to) continue;
      const inForce = overrides.filter((o) => o.pack === id && dayOf(o.effectiveFrom) <= day);
      const key = `${d.id}@${d.version}+${inForce.map((o) => `${o.id}@${o.version}`).join('+')}`;
      let pack = compiled.get(key);
      if (!pack) {
        let merged = d;
        for (const o of inForce) {
          const r = applyOverride(merged, o);
          if (!r.ok) throw new Error(`override ${o.id} no longer applies: ${r.message}`); // checked at load
          merged = r.value;
        }
        pack = compilePack(merged, calendarNamed(d.calendar), lexicon, inForce.map((o) => ({ id: o.id, version: o.version })));
        compiled.set(key, pack);
      }
      return pack;
    }
    return null;
  };
  const zoneOf = new Map(docs.map((d) => [d.id, d.defaultTimeZones[0]!]));
  let last: { id: string; day: number; pack: Pack | null } | null = null;
  const select = (id: string, at: number): Pack | null => {
    const zone = zoneOf.get(id);
    if (zone === undefined) return null;
    const day = localDay(zone, at);
    if (last !== null && last.id === id && last.day === day) return last.pack;
    const key = `${id}\u0000${day}`;
    let pack = byDay.get(key);
    if (pack === undefined) {
      pack = selectOn(id, day);
      if (byDay.size > 10_000) byDay.clear();
      byDay.set(key, pack);
    }
    last = { id, day, pack };
    return pack;
  };
  return ok({ ids: () => [...new Set(docs.map((d) => d.id))], select, documents: () => docs, lexicon });
}

async function readJson(file: string): Promise<Result<LoadedFile, 'invalid_policy'>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return err('invalid_policy', `${file}: cannot read: ${(e as Error).message}`);
  }
  try {
    return ok({ file, doc: JSON.parse(text) as unknown });
  } catch (e) {
    return err('invalid_policy', `${file}: not JSON: ${(e as Error).message}`);
  }
}

/** Reads the shipped packs and the given override files. */
export async function loadPackSet(options: { dir?: string; overrideFiles?: readonly string[] } = {}): Promise<Result<PackSet, 'invalid_policy' | 'override_widens_pack'>> {
  const dir = options.dir ?? POLICY_DIR;
  const names = (await readdir(dir)).filter((f) => f.endsWith('.json') && f !== LEXICON_FILE).sort();
  const packFiles: LoadedFile[] = [];
  for (const name of names) {
    const r = await readJson(join(dir, name));
    if (!r.ok) return r;
    packFiles.push(r.value);
  }
  const lexicon = await readJson(join(dir, LEXICON_FILE));
  if (!lexicon.ok) return lexicon;
  const overrideFiles: LoadedFile[] = [];
  for (const file of options.overrideFiles ?? []) {
    const r = await readJson(file);
    if (!r.ok) return r;
    overrideFiles.push(r.value);
  }
  return buildPackSet(packFiles, lexicon.value, overrideFiles);
}

let shipped: Promise<PackSet> | undefined;

/** The shipped packs without overrides; an invalid shipped file is a packaging bug, so it throws. */
export function shippedPackSet(): Promise<PackSet> {
  shipped ??= loadPackSet().then((r) => {
    if (!r.ok) throw new Error(`shipped compliance packs are invalid: ${r.message}`);
    return r.value;
  });
  return shipped;
}

export const packFileName = (file: string) => basename(file);
