/**
 * Content checks: prohibited language (threats, insults, impersonating courts or police, fake
 * blacklists, disclosure to family or employer, pressure to borrow) in Chinese and English, content
 * restricted for some parties and purposes (no debt details to third parties or in a limited-content
 * message), and content each pack requires (collection-letter items, mini-Miranda, opt-out text).
 * Public through the module's index so templates and collector notes use the same lint as the gate.
 */
import type { Pack, RequiredContentRule } from './pack.ts';
import type { ContactContent } from './snapshot.ts';
import type { Channel, Party } from './vocabulary.ts';

export interface LexiconCategory {
  id: string;
  message: { zh: string; en: string };
  /** Matched against the text with whitespace and separators between characters removed. */
  zh: RegExp | null;
  /** Matched against the NFKC-normalised, lower-cased text. */
  en: RegExp | null;
}

export interface CompiledLexicon {
  id: string;
  version: number;
  categories: ReadonlyMap<string, LexiconCategory>;
}

export interface LexiconDocumentLike {
  id: string;
  version: number;
  categories: Record<string, { message: { zh: string; en: string }; zh: string[]; en: string[] }>;
}

/** Compiles each category's patterns into one case-insensitive regular expression per language. */
export function compileLexicon(doc: LexiconDocumentLike): CompiledLexicon {
  const categories = new Map<string, LexiconCategory>();
  for (const [id, c] of Object.entries(doc.categories)) {
    categories.set(id, Object.freeze({
      id,
      message: c.message,
      zh: c.zh.length ? new RegExp(c.zh.map((p) => `(?:${p})`).join('|'), 'iu') : null,
      en: c.en.length ? new RegExp(c.en.map((p) => `(?:${p})`).join('|'), 'iu') : null,
    }));
  }
  return Object.freeze({ id: doc.id, version: doc.version, categories });
}

export interface NormalisedText { plain: string; squeezed: string }

/** Full-width forms folded (NFKC), lower case, one space between words; `squeezed` drops separators too. */
export function normaliseText(text: string): NormalisedText {
  const plain = text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const squeezed = plain.replace(/[\s*·•._\-~|/\\]+/g, '');
  return { plain, squeezed };
}

export interface CategoryMatch { category: string; match: string }

export function matchCategories(lexicon: CompiledLexicon, text: NormalisedText, categories: readonly string[]): CategoryMatch[] {
  const found: CategoryMatch[] = [];
  for (const id of categories) {
    const c = lexicon.categories.get(id);
    if (!c) continue;
    const m = (c.zh && c.zh.exec(text.squeezed)) || (c.en && c.en.exec(text.plain));
    if (m) found.push({ category: id, match: m[0] });
  }
  return found;
}

export type ContentFindingCode = 'prohibited_language' | 'restricted_content' | 'required_content_missing' | 'content_text_missing';

export interface ContentFinding {
  ruleId: string;
  code: ContentFindingCode;
  category?: string;
  /** The offending words, or the missing phrases / slots. */
  match?: string;
  message: { zh: string; en: string };
}

export interface LintInput {
  content: ContactContent;
  channel: Channel;
  party: Party;
}

/** Every problem with a piece of content under a pack; empty when it may go out. */
export function lintContent(pack: Pack, input: LintInput): ContentFinding[] {
  const { content, channel, party } = input;
  const findings: ContentFinding[] = [];
  const lexicon = pack.content.lexicon;
  const text = content.text === null ? null : normaliseText(content.text);
  if (text) {
    for (const m of matchCategories(lexicon, text, pack.content.prohibited.categories)) {
      const c = lexicon.categories.get(m.category)!;
      findings.push({
        ruleId: pack.content.prohibited.ruleId, code: 'prohibited_language', category: m.category, match: m.match,
        message: { zh: `禁止用语（${c.message.zh}）：“${m.match}”`, en: `prohibited language (${c.message.en}): "${m.match}"` },
      });
    }
    for (const r of pack.content.restricted) {
      if (r.parties && !r.parties.has(party)) continue;
      if (r.purposes && !r.purposes.has(content.purpose)) continue;
      for (const m of matchCategories(lexicon, text, r.categories)) {
        const c = lexicon.categories.get(m.category)!;
        findings.push({
          ruleId: r.ruleId, code: 'restricted_content', category: m.category, match: m.match,
          message: { zh: `此对象或用途不得包含${c.message.zh}：“${m.match}”`, en: `not allowed for this party or purpose (${c.message.en}): "${m.match}"` },
        });
      }
    }
  }
  for (const r of pack.content.required) {
    if (!requiredApplies(r, content, channel)) continue;
    const missing = missingRequired(r, content, text);
    if (missing === null) {
      findings.push({
        ruleId: r.ruleId, code: 'content_text_missing',
        message: { zh: `${r.message.zh}：缺少正文，无法核验`, en: `${r.message.en}: no text to verify` },
      });
    } else if (missing.length) {
      findings.push({
        ruleId: r.ruleId, code: 'required_content_missing', match: missing.join(', '),
        message: { zh: `${r.message.zh}：缺少 ${missing.join('、')}`, en: `${r.message.en}: missing ${missing.join(', ')}` },
      });
    }
  }
  return findings;
}

function requiredApplies(r: RequiredContentRule, content: ContactContent, channel: Channel): boolean {
  if (!r.channels.has(channel)) return false;
  if (r.purposes && !r.purposes.has(content.purpose)) return false;
  if (r.exceptPurposes.has(content.purpose)) return false;
  if (r.firstCommunication !== null && r.firstCommunication !== content.firstCommunication) return false;
  return true;
}

/** The missing phrases and slots; null when phrases are required but there is no text to look in. */
function missingRequired(r: RequiredContentRule, content: ContactContent, text: NormalisedText | null): string[] | null {
  const missing: string[] = [];
  for (const slot of r.slots) {
    const value = content.slots?.[slot];
    if (value === undefined || value === null || value.trim() === '') missing.push(slot);
  }
  if (r.anyOf.length || r.allOf.length) {
    if (!text) return null;
    const has = (phrase: string) => text.plain.includes(normaliseText(phrase).plain);
    if (r.anyOf.length && !r.anyOf.some(has)) missing.push(r.anyOf.map((p) => JSON.stringify(p)).join(' | '));
    for (const p of r.allOf) if (!has(p)) missing.push(JSON.stringify(p));
  }
  return missing;
}
