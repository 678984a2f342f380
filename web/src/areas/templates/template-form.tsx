/**
 * One language's template draft: its text fields (subject, body, HTML, letter title and closing, those
 * the channel has) and the new version number, each lint finding shown at the field its path names
 * (`body`, `subject`, …; the rest listed below the form), errors red and warnings amber. The lint is the
 * server's (POST /templates/lint); the form checks only what needs no server: a text is required, and
 * the version must be above the latest published one.
 */
import { Alert, Form, Input, InputNumber, List, Tag, Typography } from 'antd';
import { useI18n, useMessages } from '../../i18n/i18n.tsx';
import type { Finding, TemplateDocument } from './api.ts';
import { templateMessages } from './messages.ts';

export const TEXT_FIELDS = ['subject', 'body', 'html', 'title', 'closing'] as const;
type TextField = (typeof TEXT_FIELDS)[number];

/** The findings of one field (its path, or a path below it), and those of no field shown. */
export function findingsByField(findings: readonly Finding[], fields: readonly string[]): { at: Map<string, Finding[]>; other: Finding[] } {
  const at = new Map<string, Finding[]>();
  const other: Finding[] = [];
  for (const f of findings) {
    const field = fields.find((x) => f.path === x || f.path.startsWith(`${x}.`) || f.path.startsWith(`${x}[`));
    if (field) at.set(field, [...(at.get(field) ?? []), f]);
    else other.push(f);
  }
  return { at, other };
}

/** The client-side problems of a draft: empty text fields, a version not above the latest. */
export function draftProblems(doc: TemplateDocument, latestVersion: number): Partial<Record<TextField | 'version', 'required' | 'version_low'>> {
  const out: Partial<Record<TextField | 'version', 'required' | 'version_low'>> = {};
  for (const f of TEXT_FIELDS) if (typeof doc[f] === 'string' && (doc[f] as string).trim() === '') out[f] = 'required';
  if (!Number.isInteger(doc.version) || doc.version <= latestVersion) out.version = 'version_low';
  return out;
}

export function TemplateForm({ doc, latestVersion, findings, onChange, idPrefix }: {
  doc: TemplateDocument; latestVersion: number; findings: readonly Finding[]; onChange(doc: TemplateDocument): void; idPrefix: string;
}) {
  const t = useMessages(templateMessages);
  const { locale } = useI18n();
  const fields = TEXT_FIELDS.filter((f) => typeof doc[f] === 'string');
  const { at, other } = findingsByField(findings, fields);
  const problems = draftProblems(doc, latestVersion);
  const text = (f: Finding) => (locale === 'en' ? f.message.en : f.message.zh);
  const labels: Record<TextField, string> = { subject: t('editor.subject'), body: t('editor.body'), html: t('editor.html'), title: t('editor.title.field'), closing: t('editor.closing') };
  return (
    <Form layout="vertical">
      <Form.Item label={t('editor.version')} htmlFor={`${idPrefix}-version`} validateStatus={problems.version ? 'error' : undefined}
        help={problems.version ? t('editor.versionLow', { latest: latestVersion }) : undefined}>
        <InputNumber id={`${idPrefix}-version`} value={doc.version} min={1} step={1} onChange={(v) => onChange({ ...doc, version: typeof v === 'number' ? v : 0 })} />
      </Form.Item>
      {fields.map((f) => {
        const here = at.get(f) ?? [];
        const errors = here.filter((x) => x.severity === 'error');
        const status = problems[f] || errors.length ? 'error' : here.length ? 'warning' : undefined;
        const help = problems[f] ? t('editor.required') : here.length ? (
          <ul style={{ margin: 0, paddingInlineStart: 18 }} data-testid={`${idPrefix}-${f}-findings`}>
            {here.map((x, i) => <li key={i}>{x.ruleId ? `${x.ruleId} ` : ''}{text(x)}</li>)}
          </ul>
        ) : undefined;
        return (
          <Form.Item key={f} label={labels[f]} htmlFor={`${idPrefix}-${f}`} validateStatus={status} help={help}>
            <Input.TextArea id={`${idPrefix}-${f}`} value={doc[f] as string} autoSize={{ minRows: f === 'html' ? 4 : 2, maxRows: 10 }}
              onChange={(e) => onChange({ ...doc, [f]: e.target.value })} />
          </Form.Item>
        );
      })}
      {other.length > 0 && (
        <Alert type={other.some((x) => x.severity === 'error') ? 'error' : 'warning'} message={t('editor.other')} description={
          <List size="small" dataSource={other} renderItem={(x) => (
            <List.Item>
              <Tag color={x.severity === 'error' ? 'red' : 'orange'}>{t(`severity.${x.severity}`)}</Tag>
              <Typography.Text code>{x.path}</Typography.Text> {x.ruleId ? `${x.ruleId} ` : ''}{text(x)}
            </List.Item>
          )} />
        } />
      )}
    </Form>
  );
}
