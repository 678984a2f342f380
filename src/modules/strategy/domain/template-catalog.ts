/**
 * Which templates (and robot-voice scripts) exist: the strategy validates every template id it
 * names against a catalog. The communications module owns templates; until it provides the real
 * catalog, DEFAULT_TEMPLATE_CATALOG lists the ids the communications issue ships plus the robot-voice
 * scripts the default strategy uses (docs/strategy.md lists them for the communications engineer).
 */
import type { Language } from './facts.ts';
import type { MessageChannel, Tone } from './document.ts';

export interface TemplateEntry {
  id: string;
  channel: MessageChannel;
  language: Language;
  /** The tone the template is written in (null: neutral or any). */
  tone: Tone | null;
}

export interface TemplateCatalog {
  find(id: string): TemplateEntry | null;
  ids(): readonly string[];
}

export function templateCatalog(entries: readonly TemplateEntry[]): TemplateCatalog {
  const byId = new Map(entries.map((e) => [e.id, Object.freeze({ ...e })]));
  return Object.freeze({ find: (id: string) => byId.get(id) ?? null, ids: () => [...byId.keys()] });
}

export const DEFAULT_TEMPLATES: readonly TemplateEntry[] = Object.freeze([
  // Shipped by the communications module (issue 6).
  { id: 'cn-sms-reminder-gentle', channel: 'sms', language: 'zh-CN', tone: 'gentle' },
  { id: 'cn-sms-reminder-firm', channel: 'sms', language: 'zh-CN', tone: 'firm' },
  { id: 'cn-collection-letter', channel: 'letter', language: 'zh-CN', tone: null },
  { id: 'en-sms-reminder-gentle', channel: 'sms', language: 'en', tone: 'gentle' },
  { id: 'en-sms-reminder-firm', channel: 'sms', language: 'en', tone: 'firm' },
  { id: 'en-collection-letter', channel: 'letter', language: 'en', tone: null },
  // Robot-voice scripts defined by the strategy (to be shipped by the communications module).
  { id: 'cn-voice-reminder-gentle', channel: 'voice_robot', language: 'zh-CN', tone: 'gentle' },
  { id: 'cn-voice-reminder-firm', channel: 'voice_robot', language: 'zh-CN', tone: 'firm' },
  { id: 'en-voice-reminder-gentle', channel: 'voice_robot', language: 'en', tone: 'gentle' },
  { id: 'en-voice-reminder-firm', channel: 'voice_robot', language: 'en', tone: 'firm' },
] satisfies TemplateEntry[]);

export const DEFAULT_TEMPLATE_CATALOG: TemplateCatalog = templateCatalog(DEFAULT_TEMPLATES);
