/**
 * The portfolio-wide dashboards: bucket distribution over time, the roll-rate heatmap between the last
 * two aging runs, recovery curves by vintage, promise kept rate, contact and right-party rates,
 * collected per channel and contact cost, compliance blocks per rule, and the collector and agency
 * leaderboards. Every figure is aggregated by the server (GET /reports/…); lists are paged there.
 */
import { useState, type ReactNode } from 'react';
import { Alert, Card, Col, DatePicker, Form, Row, Space, Spin, Statistic, Table, Tabs, Typography, Button } from 'antd';
import { useQuery } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { useFormats, useMessages } from '../../i18n/i18n.tsx';
import { Chart } from '../dashboard/charts.tsx';
import { RollRateHeatmap, problemText } from '../dashboard/dashboard-page.tsx';
import { analyticsApi, analyticsKeys, type Period } from './api.ts';
import { analyticsMessages } from './messages.ts';

const DAY = 'YYYY-MM-DD';
const STALE = 60_000;

function Loaded({ query, children }: { query: { isFetching: boolean; error: unknown; data: unknown }; children: ReactNode }) {
  const t = useMessages(analyticsMessages);
  if (query.error) return <Alert type="error" role="alert" showIcon message={t('error.load', { detail: problemText(query.error) })} />;
  return <Spin spinning={query.isFetching}>{query.data ? children : <div style={{ minHeight: 80 }} />}</Spin>;
}

export default function AnalyticsPage() {
  const t = useMessages(analyticsMessages);
  const [from, setFrom] = useState<Dayjs>(dayjs().startOf('month'));
  const [to, setTo] = useState<Dayjs>(dayjs());
  const valid = !from.isAfter(to);
  const period: Period = { from: from.format(DAY), to: to.format(DAY) };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{t('analytics.title')}</Typography.Title>
      <Typography.Text type="secondary">{t('analytics.scope')}</Typography.Text>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}><BucketHistoryCard /></Col>
        <Col xs={24} xl={12}><RunRollRatesCard /></Col>
      </Row>
      <Form layout="inline">
        <Form.Item label={t('period.from')} htmlFor="analytics-from">
          <DatePicker id="analytics-from" value={from} allowClear={false} onChange={(d) => d && setFrom(d)} />
        </Form.Item>
        <Form.Item label={t('period.to')} htmlFor="analytics-to" validateStatus={valid ? undefined : 'error'} help={valid ? undefined : t('period.invalid')}>
          <DatePicker id="analytics-to" value={to} allowClear={false} onChange={(d) => d && setTo(d)} />
        </Form.Item>
      </Form>
      {valid && (
        <>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}><PromisesCard period={period} /></Col>
            <Col xs={24} xl={12}><ContactsCard period={period} /></Col>
            <Col xs={24} xl={12}><RecoveryCard period={period} /></Col>
            <Col xs={24} xl={12}><CollectionsCard period={period} /></Col>
          </Row>
          <BlocksCard period={period} />
          <LeadersCard period={period} />
        </>
      )}
    </Space>
  );
}

function BucketHistoryCard() {
  const t = useMessages(analyticsMessages);
  const f = useFormats();
  // Paged by the server: the latest runs first, `before` walks back; the later pages are kept to walk forward again.
  const [pages, setPages] = useState<(string | undefined)[]>([undefined]);
  const before = pages[pages.length - 1];
  const q = useQuery({ queryKey: analyticsKeys.report('bucket-history', before), queryFn: () => analyticsApi.bucketHistory(before), staleTime: STALE });
  const runs = q.data?.runs ?? [];
  return (
    <Card title={t('history.title')} data-testid="bucket-history" extra={
      <Space>
        <Button size="small" disabled={!q.data?.nextBefore} onClick={() => setPages([...pages, q.data!.nextBefore!])}>{t('history.earlier')}</Button>
        <Button size="small" disabled={pages.length < 2} onClick={() => setPages(pages.slice(0, -1))}>{t('history.later')}</Button>
      </Space>
    }>
      <Loaded query={q}>
        {runs.length === 0 ? <Typography.Paragraph type="secondary">{t('history.empty')}</Typography.Paragraph> : (
          <Chart label={t('history.title')} height={300} option={{
            grid: { left: 56, right: 16, top: 40, bottom: 32 },
            legend: { top: 0, type: 'scroll' },
            tooltip: { trigger: 'axis', valueFormatter: (v) => f.number(Number(v)) },
            xAxis: { type: 'category', data: runs.map((r) => f.date(r.asOf)) },
            yAxis: { type: 'value', axisLabel: { formatter: (v: number) => f.number(v) } },
            series: (q.data?.buckets ?? []).map((bucket) => ({ type: 'bar', stack: 'accounts', name: bucket, data: runs.map((r) => r.buckets.find((b) => b.bucket === bucket)?.accounts ?? 0) })),
          }} />
        )}
      </Loaded>
    </Card>
  );
}

function RunRollRatesCard() {
  const t = useMessages(analyticsMessages);
  const q = useQuery({ queryKey: analyticsKeys.report('run-roll-rates'), queryFn: analyticsApi.runRollRates, staleTime: STALE });
  const report = q.data;
  return (
    <Card title={t('rolls.title')} data-testid="run-roll-rates">
      <Loaded query={q}>
        {report && report.from && report.to ? <RollRateHeatmap report={{ ...report, from: report.from, to: report.to }} />
          : <Typography.Paragraph type="secondary">{t('rolls.none')}</Typography.Paragraph>}
      </Loaded>
    </Card>
  );
}

function PromisesCard({ period }: { period: Period }) {
  const t = useMessages(analyticsMessages);
  const f = useFormats();
  const q = useQuery({ queryKey: analyticsKeys.report('promises', period), queryFn: () => analyticsApi.promises(period), staleTime: STALE });
  const r = q.data;
  return (
    <Card title={t('promises.title')} data-testid="promises">
      <Loaded query={q}>
        {r && (
          <>
            <Row gutter={16}>
              <Col span={6}><Statistic title={t('promises.keptRate')} value={f.percent(r.keptRate)} /></Col>
              <Col span={6}><Statistic title={t('promises.made')} value={f.number(r.made)} /></Col>
              <Col span={6}><Statistic title={t('promises.kept')} value={f.number(r.kept)} /></Col>
              <Col span={6}><Statistic title={t('promises.broken')} value={f.number(r.broken)} /></Col>
            </Row>
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {t('promises.promised')} {Object.entries(r.promised).map(([c, a]) => f.money(a, c)).join(' · ') || '—'} · {t('promises.paid')} {Object.entries(r.paid).map(([c, a]) => f.money(a, c)).join(' · ') || '—'}
            </Typography.Paragraph>
            {r.weeks.length > 0 && (
              <Chart label={t('promises.title')} height={200} option={{
                grid: { left: 48, right: 16, top: 32, bottom: 28 },
                legend: { top: 0 },
                tooltip: { trigger: 'axis' },
                xAxis: { type: 'category', data: r.weeks.map((w) => f.date(w.week)) },
                yAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => f.percent(v) } },
                series: [{ type: 'line', name: t('promises.keptRate'), data: r.weeks.map((w) => w.keptRate) }],
              }} />
            )}
          </>
        )}
      </Loaded>
    </Card>
  );
}

function ContactsCard({ period }: { period: Period }) {
  const t = useMessages(analyticsMessages);
  const f = useFormats();
  const q = useQuery({ queryKey: analyticsKeys.report('contacts', period), queryFn: () => analyticsApi.contacts(period), staleTime: STALE });
  const rows = q.data ? [...q.data.channels, { channel: t('contacts.total'), ...q.data.total }] : [];
  return (
    <Card title={t('contacts.title')} data-testid="contacts">
      <Loaded query={q}>
        <Table rowKey="channel" size="small" pagination={false} dataSource={rows} columns={[
          { title: t('contacts.channel'), dataIndex: 'channel' },
          { title: t('contacts.attempts'), dataIndex: 'attempts', align: 'right', render: (n: number) => f.number(n) },
          { title: t('contacts.connected'), dataIndex: 'connected', align: 'right', render: (n: number) => f.number(n) },
          { title: t('contacts.rightParty'), dataIndex: 'rightParty', align: 'right', render: (n: number) => f.number(n) },
          { title: t('contacts.contactRate'), dataIndex: 'contactRate', align: 'right', render: (n: number) => f.percent(n) },
          { title: t('contacts.rightPartyRate'), dataIndex: 'rightPartyRate', align: 'right', render: (n: number) => f.percent(n) },
        ]} />
      </Loaded>
    </Card>
  );
}

function RecoveryCard({ period }: { period: Period }) {
  const t = useMessages(analyticsMessages);
  const f = useFormats();
  // Vintages of the year up to the period's end.
  const p = { from: dayjs(period.to).subtract(11, 'month').startOf('month').format(DAY), to: period.to };
  const q = useQuery({ queryKey: analyticsKeys.report('recovery', p), queryFn: () => analyticsApi.recoveryCurves(p), staleTime: STALE });
  const vintages = q.data?.vintages ?? [];
  return (
    <Card title={t('recovery.title')} data-testid="recovery">
      <Loaded query={q}>
        {vintages.length === 0 ? <Typography.Paragraph type="secondary">{t('recovery.empty')}</Typography.Paragraph> : (
          <Chart label={t('recovery.title')} height={260} option={{
            grid: { left: 56, right: 16, top: 40, bottom: 40 },
            legend: { top: 0, type: 'scroll' },
            tooltip: { trigger: 'axis', valueFormatter: (v) => f.percent(Number(v)) },
            xAxis: { type: 'category', name: t('recovery.months'), nameLocation: 'middle', nameGap: 24, data: Array.from({ length: q.data!.months }, (_, i) => String(i + 1)) },
            yAxis: { type: 'value', axisLabel: { formatter: (v: number) => f.percent(v) } },
            series: vintages.map((v) => ({ type: 'line', name: t('recovery.vintage', { vintage: v.vintage, count: f.number(v.accounts) }), data: v.points.map((pt) => pt.rate) })),
          }} />
        )}
      </Loaded>
    </Card>
  );
}

function CollectionsCard({ period }: { period: Period }) {
  const t = useMessages(analyticsMessages);
  const f = useFormats();
  const q = useQuery({ queryKey: analyticsKeys.report('collections', period), queryFn: () => analyticsApi.collections(period), staleTime: STALE });
  const r = q.data;
  const currencies = [...new Set(r?.collected.flatMap((c) => Object.keys(c.amount)) ?? [])].sort();
  return (
    <Card title={t('collections.title')} data-testid="collections">
      <Loaded query={q}>
        {r && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Table rowKey="channel" size="small" pagination={false} dataSource={r.collected} columns={[
              { title: t('collections.channel'), dataIndex: 'channel' },
              { title: t('collections.payments'), dataIndex: 'payments', align: 'right', render: (n: number) => f.number(n) },
              ...currencies.map((c) => ({ title: `${t('collections.amount')} (${c})`, key: c, align: 'right' as const, render: (_: unknown, row: (typeof r.collected)[number]) => f.money(row.amount[c] ?? '0', c) })),
            ]} />
            {r.costCurrency && r.strategy ? (
              <>
                <Typography.Text strong>{t('collections.costs', { strategy: `${r.strategy.id} v${r.strategy.version}` })}</Typography.Text>
                <Table rowKey="channel" size="small" pagination={false} dataSource={r.contacts}
                  footer={() => t('collections.costTotal', { cost: f.money(r.costTotal, r.costCurrency!) })}
                  columns={[
                    { title: t('collections.contactChannel'), dataIndex: 'channel' },
                    { title: t('collections.contacts'), dataIndex: 'contacts', align: 'right', render: (n: number) => f.number(n) },
                    { title: t('collections.unitCost'), dataIndex: 'unitCost', align: 'right', render: (v: string | null) => f.money(v, r.costCurrency!) },
                    { title: t('collections.cost'), dataIndex: 'cost', align: 'right', render: (v: string | null) => f.money(v, r.costCurrency!) },
                  ]} />
              </>
            ) : <Typography.Text type="secondary">{t('collections.noStrategy')}</Typography.Text>}
          </Space>
        )}
      </Loaded>
    </Card>
  );
}

function BlocksCard({ period }: { period: Period }) {
  const t = useMessages(analyticsMessages);
  const f = useFormats();
  const q = useQuery({ queryKey: analyticsKeys.report('blocks', period), queryFn: () => analyticsApi.complianceBlocks(period), staleTime: STALE });
  const label = (prefix: 'blocks.reason' | 'blocks.decision', v: string) => {
    const key = `${prefix}.${v}` as Parameters<typeof t>[0];
    const text = t(key);
    return text === key ? v : text;
  };
  return (
    <Card title={t('blocks.title')} data-testid="compliance-blocks">
      <Loaded query={q}>
        {q.data && (
          <Row gutter={16}>
            <Col xs={24} xl={12}>
              <Typography.Text strong>{t('blocks.cycle')} ({f.number(q.data.totals.cycleDrops)})</Typography.Text>
              <Table rowKey={(r) => `${r.rule}|${r.code}|${r.reason}`} size="small" pagination={{ pageSize: 8, hideOnSinglePage: true }} dataSource={q.data.cycleDrops} columns={[
                { title: t('blocks.rule'), dataIndex: 'rule' }, { title: t('blocks.code'), dataIndex: 'code' },
                { title: t('blocks.reason'), dataIndex: 'reason', render: (v: string) => label('blocks.reason', v) },
                { title: t('blocks.count'), dataIndex: 'count', align: 'right', render: (n: number) => f.number(n) },
              ]} />
            </Col>
            <Col xs={24} xl={12}>
              <Typography.Text strong>{t('blocks.gate')} ({f.number(q.data.totals.gateVerdicts)})</Typography.Text>
              <Table rowKey={(r) => `${r.rule}|${r.code}|${r.decision}`} size="small" pagination={{ pageSize: 8, hideOnSinglePage: true }} dataSource={q.data.gateVerdicts} columns={[
                { title: t('blocks.rule'), dataIndex: 'rule' }, { title: t('blocks.code'), dataIndex: 'code' },
                { title: t('blocks.decision'), dataIndex: 'decision', render: (v: string) => label('blocks.decision', v) },
                { title: t('blocks.count'), dataIndex: 'count', align: 'right', render: (n: number) => f.number(n) },
              ]} />
            </Col>
          </Row>
        )}
      </Loaded>
    </Card>
  );
}

function LeadersCard({ period }: { period: Period }) {
  const t = useMessages(analyticsMessages);
  return (
    <Card title={t('leaders.title')} data-testid="leaderboard">
      <Typography.Paragraph type="secondary">{t('leaders.formula')}</Typography.Paragraph>
      <Tabs items={[
        { key: 'collector', label: t('leaders.collectors'), children: <LeaderTable period={period} kind="collector" /> },
        { key: 'agency', label: t('leaders.agencies'), children: <LeaderTable period={period} kind="agency" /> },
      ]} />
    </Card>
  );
}

const PAGE = 10;

function LeaderTable({ period, kind }: { period: Period; kind: 'collector' | 'agency' }) {
  const t = useMessages(analyticsMessages);
  const f = useFormats();
  const [page, setPage] = useState(1);
  const query = { ...period, kind, offset: (page - 1) * PAGE, limit: PAGE };
  const q = useQuery({ queryKey: analyticsKeys.report('leaderboard', query), queryFn: () => analyticsApi.leaderboard(query), staleTime: STALE });
  const currency = q.data?.currency ?? 'CNY';
  return (
    <Table rowKey="id" size="small" loading={q.isFetching} dataSource={q.data?.entries ?? []} scroll={{ x: true }}
      pagination={{ current: page, pageSize: PAGE, total: q.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
      columns={[
        { title: t('leaders.rank'), dataIndex: 'rank', width: 64 },
        { title: t('leaders.id'), dataIndex: 'id' },
        { title: t('leaders.score'), dataIndex: 'score', align: 'right', render: (n: number) => f.number(n) },
        { title: t('leaders.keptRate'), dataIndex: 'keptRate', align: 'right', render: (n: number) => f.percent(n) },
        { title: t('leaders.rightPartyRate'), dataIndex: 'rightPartyRate', align: 'right', render: (n: number) => f.percent(n) },
        { title: t('leaders.recovered'), dataIndex: 'recovered', align: 'right', render: (v: string) => f.money(v, currency) },
        { title: t('leaders.recoveryIndex'), dataIndex: 'recoveryIndex', align: 'right', render: (n: number) => f.percent(n) },
        { title: t('leaders.complaints'), dataIndex: 'complaints', align: 'right', render: (n: number) => f.number(n) },
        { title: t('leaders.blocks'), dataIndex: 'complianceBlocks', align: 'right', render: (n: number) => f.number(n) },
        { title: t('leaders.incidentRate'), dataIndex: 'incidentRate', align: 'right', render: (n: number) => f.number(n) },
      ]} />
  );
}
