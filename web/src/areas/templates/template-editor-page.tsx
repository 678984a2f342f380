/**
 * /app/templates/:id: the template and its counterpart in the other language side by side (zh-CN left,
 * en right), each an editable draft of its next version with its lint at the fields and a live preview
 * rendered by the server with a real account's data (POST /templates/:id/preview with the draft), and
 * publish per language for `templates:publish`.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Form, Input, Row, Space, Spin, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client.ts';
import { useAuth } from '../../app/auth.tsx';
import { useMessages } from '../../i18n/i18n.tsx';
import { problemText } from '../dashboard/dashboard-page.tsx';
import { counterpartOf, templateKeys, templatesApi, type CatalogEntry, type Rendered, type TemplateDocument } from './api.ts';
import { templateMessages } from './messages.ts';
import { TemplateForm, draftProblems } from './template-form.tsx';

/** The value, once it has not changed for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export default function TemplateEditorPage() {
  const t = useMessages(templateMessages);
  const { id = '' } = useParams();
  const list = useQuery({ queryKey: templateKeys.list, queryFn: templatesApi.list, staleTime: 30_000 });
  const first = useQuery({ queryKey: ['templates', 'first-account'], queryFn: templatesApi.firstAccount, staleTime: Infinity });
  const [accountId, setAccountId] = useState<string | null>(null);
  const account = accountId ?? first.data?.accounts[0]?.id ?? '';
  const entry = list.data?.templates.find((x) => x.id === id) ?? null;
  const other = entry && list.data ? counterpartOf(entry, list.data.templates) : null;
  const pair = [entry, other].filter((x): x is CatalogEntry => x !== null).sort((a, b) => (a.language === 'zh-CN' ? -1 : b.language === 'zh-CN' ? 1 : 0));
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{t('editor.title', { id })}</Typography.Title>
      <Link to="/templates">← {t('editor.back')}</Link>
      <Form layout="inline">
        <Form.Item label={t('editor.account')} htmlFor="template-account" tooltip={t('editor.accountHelp')}>
          <Input id="template-account" value={account} onChange={(e) => setAccountId(e.target.value.trim())} style={{ width: 240 }} />
        </Form.Item>
      </Form>
      {list.error ? <Alert type="error" role="alert" showIcon message={t('error.load', { detail: problemText(list.error) })} /> : (
        <Spin spinning={list.isFetching && !list.data}>
          <Row gutter={16}>
            {pair.map((e) => <Col key={e.id} xs={24} xl={12}><LanguageColumn entry={e} accountId={account} /></Col>)}
            {entry && !other && <Col xs={24} xl={12}><Alert type="info" message={t('editor.noCounterpart')} /></Col>}
          </Row>
        </Spin>
      )}
    </Space>
  );
}

function LanguageColumn({ entry, accountId }: { entry: CatalogEntry; accountId: string }) {
  const t = useMessages(templateMessages);
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const versions = useQuery({ queryKey: templateKeys.versions(entry.id), queryFn: () => templatesApi.versions(entry.id), staleTime: 30_000 });
  const latest = versions.data?.versions[0] ?? null;
  const [draft, setDraft] = useState<TemplateDocument | null>(null);
  const [notice, setNotice] = useState<{ type: 'success' | 'error'; text: string } | null>(null);
  useEffect(() => {
    if (latest && draft === null) setDraft({ ...latest, version: latest.version + 1 });
  }, [latest, draft]);
  const settled = useDebounced(draft, 400);
  const key = JSON.stringify(settled);
  const lint = useQuery({ queryKey: ['templates', 'lint', key], queryFn: () => templatesApi.lint(settled!), enabled: settled !== null, placeholderData: keepPreviousData, retry: false });
  const preview = useQuery({
    queryKey: ['templates', 'preview', key, accountId], queryFn: () => templatesApi.preview(settled!, accountId),
    enabled: settled !== null && accountId !== '', placeholderData: keepPreviousData, retry: false,
  });
  if (versions.error) return <Alert type="error" role="alert" showIcon message={t('error.load', { detail: problemText(versions.error) })} />;
  if (!draft || !latest) return <Card loading />;
  const findings = lint.data?.findings ?? [];
  const errors = findings.filter((f) => f.severity === 'error').length;
  const clientOk = Object.keys(draftProblems(draft, latest.version)).length === 0;

  const publish = async () => {
    setNotice(null);
    try {
      const r = await templatesApi.publish(draft);
      setNotice({ type: 'success', text: t('editor.published', { id: r.id, version: r.version }) });
      await queryClient.invalidateQueries({ queryKey: templateKeys.list });
      await queryClient.invalidateQueries({ queryKey: templateKeys.versions(entry.id) });
      setDraft({ ...draft, version: r.version + 1 });
    } catch (e) {
      setNotice({ type: 'error', text: t('editor.publishFailed', { detail: e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e) }) });
    }
  };

  return (
    <Card title={`${entry.language} · ${entry.id}`} data-testid={`template-${entry.language}`} lang={entry.language}>
      <TemplateForm doc={draft} latestVersion={latest.version} findings={findings} onChange={setDraft} idPrefix={`t-${entry.language}`} />
      <Typography.Paragraph type={errors ? 'danger' : 'secondary'} data-testid={`lint-${entry.language}`}>
        {lint.isFetching ? '…' : findings.length ? t('editor.errors', { count: errors, warnings: findings.length - errors }) : t('editor.lintOk')}
      </Typography.Paragraph>
      <Card size="small" type="inner" title={t('editor.preview')} data-testid={`preview-${entry.language}`}>
        {preview.error ? <Alert type="warning" showIcon message={t('editor.previewFailed', { detail: problemText(preview.error) })} />
          : preview.data ? <RenderedView r={preview.data.rendered} /> : <Spin />}
      </Card>
      <Space style={{ marginTop: 12 }} direction="vertical">
        {can('templates:publish')
          ? <Button type="primary" disabled={errors > 0 || !clientOk || lint.isFetching} onClick={publish}>{t('editor.publish', { id: draft.id, version: draft.version })}</Button>
          : <Typography.Text type="secondary">{t('editor.noPublish')}</Typography.Text>}
        {notice && <Alert type={notice.type} role="alert" showIcon message={notice.text} />}
      </Space>
    </Card>
  );
}

/** What the message would say; HTML is shown as its source text, never rendered. */
function RenderedView({ r }: { r: Rendered }) {
  return (
    <div style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
      {r.subject && <Typography.Paragraph strong>{r.subject}</Typography.Paragraph>}
      {r.title && <Typography.Paragraph strong>{r.title}</Typography.Paragraph>}
      <Typography.Paragraph data-testid="preview-text">{r.text}</Typography.Paragraph>
      {r.sections.map((s, i) => <Typography.Paragraph key={i}>{s.heading ? <strong>{s.heading} </strong> : null}{s.text}</Typography.Paragraph>)}
      {r.closing && <Typography.Paragraph>{r.closing}</Typography.Paragraph>}
    </div>
  );
}
