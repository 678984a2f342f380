/**
 * The supervisor's screen: live team KPIs (contacts, right-party contacts, promises and their kept
 * rate per collector, today, refreshed every 20 s), the team queues with their work items and
 * reassignment, and the approval inbox (approve / reject with the tier each needs; never one's own
 * proposal — four eyes).
 */
import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { ApiError } from '../../api/client.ts';
import { useFormats, useMessages } from '../../i18n/i18n.tsx';
import { supervisorMessages } from './messages.ts';
import { ITEMS_PAGE, supervisorApi, supervisorKeys, type ActivityRow, type InboxItem, type KeptRateRow, type WorkItem } from './api.ts';

export const KPI_REFRESH_MS = 20_000;
const detailOf = (e: unknown) => (e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e));

interface KpiRow extends ActivityRow { made: number; kept: number; broken: number; open: number; keptRate: number | null }

export function mergeKpis(activity: ActivityRow[], kept: KeptRateRow[]): KpiRow[] {
  const keys = [...new Set([...activity.map((a) => a.key), ...kept.map((k) => k.key)])].sort();
  return keys.map((key) => {
    const a = activity.find((x) => x.key === key);
    const k = kept.find((x) => x.key === key);
    return {
      key, contacts: a?.contacts ?? 0, connected: a?.connected ?? 0, rightPartyContacts: a?.rightPartyContacts ?? 0, promiseDispositions: a?.promiseDispositions ?? 0,
      made: k?.made ?? 0, kept: k?.kept ?? 0, broken: k?.broken ?? 0, open: k?.open ?? 0, keptRate: k?.keptRate ?? null,
    };
  });
}

function Kpis() {
  const t = useMessages(supervisorMessages);
  const f = useFormats();
  const kpis = useQuery({
    queryKey: supervisorKeys.kpis,
    queryFn: async () => {
      const activity = await supervisorApi.activity();
      const kept = await supervisorApi.keptRate(activity.from, activity.to);
      return { date: activity.to, rows: mergeKpis(activity.rows, kept.rows), at: new Date().toISOString() };
    },
    refetchInterval: KPI_REFRESH_MS,
  });
  const cell = (name: string) => (v: number) => <span data-kpi={name}>{f.number(v)}</span>;
  return (
    <Card size="small" title={t('kpi.title', { date: kpis.data ? f.date(kpis.data.date) : '' })} extra={kpis.data && <Typography.Text type="secondary">{t('kpi.refresh', { seconds: KPI_REFRESH_MS / 1000, at: f.dateTime(kpis.data.at) })}</Typography.Text>}>
      {kpis.error && <Alert type="error" showIcon message={detailOf(kpis.error)} />}
      <Table<KpiRow> size="small" rowKey="key" loading={kpis.isPending} dataSource={kpis.data?.rows ?? []} pagination={false} locale={{ emptyText: t('kpi.empty') }}
        onRow={(r) => ({ 'data-testid': `kpi-${r.key}` } as React.HTMLAttributes<HTMLElement>)}
        columns={[
          { title: t('kpi.collector'), dataIndex: 'key' },
          { title: t('kpi.contacts'), dataIndex: 'contacts', align: 'right', render: cell('contacts') },
          { title: t('kpi.connected'), dataIndex: 'connected', align: 'right', render: cell('connected') },
          { title: t('kpi.rightParty'), dataIndex: 'rightPartyContacts', align: 'right', render: cell('rightParty') },
          { title: t('kpi.promises'), dataIndex: 'made', align: 'right', render: cell('promises') },
          { title: t('kpi.kept'), dataIndex: 'kept', align: 'right', render: cell('kept') },
          { title: t('kpi.broken'), dataIndex: 'broken', align: 'right', render: cell('broken') },
          { title: t('kpi.open'), dataIndex: 'open', align: 'right', render: cell('open') },
          { title: t('kpi.keptRate'), dataIndex: 'keptRate', align: 'right', render: (v: number | null) => <span data-kpi="keptRate">{v === null ? t('kpi.pending') : f.percent(v)}</span> },
        ]} />
    </Card>
  );
}

function ReassignDialog({ item, onClose }: { item: WorkItem | null; onClose(done?: string): void }) {
  const t = useMessages(supervisorMessages);
  const [form] = Form.useForm<{ to: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async ({ to }: { to: string }) => {
    setBusy(true);
    try {
      await supervisorApi.reassign(item!.id, to.trim());
      onClose(t('reassign.done', { id: item!.id, to: to.trim() }));
    } catch (e) {
      form.setFields([{ name: 'to', errors: [detailOf(e)] }]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={item !== null} title={item ? t('reassign.title', { id: item.id }) : ''} onCancel={() => onClose()} footer={null} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} name="reassign">
        <Form.Item label={t('reassign.to')} name="to" rules={[{ required: true, whitespace: true, message: t('reassign.required') }]}><Input autoFocus autoComplete="off" /></Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={busy}>{t('reassign.submit')}</Button>
          <Button onClick={() => onClose()}>{t('reassign.cancel')}</Button>
        </Space>
      </Form>
    </Modal>
  );
}

function Queues() {
  const t = useMessages(supervisorMessages);
  const f = useFormats();
  const client = useQueryClient();
  const teams = useQuery({ queryKey: supervisorKeys.teams, queryFn: supervisorApi.teams, refetchInterval: KPI_REFRESH_MS });
  const [team, setTeam] = useState<string | null>(null);
  const [status, setStatus] = useState<string | undefined>('open');
  const [reassigning, setReassigning] = useState<WorkItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const q = { ...(team ? { team } : {}), ...(status ? { status } : {}), limit: ITEMS_PAGE };
  // Paged on the server: each "show more" asks for the page below the last item shown (its nextBefore).
  const pages = useInfiniteQuery({
    queryKey: supervisorKeys.items(q), enabled: team !== null, initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => supervisorApi.items({ ...q, ...(pageParam ? { before: pageParam } : {}) }),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  const shownItems = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const word = (prefix: string, code: string) => {
    const key = `${prefix}.${code}` as Parameters<typeof t>[0];
    return t(key) === key ? code : t(key);
  };
  return (
    <Card size="small" title={t('teams.title')}>
      <Table size="small" rowKey="teamId" loading={teams.isPending} dataSource={teams.data?.teams ?? []} pagination={false}
        columns={[
          { title: t('teams.team'), dataIndex: 'teamId', render: (id: string, r) => (r.name ? `${r.name} (${id})` : id) },
          { title: t('teams.members'), dataIndex: 'members', align: 'right' },
          { title: t('teams.open'), dataIndex: 'openItems', align: 'right', render: (v: number, r) => <span data-testid={`team-open-${r.teamId}`}>{f.number(v)}</span> },
          { title: t('teams.inProgress'), dataIndex: 'inProgress', align: 'right' },
          { title: '', key: 'show', render: (_, r) => <Button size="small" onClick={() => setTeam(r.teamId)}>{t('teams.show')}</Button> },
        ]} />
      {team && (
        <div style={{ marginTop: 12 }} data-testid="team-items">
          <Space style={{ marginBottom: 8 }} wrap>
            <Typography.Text strong>{t('items.title', { team })}</Typography.Text>
            <label htmlFor="items-status">{t('items.status')}</label>
            <Select id="items-status" style={{ width: 140 }} value={status ?? ''} onChange={(v) => setStatus(v || undefined)}
              options={[{ value: '', label: t('items.anyStatus') }, ...['open', 'in_progress', 'done', 'cancelled'].map((s) => ({ value: s, label: word('status', s) }))]} />
          </Space>
          {notice && <Alert type="success" showIcon closable message={notice} onClose={() => setNotice(null)} style={{ marginBottom: 8 }} data-testid="reassign-done" />}
          <Table<WorkItem> size="small" rowKey="id" loading={pages.isFetching} dataSource={shownItems} pagination={false}
            columns={[
              { title: t('items.id'), dataIndex: 'id' },
              { title: t('items.kind'), dataIndex: 'kind', render: (k: string) => word('kind', k) },
              { title: t('items.account'), dataIndex: 'accountId' },
              { title: t('items.status'), dataIndex: 'status', render: (s: string) => <Tag>{word('status', s)}</Tag> },
              { title: t('items.priority'), dataIndex: 'priority', align: 'right' },
              { title: t('items.assignedTo'), dataIndex: 'assignedTo', render: (v: string | null) => v ?? '—' },
              { title: t('items.lockedBy'), dataIndex: 'lockedBy', render: (v: string | null) => v ?? '—' },
              { title: t('items.notBefore'), dataIndex: 'notBefore', render: (v: string) => f.dateTime(v) },
              { title: '', key: 'reassign', render: (_, r) => (r.status === 'open' || r.status === 'in_progress') && <Button size="small" onClick={() => setReassigning(r)}>{t('items.reassign')}</Button> },
            ]} />
          <Space style={{ marginTop: 8 }}>
            <Typography.Text type="secondary">{t('items.rows', { count: shownItems.length })}</Typography.Text>
            {pages.hasNextPage && <Button size="small" loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>{t('items.more')}</Button>}
          </Space>
        </div>
      )}
      <ReassignDialog item={reassigning} onClose={(done) => {
        setReassigning(null);
        if (done) {
          setNotice(done);
          void client.invalidateQueries({ queryKey: ['supervisor'] });
        }
      }} />
    </Card>
  );
}

function Inbox() {
  const t = useMessages(supervisorMessages);
  const f = useFormats();
  const client = useQueryClient();
  const inbox = useInfiniteQuery({
    queryKey: supervisorKeys.inbox, initialPageParam: 0, refetchInterval: KPI_REFRESH_MS,
    queryFn: ({ pageParam }) => supervisorApi.inbox(pageParam),
    getNextPageParam: (last) => last.nextOffset ?? undefined,
  });
  const first = inbox.data?.pages[0];
  const inboxItems = inbox.data?.pages.flatMap((p) => p.items) ?? [];
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const decide = useMutation({
    mutationFn: ({ item, decision }: { item: InboxItem; decision: 'approve' | 'reject' }) => supervisorApi.decide(item, decision),
    onSuccess: (r) => {
      setResult({ ok: true, text: t('inbox.decided', { kind: t(`ik.${r.kind}` as Parameters<typeof t>[0]), id: r.id, status: t(`decision.${r.status}` as Parameters<typeof t>[0]) }) });
      void client.invalidateQueries({ queryKey: ['supervisor'] });
    },
    onError: (e) => setResult({ ok: false, text: t('inbox.failed', { detail: detailOf(e) }) }),
  });
  const tier = (x: string) => t(`tier.${x}` as Parameters<typeof t>[0]);
  return (
    <Card size="small" title={t('inbox.title')} extra={first && <Typography.Text type="secondary">{first.tier ? t('inbox.myTier', { tier: tier(first.tier) }) : t('inbox.noTier')}</Typography.Text>} data-testid="inbox">
      {result && <Alert type={result.ok ? 'success' : 'error'} showIcon message={result.text} style={{ marginBottom: 8 }} data-testid="inbox-result" />}
      <Table<InboxItem> size="small" rowKey={(r) => `${r.kind}:${r.id}`} loading={inbox.isPending} dataSource={inboxItems} locale={{ emptyText: t('inbox.empty') }}
        pagination={false}
        columns={[
          { title: t('inbox.kind'), dataIndex: 'kind', render: (k: string) => t(`ik.${k}` as Parameters<typeof t>[0]) },
          { title: t('inbox.account'), dataIndex: 'accountId' },
          { title: t('inbox.what'), dataIndex: 'what' },
          { title: t('inbox.tier'), dataIndex: 'requiredTier', render: (x: string) => <Tag>{tier(x)}</Tag> },
          { title: t('inbox.proposedBy'), dataIndex: 'proposedBy', render: (v: string | null) => v ?? '—' },
          { title: t('inbox.proposedOn'), dataIndex: 'proposedOn', render: (d: string) => f.date(d) },
          { title: t('inbox.origin'), dataIndex: 'origin' },
          {
            title: '', key: 'decide', render: (_, r) => {
              const buttons = (
                <Space>
                  <Button size="small" type="primary" disabled={!r.mayDecide} loading={decide.isPending} onClick={() => decide.mutate({ item: r, decision: 'approve' })}>{t('inbox.approve')}</Button>
                  <Button size="small" danger disabled={!r.mayDecide} onClick={() => decide.mutate({ item: r, decision: 'reject' })}>{t('inbox.reject')}</Button>
                </Space>
              );
              return r.mayDecide ? buttons : <Tooltip title={t('inbox.cannot', { tier: tier(r.requiredTier) })}>{buttons}</Tooltip>;
            },
          },
        ]} />
      {inbox.hasNextPage && (
        <Button size="small" style={{ marginTop: 8 }} loading={inbox.isFetchingNextPage} onClick={() => void inbox.fetchNextPage()}>{t('inbox.more')}</Button>
      )}
    </Card>
  );
}

export default function SupervisorPage() {
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Kpis />
      <Queues />
      <Inbox />
    </Space>
  );
}
