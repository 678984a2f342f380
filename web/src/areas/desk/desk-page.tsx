/**
 * The collector desk: take the next case (claimed for me), see the Account 360 (masked; unmask is a
 * permission and audited), the compliance indicator and the number to dial, start the call, follow the
 * script with the right-party check, then — with the cardholder verified — the debt details, a promise
 * to pay or a repayment plan with its live schedule, and the outcome with the delinquency reason and the
 * checked note. The outcome closes the contact and completes the work item.
 */
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Empty, List, Row, Select, Space, Spin, Tabs, Tag, Typography } from 'antd';
import { EyeOutlined, PhoneOutlined, StepForwardOutlined } from '@ant-design/icons';
import { ApiError } from '../../api/client.ts';
import { useAuth } from '../../app/auth.tsx';
import { useFormats, useMessages } from '../../i18n/i18n.tsx';
import { portfolioApi } from '../portfolio/api.ts';
import { UnmaskDialog } from '../portfolio/unmask-form.tsx';
import { deskApi, deskKeys, PROMISE_DAYS_AHEAD_MAX, type Contact, type ContactSession, type MyItem } from './api.ts';
import { deskMessages } from './messages.ts';
import { ComplianceIndicator } from './compliance-indicator.tsx';
import { RightPartyCheckForm } from './rpc-form.tsx';
import { OutcomeForm } from './outcome-form.tsx';
import { PromiseForm } from './promise-form.tsx';
import { PlanForm } from './plan-form.tsx';

/** The case I work on: from "next case" (with its score) or resumed from the items I hold. */
interface Held { id: number; kind: string; accountId: string | null; priority: number; score: number | null; reason: string | null; lockedUntil: string | null; destinationRef: string | null }

const detailOf = (e: unknown) => (e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e));

export default function DeskPage() {
  const t = useMessages(deskMessages);
  const f = useFormats();
  const auth = useAuth();
  const client = useQueryClient();
  const [held, setHeld] = useState<Held | null>(null);
  const [empty, setEmpty] = useState(false);
  const [contact, setContact] = useState<Contact | null>(null);
  const [verified, setVerified] = useState(false);
  const [done, setDone] = useState(false);
  const [number, setNumber] = useState<string | undefined>(undefined);
  const [callError, setCallError] = useState<string | null>(null);
  const [unmasking, setUnmasking] = useState(false);

  /** A code in words, or as it is when the catalog has no word for it (e.g. a message's delivery outcome). */
  const word = (prefix: string, code: string) => {
    const key = `${prefix}.${code}` as Parameters<typeof t>[0];
    return t(key) === key ? code : t(key);
  };
  const reset = () => {
    setContact(null);
    setVerified(false);
    setDone(false);
    setNumber(undefined);
    setCallError(null);
  };
  const mine = useQuery({ queryKey: deskKeys.mine, queryFn: deskApi.mine, refetchInterval: 30_000 });
  const refreshMine = () => void client.invalidateQueries({ queryKey: deskKeys.mine });
  const take = (h: Held | null) => {
    reset();
    setHeld(h);
    setNumber(h?.destinationRef ?? undefined);
    refreshMine();
  };
  const next = useMutation({
    mutationFn: deskApi.next,
    onSuccess: (r) => {
      const c = r.case;
      take(c ? { ...c.workItem, destinationRef: c.destination?.ref ?? null } : null);
      setEmpty(c === null);
    },
  });
  const resume = (i: MyItem) => {
    take({ ...i, score: null });
    setEmpty(false);
  };
  const release = useMutation({
    mutationFn: (id: number) => deskApi.release(id),
    onSuccess: () => take(null),
  });
  const accountId = held?.accountId ?? null;
  const session: ContactSession | null = contact && verified ? { contactId: contact.contactId, token: contact.token } : null;
  const c360 = useQuery({
    queryKey: deskKeys.account360(accountId ?? '', session?.contactId ?? null),
    queryFn: ({ signal }) => deskApi.account360(accountId!, session, signal),
    enabled: accountId !== null && !done,
    // While the debt is released for the contact, keep showing this account (never another case's).
    placeholderData: (previous, query) => (query?.queryKey[2] === accountId ? previous : undefined),
  });
  const start = useMutation({
    mutationFn: (ref: string) => deskApi.startContact(accountId!, ref, held!.id),
    onSuccess: (c) => {
      setCallError(null);
      setContact(c);
    },
    onError: (e) => setCallError(t('call.refused', { detail: detailOf(e) })),
  });

  const party = (role: string) => t(`party.${role}` as Parameters<typeof t>[0]);
  const v = c360.data;
  const currency = v?.account.currency ?? 'CNY';
  const timeZone = v?.customer.timeZone ?? 'Asia/Shanghai';
  const details = v?.debt.details ?? null;

  const queue = (
    <Card size="small" title={t('queue.title')} data-testid="queue">
      <Space wrap>
        <Button type="primary" icon={<StepForwardOutlined />} loading={next.isPending} onClick={() => next.mutate()} disabled={held !== null && !done}>{t('queue.next')}</Button>
        {held && !done && <Button onClick={() => release.mutate(held.id)} loading={release.isPending} disabled={contact !== null}>{t('queue.release')}</Button>}
        {held && (
          <span data-testid="held-case">
            {t('queue.holding', { id: held.id, kind: word('kind', held.kind), account: held.accountId ?? '—', until: f.dateTime(held.lockedUntil) })}
            {' · '}{held.score === null ? t('queue.priority', { priority: held.priority }) : t('queue.score', { score: f.number(held.score), priority: held.priority })}
            {held.reason ? ` · ${held.reason}` : ''}
          </span>
        )}
      </Space>
      {mine.data && (
        <div style={{ marginTop: 8 }} data-testid="my-queue">
          <Space wrap size="large">
            {mine.data.team && <span data-testid="team-counts">{t('queue.team', { team: mine.data.team.teamId, open: f.number(mine.data.team.openItems), inProgress: f.number(mine.data.team.inProgress) })}</span>}
            <span>{t('queue.assigned', { count: f.number(mine.data.assigned.length) })}</span>
            {mine.data.held.filter((i) => i.id !== held?.id).map((i) => (
              <Button key={i.id} size="small" onClick={() => resume(i)} disabled={contact !== null && !done}>{t('queue.resume', { id: i.id, account: i.accountId ?? '—' })}</Button>
            ))}
          </Space>
        </div>
      )}
      {next.error && <Alert type="error" role="alert" showIcon message={detailOf(next.error)} style={{ marginTop: 8 }} />}
      {empty && <Alert type="info" showIcon message={t('queue.empty')} style={{ marginTop: 8 }} data-testid="queue-empty" />}
    </Card>
  );
  if (!held || !accountId) return <Space direction="vertical" style={{ width: '100%' }}>{queue}</Space>;
  if (!v) return <Space direction="vertical" style={{ width: '100%' }}>{queue}{c360.error ? <Alert type="error" showIcon message={detailOf(c360.error)} /> : <Spin />}</Space>;

  // The case's number, else the one the compliance indicator says to dial (a resumed case has none of its own).
  const chosen = number ?? v.compliance?.number?.ref;
  const numbers = v.compliance?.numbers ?? v.customer.phones.map((p, i) => ({ ref: `phone:${i}`, masked: p.number, party: p.role, decision: 'allow' as const }));
  const script = (
    <Card size="small" title={<span><PhoneOutlined /> {t('script.title')}</span>} data-testid="call">
      {!contact ? (
        <Space wrap align="end">
          <div>
            <label htmlFor="desk-number" style={{ display: 'block', marginBottom: 4 }}>{t('call.number')}</label>
            <Select id="desk-number" style={{ width: 280 }} value={chosen} onChange={setNumber}
              options={numbers.map((n) => ({ value: n.ref, label: `${n.masked} · ${party(n.party)} · ${n.ref}`, disabled: n.decision !== 'allow' }))} />
          </div>
          <Button type="primary" icon={<PhoneOutlined />} disabled={!chosen} loading={start.isPending} onClick={() => start.mutate(chosen!)}>{t('call.start')}</Button>
          {callError && <Alert type="error" role="alert" showIcon message={callError} />}
        </Space>
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text data-testid="on-the-line">{t('call.active', { number: contact.destination.masked, party: party(contact.destination.party), until: f.dateTime(contact.expiresAt) })}</Typography.Text>
          <Typography.Paragraph style={{ marginBottom: 4 }}>{t('script.greeting', { user: auth.me?.name ?? '', name: v.customer.name })}</Typography.Paragraph>
          <Typography.Paragraph style={{ marginBottom: 4 }}>{t('script.verify')}</Typography.Paragraph>
          <Typography.Paragraph type="secondary">{t('script.thirdParty')}</Typography.Paragraph>
          {!done && (
            <>
              <Typography.Title level={5}>{t('rpc.title')}</Typography.Title>
              <RightPartyCheckForm onSubmit={(name, last4) => deskApi.rightPartyCheck(contact, name, last4)} onPassed={() => setVerified(true)} />
            </>
          )}
        </Space>
      )}
    </Card>
  );

  const tabs = contact && (
    <Card size="small">
      <Tabs items={[
        ...(verified && !done ? [
          { key: 'promise', label: t('promise.title'), children: <PromiseForm currency={currency} today={v.asOf} daysAheadMax={PROMISE_DAYS_AHEAD_MAX} onSubmit={async (input) => {
            const r = await deskApi.promise(accountId, session, input);
            void client.invalidateQueries({ queryKey: ['desk', '360', accountId] });
            return r;
          }} /> },
          {
            key: 'plan', label: t('plan.title'), children: (
              <PlanForm currency={currency} quote={(input) => deskApi.quote(accountId, session, input)} propose={async (input) => {
                const r = await deskApi.propose(accountId, session, input);
                void client.invalidateQueries({ queryKey: ['desk', '360', accountId] });
                return r;
              }}
                uploadEvidence={(file) => deskApi.uploadEvidence(accountId, file)} />
            ),
          },
        ] : []),
        {
          key: 'outcome', label: t('outcome.title'), children: (
            <OutcomeForm rightPartyVerified={verified} onSubmit={(input) => deskApi.outcome(contact, input)} onSaved={() => {
              setDone(true);
              refreshMine();
            }} />
          ),
        },
      ]} />
    </Card>
  );

  const account = (
    <Card size="small" title={t('c360.title')} data-testid="account-360" data-account={v.account.id} extra={auth.can('pii:unmask') && <Button size="small" icon={<EyeOutlined />} onClick={() => setUnmasking(true)}>{t('c360.unmask')}</Button>}>
      <Descriptions size="small" column={2}>
        <Descriptions.Item label={t('c360.name')}>{v.customer.name}</Descriptions.Item>
        <Descriptions.Item label={t('c360.nationalId')}><span data-testid="national-id">{v.customer.nationalId ?? '—'}</span></Descriptions.Item>
        <Descriptions.Item label={t('c360.account')}>{v.account.id} · {v.account.currency}</Descriptions.Item>
        <Descriptions.Item label={t('c360.language')}>{v.customer.language}</Descriptions.Item>
      </Descriptions>
      {details ? (
        <Descriptions size="small" column={3} bordered data-testid="debt">
          <Descriptions.Item label={t('c360.balance')}>{f.money(details.balances.balance, currency)}</Descriptions.Item>
          <Descriptions.Item label={t('c360.overdue')}>{f.money(details.balances.overdue, currency)}</Descriptions.Item>
          <Descriptions.Item label={t('c360.minimumDue')}>{f.money(details.balances.minimumDue, currency)}</Descriptions.Item>
          <Descriptions.Item label={t('c360.dueDate')}>{f.date(details.balances.dueDate)}</Descriptions.Item>
          <Descriptions.Item label={t('c360.daysPastDue')}>{f.number(details.daysPastDue)}</Descriptions.Item>
          <Descriptions.Item label={t('c360.bucket')}><Tag>{details.bucket}</Tag></Descriptions.Item>
        </Descriptions>
      ) : null}
      {details && (details.promises?.length || details.proposals?.length || details.plans?.length) ? (
        <div data-testid="arrangements" style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">{t('c360.arrangements')}</Typography.Text>
          {(details.promises ?? []).slice(0, 3).map((p) => (
            <div key={`p${p.promiseId}`}>{t('c360.promise', { id: p.promiseId, amount: f.money(p.amount, p.currency), date: f.date(p.promisedOn) })} <Tag>{word('ps', p.status)}</Tag></div>
          ))}
          {(details.proposals ?? []).slice(0, 3).map((p) => (
            <div key={`q${p.proposalId}`} data-testid={`proposal-${p.proposalId}`}>
              {t('c360.proposal', { id: p.proposalId, total: f.money(p.quote.total, p.quote.currency), months: p.quote.termMonths })} <Tag>{word('qs', p.status)}</Tag>
              {p.status === 'proposed' ? t('plan.tier', { tier: word('tier', p.requiredTier) }) : ''}
            </div>
          ))}
        </div>
      ) : null}
      {details ? null : (
        <Alert type="info" showIcon message={t('c360.debtHidden')} data-testid="debt-hidden" />
      )}
    </Card>
  );

  const side = (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card size="small" title={t('comp.title')}>{v.compliance ? <ComplianceIndicator compliance={v.compliance} timeZone={timeZone} /> : <Empty />}</Card>
      <Card size="small" title={t('c360.history')}>
        <List size="small" dataSource={v.contactHistory.slice(0, 8)} locale={{ emptyText: t('c360.none') }} pagination={false}
          renderItem={(h) => <List.Item>{h.at ? f.dateTime(h.at, timeZone) : ''} · {h.channel} · {h.destinationMasked ?? ''} · {h.outcome ? word('o', h.outcome) : ''}</List.Item>} />
      </Card>
      <Card size="small" title={t('c360.notes')}>
        <List size="small" dataSource={v.notes.slice(0, 5)} locale={{ emptyText: t('c360.none') }} renderItem={(n) => <List.Item>{n.text}</List.Item>} />
      </Card>
    </Space>
  );

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {queue}
      <Row gutter={12}>
        <Col span={15}><Space direction="vertical" style={{ width: '100%' }}>{account}{script}{tabs}</Space></Col>
        <Col span={9}>{side}</Col>
      </Row>
      {auth.can('pii:unmask') && <UnmaskDialog open={unmasking} onClose={() => setUnmasking(false)} unmask={(reason) => portfolioApi.unmask(accountId, reason)} />}
    </Space>
  );
}
