/** GET /accounts: filters (bucket, days-past-due range) and cursor paging, all on the server. */
import { useEffect } from 'react';
import { Alert, Button, Card, Form, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { CursorPager, useCursorPage } from '../../app/cursor-pager.tsx';
import { useFormats, useMessages } from '../../i18n/i18n.tsx';
import { useLatestBuckets } from '../dashboard/api.ts';
import { portfolioApi, portfolioKeys, type AccountFilters, type AccountListItem } from './api.ts';
import { portfolioMessages } from './messages.ts';

const wholeOrUndefined = (text: string | null): number | undefined => (text !== null && /^\d{1,6}$/.test(text) ? Number(text) : undefined);

export function BucketTag({ bucket }: { bucket: string | null }) {
  if (!bucket) return <Typography.Text type="secondary">—</Typography.Text>;
  const color = bucket === 'M0' ? 'green' : ['M1', 'M2'].includes(bucket) ? 'gold' : ['M3', 'M4'].includes(bucket) ? 'orange' : 'red';
  return <Tag color={color}>{bucket}</Tag>;
}

export default function AccountsPage() {
  const t = useMessages(portfolioMessages);
  const f = useFormats();
  const [params] = useSearchParams();
  const pager = useCursorPage();
  const filters: AccountFilters = {
    ...(params.get('bucket') ? { bucket: params.get('bucket')! } : {}),
    ...(wholeOrUndefined(params.get('dpdMin')) !== undefined ? { dpdMin: wholeOrUndefined(params.get('dpdMin'))! } : {}),
    ...(wholeOrUndefined(params.get('dpdMax')) !== undefined ? { dpdMax: wholeOrUndefined(params.get('dpdMax'))! } : {}),
  };
  const query = { ...filters, limit: pager.limit, cursor: pager.cursor };
  const list = useQuery({
    queryKey: portfolioKeys.accounts(query),
    queryFn: ({ signal }) => portfolioApi.accounts(query, signal),
    placeholderData: keepPreviousData,
  });
  const buckets = useLatestBuckets();
  const [form] = Form.useForm<AccountFilters>();
  useEffect(() => form.setFieldsValue({ bucket: filters.bucket, dpdMin: filters.dpdMin, dpdMax: filters.dpdMax }), [form, filters.bucket, filters.dpdMin, filters.dpdMax]);

  const columns = [
    { title: t('accounts.id'), dataIndex: 'id', key: 'id', render: (id: string) => <Link to={`/accounts/${encodeURIComponent(id)}`}>{id}</Link> },
    { title: t('accounts.customer'), dataIndex: 'customerId', key: 'customerId' },
    { title: t('accounts.bucket'), dataIndex: 'bucket', key: 'bucket', render: (b: string | null) => <BucketTag bucket={b} /> },
    { title: t('accounts.daysPastDue'), dataIndex: 'daysPastDue', key: 'daysPastDue', align: 'right' as const, render: (d: number | null) => (d === null ? t('accounts.notAged') : f.number(d)) },
    { title: t('accounts.balance'), key: 'balance', align: 'right' as const, render: (_: unknown, a: AccountListItem) => f.money(a.balance, a.currency) },
    { title: t('accounts.overdue'), key: 'overdue', align: 'right' as const, render: (_: unknown, a: AccountListItem) => f.money(a.overdue, a.currency) },
    { title: t('accounts.agedAsOf'), dataIndex: 'agedAsOf', key: 'agedAsOf', render: (d: string | null) => f.date(d) },
  ];
  const serverError = list.error instanceof ApiError ? list.error : null;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{t('accounts.title')}</Typography.Title>
      <Card size="small" title={t('accounts.filters')}>
        <Form form={form} layout="inline" name="account-filters" onFinish={(v) => pager.setFilters({ bucket: v.bucket, dpdMin: v.dpdMin ?? undefined, dpdMax: v.dpdMax ?? undefined })}>
          <Form.Item label={t('accounts.bucket')} name="bucket">
            <Select allowClear placeholder={t('accounts.anyBucket')} style={{ width: 140 }} loading={buckets.isPending}
              options={(buckets.data?.buckets ?? []).map((b) => ({ value: b.bucket, label: b.bucket }))} />
          </Form.Item>
          <Form.Item label={t('accounts.dpdMin')} name="dpdMin">
            <InputNumber min={0} max={100000} precision={0} style={{ width: 110 }} />
          </Form.Item>
          <Form.Item label={t('accounts.dpdMax')} name="dpdMax" dependencies={['dpdMin']} rules={[({ getFieldValue }) => ({
            validator: (_, max: number | null | undefined) => {
              const min = getFieldValue('dpdMin') as number | null | undefined;
              return min !== null && min !== undefined && max !== null && max !== undefined && min > max ? Promise.reject(new Error(t('accounts.dpdRange'))) : Promise.resolve();
            },
          })]}>
            <InputNumber min={0} max={100000} precision={0} style={{ width: 110 }} />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">{t('accounts.apply')}</Button>
              <Button onClick={() => { form.resetFields(); pager.setFilters({}); }}>{t('accounts.reset')}</Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      {serverError && <Alert type="error" role="alert" showIcon message={serverError.problem.detail ?? serverError.problem.title} />}
      <Table<AccountListItem>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={list.data?.accounts ?? []}
        loading={list.isFetching}
        pagination={false}
        locale={{ emptyText: t('accounts.empty') }}
        footer={() => t('accounts.rows', { count: list.data?.accounts.length ?? 0 })}
      />
      <CursorPager pager={pager} nextCursor={list.data?.nextCursor} loading={list.isFetching} />
    </Space>
  );
}
