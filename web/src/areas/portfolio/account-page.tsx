/** GET /accounts/:id: the customer (masked), balances, aging, statements and payments; audited unmask for pii:unmask. */
import { useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Result, Row, Space, Spin, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, EyeOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { useAuth } from '../../app/auth.tsx';
import { useFormats, useMessages } from '../../i18n/i18n.tsx';
import { portfolioApi, portfolioKeys, type AccountView } from './api.ts';
import { portfolioMessages } from './messages.ts';
import { BucketTag } from './accounts-page.tsx';
import { UnmaskDialog } from './unmask-form.tsx';

/** Statements and payments of one account come whole in the account view; shown a page at a time. */
const SUBLIST_PAGE = 12;

export default function AccountPage() {
  const { id = '' } = useParams();
  const t = useMessages(portfolioMessages);
  const f = useFormats();
  const auth = useAuth();
  const [unmasking, setUnmasking] = useState(false);
  const view = useQuery({ queryKey: portfolioKeys.account(id), queryFn: ({ signal }) => portfolioApi.account(id, signal), retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2 });

  const back = <Link to="/accounts"><ArrowLeftOutlined /> {t('account.back')}</Link>;
  if (view.isPending) return <Spin />;
  if (view.error) {
    const notFound = view.error instanceof ApiError && view.error.status === 404;
    return <Result status={notFound ? '404' : 'error'} title={notFound ? t('account.notFound') : view.error.message} extra={back} />;
  }
  const a: AccountView = view.data;
  const money = (amount: string | null) => f.money(amount, a.account.currency);
  /** A code the API sends (party role, status, language) in words, or as it is when there is no word for it yet. */
  const word = (prefix: 'party' | 'status' | 'language', code: string) => {
    const key = `${prefix}.${code}` as Parameters<typeof t>[0];
    const text = t(key);
    return text === key ? code : text;
  };
  const party = (p: { verified: boolean; role: string }) => (
    <>
      {' '}<Tag>{word('party', p.role)}</Tag>
      <Tag color={p.verified ? 'green' : 'default'}>{p.verified ? t('account.verified') : t('account.unverified')}</Tag>
    </>
  );

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {back}
      <Space align="baseline" wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>{t('account.title', { id: a.account.id })}</Typography.Title>
        <BucketTag bucket={a.bucket} />
        <Typography.Text type="secondary">{t('account.asOf', { date: f.date(a.asOf) })}</Typography.Text>
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('account.customer')} size="small" extra={auth.can('pii:unmask') && (
            <Button icon={<EyeOutlined />} onClick={() => setUnmasking(true)}>{t('unmask.open')}</Button>
          )}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('account.name')}>{a.customer.name}</Descriptions.Item>
              <Descriptions.Item label={t('account.nationalId')}>{a.customer.nationalId ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('account.phones')}>
                <div>{a.customer.phones.map((p, i) => <div key={i}>{p.number}{party(p)}</div>)}</div>
              </Descriptions.Item>
              <Descriptions.Item label={t('account.emails')}>
                <div>{a.customer.emails.map((e, i) => <div key={i}>{e.address}{party(e)}</div>)}</div>
              </Descriptions.Item>
              <Descriptions.Item label={t('account.addresses')}>
                <div>{a.customer.addresses.map((ad, i) => <div key={i}>{[ad.line, ad.city, ad.region].filter(Boolean).join(', ')}{party(ad)}</div>)}</div>
              </Descriptions.Item>
              <Descriptions.Item label={t('account.timeZone')}>{a.customer.timeZone}</Descriptions.Item>
              <Descriptions.Item label={t('account.language')}>{word('language', a.customer.language)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('account.balances')} size="small">
            <Descriptions column={2} size="small">
              <Descriptions.Item label={t('account.balance')}><span data-testid="account-balance">{money(a.balances.balance)}</span></Descriptions.Item>
              <Descriptions.Item label={t('account.overdue')}>{money(a.balances.overdue)}</Descriptions.Item>
              <Descriptions.Item label={t('account.minimumDue')}>{money(a.balances.minimumDue)}</Descriptions.Item>
              <Descriptions.Item label={t('account.dueDate')}><span data-testid="account-due-date">{f.date(a.balances.dueDate)}</span></Descriptions.Item>
              <Descriptions.Item label={t('account.lastStatementDate')}>{f.date(a.balances.lastStatementDate)}</Descriptions.Item>
              <Descriptions.Item label={t('account.lastPaymentOn')}>{f.date(a.balances.lastPaymentOn)}</Descriptions.Item>
              <Descriptions.Item label={t('account.creditLimit')}>{money(a.account.creditLimit)}</Descriptions.Item>
              <Descriptions.Item label={t('account.currency')}>{a.account.currency}</Descriptions.Item>
              <Descriptions.Item label={t('account.openedOn')}>{f.date(a.account.openedOn)}</Descriptions.Item>
              <Descriptions.Item label={t('account.status')}>{word('status', a.account.status)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title={t('account.aging')} size="small" style={{ marginTop: 16 }}>
            <Descriptions column={2} size="small">
              <Descriptions.Item label={t('account.daysPastDue')}>{f.number(a.daysPastDue)}</Descriptions.Item>
              <Descriptions.Item label={t('account.bucket')}><BucketTag bucket={a.bucket} /></Descriptions.Item>
              <Descriptions.Item label={t('account.lateCountCumulative')}>{f.number(a.lateCountCumulative)}</Descriptions.Item>
              <Descriptions.Item label={t('account.lateCountConsecutive')}>{f.number(a.lateCountConsecutive)}</Descriptions.Item>
              <Descriptions.Item label={t('account.oldestUnpaidDueOn')}>{f.date(a.oldestUnpaidDueOn)}</Descriptions.Item>
              {a.hostSnapshot && <Descriptions.Item label={t('account.hostBucket')}><BucketTag bucket={a.hostSnapshot.bucket} /></Descriptions.Item>}
            </Descriptions>
          </Card>
        </Col>
      </Row>
      <Card title={t('account.statements')} size="small">
        <Table rowKey="statementDate" size="small" dataSource={[...a.statements].reverse()} pagination={{ pageSize: SUBLIST_PAGE, hideOnSinglePage: true, showSizeChanger: false }}
          columns={[
            { title: t('account.statementDate'), dataIndex: 'statementDate', render: (d: string) => f.date(d) },
            { title: t('account.dueDate'), dataIndex: 'dueDate', render: (d: string) => f.date(d) },
            { title: t('account.minimumDue'), dataIndex: 'minimumDue', align: 'right', render: money },
            { title: t('account.closingBalance'), dataIndex: 'closingBalance', align: 'right', render: money },
            { title: t('account.principal'), dataIndex: 'principal', align: 'right', render: money },
            { title: t('account.interest'), dataIndex: 'interest', align: 'right', render: money },
            { title: t('account.fees'), dataIndex: 'fees', align: 'right', render: money },
          ]} />
      </Card>
      <Card title={t('account.payments')} size="small">
        <Table rowKey="id" size="small" dataSource={[...a.payments].reverse()} pagination={{ pageSize: SUBLIST_PAGE, hideOnSinglePage: true, showSizeChanger: false }}
          columns={[
            { title: t('account.postedOn'), dataIndex: 'postedOn', render: (d: string) => f.date(d) },
            { title: t('account.amount'), dataIndex: 'amount', align: 'right', render: money },
            { title: t('account.channel'), dataIndex: 'channel', render: (c: string | null) => c ?? '—' },
          ]} />
      </Card>
      {auth.can('pii:unmask') && <UnmaskDialog open={unmasking} onClose={() => setUnmasking(false)} unmask={(reason) => portfolioApi.unmask(a.account.id, reason)} />}
    </Space>
  );
}
