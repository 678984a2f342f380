/**
 * /app/strategies: the published versions (and the one in effect), the champion/challenger report for
 * a period, and "explain this account's decision".
 */
import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Descriptions, Form, Input, Space, Spin, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { ApiError } from '../../api/client.ts';
import { useFormats, useI18n, useMessages } from '../../i18n/i18n.tsx';
import { problemText } from '../dashboard/dashboard-page.tsx';
import { strategyApi, strategyKeys, type Explanation, type StrategyVersion, type VariantReport } from './api.ts';
import { strategyMessages } from './messages.ts';

const DAY = 'YYYY-MM-DD';
const PAGE = 10;

export default function StrategiesPage() {
  const t = useMessages(strategyMessages);
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{t('list.title')}</Typography.Title>
      <VersionsCard />
      <ReportCard />
      <ExplainCard />
    </Space>
  );
}

function VersionsCard() {
  const t = useMessages(strategyMessages);
  const f = useFormats();
  const q = useQuery({ queryKey: strategyKeys.list, queryFn: strategyApi.list, staleTime: 30_000 });
  const active = q.data?.inEffect;
  return (
    <Card title={t('list.title')} extra={<Link to="/strategies/editor">{t('list.new')}</Link>} data-testid="strategy-versions">
      {q.error ? <Alert type="error" role="alert" showIcon message={t('error.load', { detail: problemText(q.error) })} /> : (
        <Spin spinning={q.isFetching}>
          <Typography.Paragraph data-testid="strategy-in-effect">
            {active ? t('list.inEffect', { id: active.id, version: active.version, source: t(`list.source.${active.source}`) }) : t('list.none')}
          </Typography.Paragraph>
          {/* GET /strategies returns every version (a handful per year); shown a page at a time. */}
          <Table<StrategyVersion> rowKey={(v) => `${v.strategyId}@${v.version}`} size="small" dataSource={q.data?.versions ?? []}
            pagination={{ pageSize: PAGE, hideOnSinglePage: true }}
            columns={[
              { title: t('list.id'), dataIndex: 'strategyId' },
              { title: t('list.version'), dataIndex: 'version', render: (n: number, v) => <Space>{n}{active && active.id === v.strategyId && active.version === n ? <Tag color="green">{t('list.effective')}</Tag> : null}</Space> },
              { title: t('list.effectiveFrom'), dataIndex: 'effectiveFrom', render: (d: string) => f.date(d) },
              { title: t('list.publishedAt'), dataIndex: 'publishedAt', render: (d: string) => f.dateTime(d) },
              { title: t('list.publishedBy'), dataIndex: 'publishedBy' },
              { title: '', key: 'edit', render: (_, v) => <Link to={`/strategies/editor?id=${encodeURIComponent(v.strategyId)}&version=${v.version}`}>{t('list.edit')}</Link> },
            ]} />
        </Spin>
      )}
    </Card>
  );
}

function ReportCard() {
  const t = useMessages(strategyMessages);
  const f = useFormats();
  const [from, setFrom] = useState<Dayjs>(dayjs().startOf('month'));
  const [to, setTo] = useState<Dayjs>(dayjs());
  const valid = !from.isAfter(to);
  const q = useQuery({ queryKey: strategyKeys.report(from.format(DAY), to.format(DAY)), queryFn: () => strategyApi.report(from.format(DAY), to.format(DAY)), enabled: valid, staleTime: 60_000 });
  const currencies = [...new Set(q.data?.variants.flatMap((v) => Object.keys(v.collected)) ?? [])].sort();
  return (
    <Card title={t('report.title')} data-testid="strategy-report" extra={
      <Form layout="inline">
        <Form.Item label={t('report.from')} htmlFor="report-from" style={{ margin: 0 }}><DatePicker id="report-from" value={from} allowClear={false} onChange={(d) => d && setFrom(d)} /></Form.Item>
        <Form.Item label={t('report.to')} htmlFor="report-to" style={{ margin: 0 }}><DatePicker id="report-to" value={to} allowClear={false} onChange={(d) => d && setTo(d)} /></Form.Item>
      </Form>
    }>
      {q.error ? <Alert type="error" role="alert" showIcon message={t('error.load', { detail: problemText(q.error) })} /> : (
        <Spin spinning={q.isFetching}>
          {q.data && <Typography.Paragraph type="secondary">{t('report.strategy', { id: q.data.strategy.id, version: q.data.strategy.version })}</Typography.Paragraph>}
          <Table<VariantReport> rowKey="variant" size="small" pagination={false} dataSource={q.data?.variants ?? []} scroll={{ x: true }}
            columns={[
              { title: t('report.variant'), dataIndex: 'variant' },
              { title: t('report.percent'), dataIndex: 'percent', align: 'right', render: (n: number | null) => (n === null ? '—' : f.percent(n / 100)) },
              { title: t('report.accounts'), dataIndex: 'accounts', align: 'right', render: (n: number) => f.number(n) },
              { title: t('report.cured'), dataIndex: 'cured', align: 'right', render: (n: number) => f.number(n) },
              { title: t('report.cureRate'), dataIndex: 'cureRate', align: 'right', render: (n: number) => f.percent(n) },
              ...currencies.map((c) => ({ title: `${t('report.collected')} (${c})`, key: c, align: 'right' as const, render: (_: unknown, v: VariantReport) => f.money(v.collected[c] ?? '0', c) })),
              { title: t('report.contacts'), dataIndex: 'contactsTotal', align: 'right', render: (n: number) => f.number(n) },
              { title: t('report.cost'), dataIndex: 'contactCost', align: 'right', render: (v: string | null) => (q.data?.costCurrency ? f.money(v, q.data.costCurrency) : '—') },
              { title: t('report.complaints'), dataIndex: 'complaints', align: 'right', render: (n: number) => f.number(n) },
              { title: t('report.blocks'), dataIndex: 'complianceBlocks', align: 'right', render: (n: number) => f.number(n) },
            ]} />
        </Spin>
      )}
    </Card>
  );
}

function ExplainCard() {
  const t = useMessages(strategyMessages);
  const [form] = Form.useForm<{ accountId: string; asOf: Dayjs | null }>();
  const [asked, setAsked] = useState<{ accountId: string; asOf?: string } | null>(null);
  const q = useQuery({
    queryKey: strategyKeys.explain(asked?.accountId ?? '', asked?.asOf), queryFn: () => strategyApi.explain(asked!.accountId, asked!.asOf),
    enabled: asked !== null, staleTime: 60_000, retry: false,
  });
  const notFound = q.error instanceof ApiError && q.error.status === 404;
  return (
    <Card title={t('explain.title')} data-testid="strategy-explain">
      <Form form={form} layout="inline" onFinish={(v) => setAsked({ accountId: v.accountId.trim(), ...(v.asOf ? { asOf: v.asOf.format(DAY) } : {}) })}>
        <Form.Item name="accountId" label={t('explain.account')} htmlFor="explain-account" rules={[{ required: true, whitespace: true, message: t('explain.accountRequired') }]}
          validateStatus={notFound ? 'error' : undefined} help={notFound ? problemText(q.error) : undefined}>
          <Input id="explain-account" style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="asOf" label={t('explain.asOf')} htmlFor="explain-as-of"><DatePicker id="explain-as-of" /></Form.Item>
        <Form.Item><Button type="primary" htmlType="submit">{t('explain.submit')}</Button></Form.Item>
      </Form>
      {q.error && !notFound && <Alert style={{ marginTop: 12 }} type="error" role="alert" showIcon message={t('error.load', { detail: problemText(q.error) })} />}
      <Spin spinning={q.isFetching}>{q.data && <ExplanationView e={q.data} />}</Spin>
    </Card>
  );
}

function ExplanationView({ e }: { e: Explanation }) {
  const t = useMessages(strategyMessages);
  const f = useFormats();
  const { locale } = useI18n();
  return (
    <Space direction="vertical" style={{ width: '100%', marginTop: 16 }} data-testid="explanation">
      <Descriptions size="small" bordered column={3} items={[
        { key: 's', label: t('explain.strategy'), children: `${e.strategy.id} v${e.strategy.version}` },
        { key: 'v', label: t('explain.variant'), children: e.variant.id },
        { key: 'd', label: t('explain.asOf'), children: f.date(e.asOf) },
        { key: 'st', label: t('explain.status'), children: e.status },
        { key: 'seg', label: t('explain.segment'), children: e.segment ?? '—' },
        { key: 'stage', label: t('explain.stage'), children: `${e.ladder ?? '—'} / ${e.stage ?? '—'}` },
      ]} />
      <Typography.Text strong>{t('explain.segments')}</Typography.Text>
      <Space wrap>{e.segments.map((s) => <Tag key={s.segment} color={s.matched ? 'green' : undefined}>{s.segment}: {s.matched ? t('explain.matched') : t('explain.notMatched')}</Tag>)}</Space>
      <Typography.Text strong>{t('explain.actions')}</Typography.Text>
      <Table rowKey={(a) => `${a.stage}/${a.treatment}`} size="small" pagination={false} dataSource={e.actions} locale={{ emptyText: t('explain.noActions') }}
        columns={[
          { title: t('explain.treatment'), dataIndex: 'treatment' },
          { title: t('explain.channel'), dataIndex: 'channel' },
          { title: t('explain.outcome'), dataIndex: 'outcome' },
          {
            title: t('explain.verdict'), key: 'verdict', render: (_, a) => !a.verdict ? '—' : (
              <span>{a.verdict.decision}{a.verdict.rules.filter((r) => r.effect !== 'allow').map((r) => ` · ${r.ruleId} ${r.message ? (locale === 'en' ? r.message.en : r.message.zh) : r.code}`).join('')}</span>
            ),
          },
        ]} />
      <details>
        <summary>{t('explain.facts')}</summary>
        <pre style={{ maxHeight: 240, overflow: 'auto', fontSize: 12 }}>{JSON.stringify(e.facts, null, 2)}</pre>
      </details>
    </Space>
  );
}
