/**
 * The template catalog: the shipped defaults (policies/templates/*.json, read once) and the versions
 * published since (message_templates). A message names a template id; the dispatcher picks the
 * counterpart in the message's (or customer's) language and tone within the same family, in the
 * latest version effective on the day it is sent.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { parsePlainDate, type EpochDay } from '../../kernel/dates.ts';
import { err, ok, type Result } from '../../kernel/result.ts';
import type { TemplateChannel, TemplateDocument, TemplateLanguage, TemplateParty, TemplatePurpose, Tone } from './domain/template.ts';
import { parseTemplateDocument } from './template.schema.ts';
import { publishedTemplates } from './template.repository.ts';

const TEMPLATE_DIR = fileURLToPath(new URL('../../../policies/templates/', import.meta.url));

let shipped: readonly TemplateDocument[] | undefined;

/** The shipped templates; an invalid file is a packaging bug, so it throws naming the file and field. */
export function shippedTemplates(): readonly TemplateDocument[] {
  if (shipped) return shipped;
  const docs: TemplateDocument[] = [];
  for (const file of readdirSync(TEMPLATE_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const parsed = parseTemplateDocument(JSON.parse(readFileSync(join(TEMPLATE_DIR, file), 'utf8')));
    if (!parsed.ok) throw new Error(`policies/templates/${file}: ${parsed.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    if (`${parsed.value.id}.json` !== file) throw new Error(`policies/templates/${file}: holds template ${parsed.value.id} (the file is named after its id)`);
    docs.push(Object.freeze(parsed.value));
  }
  shipped = Object.freeze(docs);
  return shipped;
}

export interface CatalogEntry {
  id: string;
  family: string;
  channel: TemplateChannel;
  language: TemplateLanguage;
  tone: Tone;
  purpose: TemplatePurpose;
  party: TemplateParty;
  version: number;
  effectiveFrom: string;
  source: 'shipped' | 'published';
}

const entryOf = (t: TemplateDocument, source: CatalogEntry['source']): CatalogEntry => ({
  id: t.id, family: t.family, channel: t.channel, language: t.language, tone: t.tone, purpose: t.purpose, party: t.party,
  version: t.version, effectiveFrom: t.effectiveFrom, source,
});

/**
 * The shipped template ids with their channel, language and tone (no database): what a strategy
 * document may name. `TemplateSet.catalog()` adds the published versions.
 */
export function templateCatalog(): CatalogEntry[] {
  return shippedTemplates().map((t) => entryOf(t, 'shipped'));
}

export type ResolveError = 'template_not_found' | 'template_not_effective';

/** Every version of every template (shipped and published), resolvable by id, language and tone. */
export class TemplateSet {
  readonly #byId = new Map<string, { doc: TemplateDocument; day: EpochDay; source: CatalogEntry['source'] }[]>();
  readonly #byFamily = new Map<string, Set<string>>();

  constructor(docs: readonly { doc: TemplateDocument; source: CatalogEntry['source'] }[]) {
    for (const { doc, source } of docs) {
      const list = this.#byId.get(doc.id) ?? [];
      // A published version with the number of a shipped one replaces it (the database is the record).
      const i = list.findIndex((x) => x.doc.version === doc.version);
      const entry = { doc, day: parsePlainDate(doc.effectiveFrom)!, source };
      if (i >= 0) list[i] = entry;
      else list.push(entry);
      list.sort((a, b) => b.doc.version - a.doc.version);
      this.#byId.set(doc.id, list);
      const family = this.#byFamily.get(doc.family) ?? new Set<string>();
      family.add(doc.id);
      this.#byFamily.set(doc.family, family);
    }
  }

  ids(): string[] {
    return [...this.#byId.keys()].sort();
  }

  /** The latest version of each template, and how many versions it has. */
  catalog(): (CatalogEntry & { versions: number })[] {
    return this.ids().map((id) => {
      const list = this.#byId.get(id)!;
      return { ...entryOf(list[0]!.doc, list[0]!.source), versions: list.length };
    });
  }

  versions(id: string): TemplateDocument[] {
    return (this.#byId.get(id) ?? []).map((x) => x.doc);
  }

  /** Version `version`, or the latest effective on `day`. */
  get(id: string, day: EpochDay, version?: number): Result<TemplateDocument, ResolveError> {
    const list = this.#byId.get(id);
    if (!list) return err('template_not_found', `no template ${JSON.stringify(id)}`);
    const found = version === undefined ? list.find((x) => x.day <= day) : list.find((x) => x.doc.version === version);
    if (!found) return err('template_not_effective', version === undefined ? `template ${id} has no version in effect yet` : `template ${id} has no version ${version}`);
    return ok(found.doc);
  }

  /**
   * The counterpart of `id` for this language and tone (same family and channel, same party and
   * purpose); a language or tone the family lacks falls back to the template's own.
   */
  resolve(id: string, want: { language?: TemplateLanguage | null; tone?: Tone | null }, day: EpochDay): Result<TemplateDocument, ResolveError> {
    const base = this.get(id, day);
    if (!base.ok) return base;
    const b = base.value;
    const language = want.language ?? b.language;
    const tone = want.tone ?? b.tone;
    if (language === b.language && tone === b.tone) return base;
    const candidates = [...(this.#byFamily.get(b.family) ?? [])]
      .map((cid) => this.get(cid, day))
      .flatMap((r) => (r.ok ? [r.value] : []))
      .filter((t) => t.channel === b.channel && t.party === b.party && t.purpose === b.purpose);
    const exact = candidates.find((t) => t.language === language && t.tone === tone);
    if (exact) return ok(exact);
    // Keep the language over the tone: a message in the customer's language matters more.
    return ok(candidates.find((t) => t.language === language && t.tone === b.tone) ?? candidates.find((t) => t.language === language) ?? b);
  }
}

/** Shipped plus published versions. */
export async function loadTemplateSet(db: pg.Pool | pg.ClientBase): Promise<TemplateSet> {
  const published = await publishedTemplates(db);
  return new TemplateSet([
    ...shippedTemplates().map((doc) => ({ doc, source: 'shipped' as const })),
    ...published.map((doc) => ({ doc, source: 'published' as const })),
  ]);
}
