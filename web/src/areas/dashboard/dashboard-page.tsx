/**
 * What the portfolio looks like now: the bucket distribution (stored results of the last aging run, or
 * computed for a chosen date) and the roll-rate matrix between two dates as a heatmap. Both are
 * aggregated on the server (GET /reports/…), over the caller's data scope.
 */
import { useState } from 'react';
import { Alert, Card, Col, DatePicker, Form, Row, Space, Spin, Table, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { ApiError } from '../../api/client.ts';
import { useAuth } from '../../app/auth.tsx';
import { useFormats, useMessages } from '../../i18n/i18n.tsx';
import { Chart } from './charts.tsx';
import { reportKeys, reportsApi, type BucketReport, type RollRateReport } from './api.ts';
import { dashboardMessages } from './messages.ts';

const DAY = 'YYYY-MM-DD';

export function problemText(e: unknown): string {
  return e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e);
}

export default function DashboardPage() {
  const t = useMessages(dashboardMessages);
  const [asOf, setAsOf] = useState<Dayjs | null>(null);
  const buckets = useQuery({ queryKey: reportKeys.buckets(asOf?.format(DAY)), queryFn: () => reportsApi.buckets(asOf?.format(DAY)), staleTime: 60_000 });
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{t('dashboard.title')}</Typography.Title>
      <BucketsCard report={buckets.data} loading={buckets.isFetching} error={buckets.error} asOf={asOf} setAsOf={setAsOf} />
      <RollRatesCard latest={buckets.data && buckets.data.source === 'aging_run' ? buckets.data.asOf : null} />
    </Space>
  );
}

function BucketsCard({ report, loading, error, asOf, setAsOf }: { report: BucketReport | undefined; loading: boolean; error: unknown; asOf: Dayjs | null; setAsOf(d: Dayjs | null): void }) {
  const t = useMessages(dashboardMessages);
  const f = useFormats();
  const total = report?.accounts ?? 0;
  const currencies = [...new Set(report?.buckets.flatMap((b) => Object.keys(b.balance)) ?? [])].sort();
  const subtitle = !report ? '' : report.source === 'computed' ? t('buckets.computedFor', { date: f.date(report.asOf) }) : report.asOf ? t('buckets.latest', { date: f.date(report.asOf) }) : t('buckets.noRun');
  return (
    <Card title={t('buckets.title')} extra={
      <Form layout="inline">
        <Form.Item label={t('buckets.asOf')} htmlFor="buckets-as-of" tooltip={t('buckets.asOfHelp')} style={{ margin: 0 }}>
          <DatePicker id="buckets-as-of" value={asOf} onChange={setAsOf} allowClear disabledDate={(d) => d.isAfter(dayjs())} />
        </Form.Item>
      </Form>
    }>
      {error ? <Alert type="error" role="alert" showIcon message={t('error.load', { detail: problemText(error) })} /> : (
        <Spin spinning={loading}>
          <Typography.Paragraph type="secondary" data-testid="buckets-subtitle">{subtitle}</Typography.Paragraph>
          <Row gutter={[24, 16]}>
            <Col xs={24} xl={12}>
              <Chart label={t('buckets.title')} height={280} option={{
                grid: { left: 56, right: 16, top: 16, bottom: 32 },
                tooltip: { trigger: 'axis', valueFormatter: (v) => f.number(Number(v)) },
                xAxis: { type: 'category', data: report?.buckets.map((b) => b.bucket) ?? [], name: t('buckets.bucket'), nameLocation: 'middle', nameGap: 24 },
                yAxis: { type: 'value', axisLabel: { formatter: (v: number) => f.number(v) } },
                series: [{ type: 'bar', name: t('buckets.accounts'), data: report?.buckets.map((b) => b.accounts) ?? [], itemStyle: { color: '#1677ff' } }],
              }} />
            </Col>
            <Col xs={24} xl={12}>
              <Table rowKey="bucket" size="small" pagination={false} dataSource={report?.buckets ?? []} data-testid="bucket-table"
                footer={() => t('buckets.total', { count: f.number(total) })}
                columns={[
                  { title: t('buckets.bucket'), dataIndex: 'bucket' },
                  { title: t('buckets.accounts'), dataIndex: 'accounts', align: 'right', render: (n: number) => f.number(n) },
                  { title: t('buckets.share'), key: 'share', align: 'right', render: (_, b) => f.percent(total ? b.accounts / total : 0) },
                  ...currencies.map((c) => ({ title: `${t('buckets.balance')} (${c})`, key: `balance-${c}`, align: 'right' as const, render: (_: unknown, b: BucketReport['buckets'][number]) => f.money(b.balance[c] ?? '0', c) })),
                ]} />
            </Col>
          </Row>
        </Spin>
      )}
    </Card>
  );
}

function RollRatesCard({ latest }: { latest: string | null }) {
  const t = useMessages(dashboardMessages);
  const { me, can } = useAuth();
  const end = latest ? dayjs(latest) : dayjs();
  const [range, setRange] = useState<{ from: Dayjs; to: Dayjs } | null>(null);
  // Unscoped callers with the portfolio dashboards open on the moves the last aging run stored (one read,
  // fast on any portfolio); a chosen range, a scoped caller, or a single run ages on the fly.
  const storedAllowed = range === null && me?.scope.kind === 'all' && can('reports:read');
  const stored = useQuery({ queryKey: reportKeys.runRollRates(), queryFn: reportsApi.runRollRates, enabled: storedAllowed, staleTime: 60_000 });
  const useStored = storedAllowed && stored.data?.from != null && stored.data.to != null;
  const from = range?.from ?? (useStored ? dayjs(stored.data!.from) : end.subtract(1, 'month'));
  const to = range?.to ?? (useStored ? dayjs(stored.data!.to) : end);
  const valid = from.isBefore(to);
  const computed = useQuery({
    queryKey: reportKeys.rollRates(from.format(DAY), to.format(DAY)),
    queryFn: () => reportsApi.rollRates(from.format(DAY), to.format(DAY)),
    enabled: valid && !useStored && (!storedAllowed || stored.isSuccess || stored.isError),
    staleTime: 60_000,
  });
  const rolls = useStored
    ? { data: { ...stored.data!, from: stored.data!.from!, to: stored.data!.to! } as RollRateReport, error: stored.error, isFetching: stored.isFetching }
    : { data: computed.data, error: computed.error, isFetching: computed.isFetching || (storedAllowed && stored.isFetching) };
  return (
    <Card title={t('rolls.title')} extra={
      <Form layout="inline">
        <Form.Item label={t('rolls.from')} htmlFor="rolls-from" style={{ margin: 0 }}>
          <DatePicker id="rolls-from" value={from} allowClear={false} onChange={(d) => d && setRange({ from: d, to })} />
        </Form.Item>
        <Form.Item label={t('rolls.to')} htmlFor="rolls-to" style={{ margin: 0 }}>
          <DatePicker id="rolls-to" value={to} allowClear={false} onChange={(d) => d && setRange({ from, to: d })} />
        </Form.Item>
      </Form>
    }>
      {!valid ? <Alert type="warning" role="alert" showIcon message={t('rolls.range')} />
        : rolls.error ? <Alert type="error" role="alert" showIcon message={t('error.load', { detail: problemText(rolls.error) })} />
          : <Spin spinning={rolls.isFetching}>{rolls.data && <RollRateHeatmap report={rolls.data} />}</Spin>}
    </Card>
  );
}

/** Also the analytics page's (run over run, from the stored moves). */
export function RollRateHeatmap({ report }: { report: RollRateReport }) {
  const t = useMessages(dashboardMessages);
  const f = useFormats();
  if (report.accounts === 0) return <Typography.Paragraph type="secondary">{t('rolls.empty')}</Typography.Paragraph>;
  const cells = report.rows.flatMap((row, y) => row.cells.map((cell, x) => ({ value: [x, y, cell.rate], from: row.from, to: cell.to, count: cell.accounts })));
  return (
    <>
      <Typography.Paragraph type="secondary" data-testid="rolls-subtitle">
        {f.date(report.from)} → {f.date(report.to)} · {t('rolls.accounts', { count: f.number(report.accounts) })}
      </Typography.Paragraph>
      <Chart label={t('rolls.title')} height={360} option={{
        grid: { left: 72, right: 96, top: 8, bottom: 48 },
        tooltip: {
          formatter: (p) => {
            const d = (p as unknown as { data: (typeof cells)[number] }).data;
            return t('rolls.tooltip', { from: d.from, to: d.to, rate: f.percent(d.value[2]!), count: f.number(d.count) });
          },
        },
        xAxis: { type: 'category', data: report.buckets, name: t('rolls.toBucket'), nameLocation: 'middle', nameGap: 28, splitArea: { show: true } },
        yAxis: { type: 'category', data: report.buckets, name: t('rolls.fromBucket'), nameLocation: 'middle', nameGap: 48, inverse: true, splitArea: { show: true } },
        visualMap: { min: 0, max: 1, calculable: true, orient: 'vertical', right: 0, top: 'middle', itemHeight: 200, formatter: (v) => f.percent(Number(v)) },
        series: [{
          type: 'heatmap', data: cells,
          label: { show: true, formatter: (p) => { const v = (p as unknown as { data: (typeof cells)[number] }).data.value[2]!; return v > 0 ? f.percent(v) : ''; } },
          emphasis: { itemStyle: { shadowBlur: 8, shadowColor: 'rgba(0,0,0,0.4)' } },
        }],
      }} />
    </>
  );
}
