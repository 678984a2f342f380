/** Published template versions (message_templates): append-only, one row per id and version. */
import type pg from 'pg';
import type { TemplateDocument } from './domain/template.ts';
import type { TemplateFinding } from './domain/template-lint.ts';

type Db = pg.Pool | pg.ClientBase;

export async function publishedTemplates(db: Db): Promise<TemplateDocument[]> {
  const { rows } = await db.query<{ document: TemplateDocument }>('select document from message_templates order by template_id, version');
  return rows.map((r) => Object.freeze(r.document));
}

/** Inserts a version; false when that id and version already exist. */
export async function insertTemplateVersion(db: Db, doc: TemplateDocument, lint: readonly TemplateFinding[], publishedBy: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into message_templates (template_id, version, family, channel, language, tone, effective_from, document, lint, published_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (template_id, version) do nothing`,
    [doc.id, doc.version, doc.family, doc.channel, doc.language, doc.tone, doc.effectiveFrom, JSON.stringify(doc), JSON.stringify(lint), publishedBy],
  );
  return rowCount === 1;
}
