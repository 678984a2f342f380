/** /app/templates: every template (shipped and published) with its latest version; a row opens the editor. */
import { useState } from 'react';
import { Alert, Card, Form, Select, Space, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useFormats, useMessages } from '../../i18n/i18n.tsx';
import { problemText } from '../dashboard/dashboard-page.tsx';
import { templateKeys, templatesApi, type CatalogEntry } from './api.ts';
import { templateMessages } from './messages.ts';

export default function TemplatesPage() {
  const t = useMessages(templateMessages);
  const f = useFormats();
  const q = useQuery({ queryKey: templateKeys.list, queryFn: templatesApi.list, staleTime: 30_000 });
  const [channel, setChannel] = useState<string>('');
  const all = q.data?.templates ?? [];
  const channels = [...new Set(all.map((x) => x.channel))].sort();
  const rows = channel ? all.filter((x) => x.channel === channel) : all;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{t('list.title')}</Typography.Title>
      <Card extra={
        <Form layout="inline"><Form.Item label={t('list.filter')} htmlFor="templates-channel" style={{ margin: 0 }}>
          <Select id="templates-channel" value={channel} onChange={setChannel} style={{ width: 160 }}
            options={[{ value: '', label: t('list.all') }, ...channels.map((c) => ({ value: c, label: c }))]} />
        </Form.Item></Form>
      }>
        {q.error ? <Alert type="error" role="alert" showIcon message={t('error.load', { detail: problemText(q.error) })} /> : (
          // GET /templates answers the whole catalog (one row per template id, a few dozen); shown 20 a page.
          <Table<CatalogEntry> rowKey="id" size="small" loading={q.isFetching} dataSource={rows} pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              { title: t('list.id'), dataIndex: 'id', render: (id: string) => <Link to={`/templates/${encodeURIComponent(id)}`}>{id}</Link> },
              { title: t('list.family'), dataIndex: 'family' },
              { title: t('list.channel'), dataIndex: 'channel' },
              { title: t('list.language'), dataIndex: 'language' },
              { title: t('list.tone'), dataIndex: 'tone' },
              { title: t('list.party'), dataIndex: 'party' },
              { title: t('list.version'), dataIndex: 'version', align: 'right' },
              { title: t('list.effectiveFrom'), dataIndex: 'effectiveFrom', render: (d: string) => f.date(d) },
              { title: t('list.source'), dataIndex: 'source' },
            ]} />
        )}
      </Card>
    </Space>
  );
}
