/** Template admin's API: GET /templates, GET /templates/:id, POST /templates/lint, POST /templates/:id/preview (with a draft), POST /templates (docs/communications.md). */
import { api } from '../../api/client.ts';

export interface CatalogEntry { id: string; family: string; channel: string; language: string; tone: string; purpose: string; party: string; version: number; effectiveFrom: string; source: string; versions: number }
export type TemplateDocument = Record<string, unknown> & { id: string; version: number; language: string; channel: string };
export interface Finding { code: string; severity: 'error' | 'warning'; path: string; ruleId: string | null; message: { zh: string; en: string } }
export interface Rendered { subject: string | null; text: string; html: string | null; title: string | null; sections: { heading?: string; text: string }[]; closing: string | null; slots: Record<string, string> }
export interface Preview { template: { id: string; version: number }; accountId: string; rendered: Rendered; findings: Finding[] }

export const templatesApi = {
  list: () => api.get<{ templates: CatalogEntry[] }>('/templates'),
  versions: (id: string) => api.get<{ versions: TemplateDocument[] }>(`/templates/${encodeURIComponent(id)}`),
  lint: (doc: TemplateDocument) => api.post<{ ok: boolean; findings: Finding[] }>('/templates/lint', doc),
  preview: (doc: TemplateDocument, accountId: string) => api.post<Preview>(`/templates/${encodeURIComponent(doc.id)}/preview`, { accountId, document: doc }),
  publish: (doc: TemplateDocument) => api.post<{ id: string; version: number; findings: Finding[] }>('/templates', doc),
  firstAccount: () => api.get<{ accounts: { id: string }[] }>('/accounts', { limit: 1 }),
};

export const templateKeys = {
  list: ['templates'] as const,
  versions: (id: string) => ['templates', id] as const,
};

/** The template of the same family, channel, party, purpose and tone in the other language. */
export function counterpartOf(entry: CatalogEntry, all: readonly CatalogEntry[]): CatalogEntry | null {
  return all.find((e) => e.id !== entry.id && e.language !== entry.language && e.family === entry.family && e.channel === entry.channel
    && e.party === entry.party && e.purpose === entry.purpose && e.tone === entry.tone) ?? null;
}
