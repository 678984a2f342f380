/**
 * /app/strategies/editor[?id=ID&version=N]: a draft in the editor, started from a published version
 * (its document as JSON) or blank; the draft is kept in this browser (localStorage) until published.
 */
import { useEffect, useState } from 'react';
import { Alert, Card, Space, Spin, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../../app/auth.tsx';
import { useMessages } from '../../i18n/i18n.tsx';
import { problemText } from '../dashboard/dashboard-page.tsx';
import { strategyApi, strategyKeys } from './api.ts';
import { strategyMessages } from './messages.ts';
import { StrategyEditor } from './strategy-editor.tsx';

const DRAFT_KEY = 'recourse.strategy-draft';

export default function StrategyEditorPage() {
  const t = useMessages(strategyMessages);
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const id = params.get('id');
  const version = params.get('version') ? Number(params.get('version')) : undefined;
  const base = useQuery({ queryKey: strategyKeys.version(id ?? '', version), queryFn: () => strategyApi.get(id!, version), enabled: id !== null, staleTime: Infinity });
  const [text, setText] = useState<string>(() => (id === null ? localStorage.getItem(DRAFT_KEY) ?? '' : ''));
  const [loadedFor, setLoadedFor] = useState<string | null>(null);

  useEffect(() => {
    const key = `${id}@${version}`;
    if (base.data && loadedFor !== key) {
      setLoadedFor(key);
      setText(JSON.stringify(base.data.document, null, 2));
    }
  }, [base.data, id, version, loadedFor]);

  const change = (next: string) => {
    setText(next);
    localStorage.setItem(DRAFT_KEY, next);
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{t('editor.title')}</Typography.Title>
      <Link to="/strategies">← {t('list.title')}</Link>
      <Card>
        {base.error ? <Alert type="error" role="alert" showIcon message={t('error.load', { detail: problemText(base.error) })} /> : (
          <Spin spinning={base.isFetching}>
            <Typography.Paragraph type="secondary">
              {base.data ? t('editor.loadedFrom', { id: base.data.strategyId, version: base.data.version }) : t('editor.blank')}
            </Typography.Paragraph>
            <StrategyEditor text={text} onChange={change} validate={strategyApi.validate}
              publish={can('strategy:publish') ? async (doc) => {
                const r = await strategyApi.publish(doc);
                localStorage.removeItem(DRAFT_KEY);
                await queryClient.invalidateQueries({ queryKey: strategyKeys.list });
                return r;
              } : undefined} />
          </Spin>
        )}
      </Card>
    </Space>
  );
}
