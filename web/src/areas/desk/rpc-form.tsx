/**
 * The right-party check (核身): the name and the national id's last four as the person on the line gives
 * them. The server compares (and counts attempts atomically: 3 per contact, then locked); the form checks
 * only the shape (4 digits or letters, X allowed) and shows attempts left, the lock and a third party's number.
 */
import { useState } from 'react';
import { Alert, Button, Form, Input, Space } from 'antd';
import { ApiError } from '../../api/client.ts';
import { useMessages } from '../../i18n/i18n.tsx';
import { deskMessages } from './messages.ts';
import type { RightPartyResult } from './api.ts';

export const LAST4 = /^[0-9A-Za-z]{4}$/;
export const RPC_ATTEMPTS_MAX = 3;

export type RpcState = { status: 'open'; attemptsLeft: number } | { status: 'passed' } | { status: 'locked' } | { status: 'not_applicable' };

export function RightPartyCheckForm({ onSubmit, onPassed }: { onSubmit(name: string, last4: string): Promise<RightPartyResult>; onPassed(): void }) {
  const t = useMessages(deskMessages);
  const [form] = Form.useForm<{ name: string; last4: string }>();
  const [state, setState] = useState<RpcState>({ status: 'open', attemptsLeft: RPC_ATTEMPTS_MAX });
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async ({ name, last4 }: { name: string; last4: string }) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await onSubmit(name.trim(), last4.trim());
      if (r.passed) {
        setState({ status: 'passed' });
        onPassed();
      } else if (r.attemptsLeft <= 0) {
        setState({ status: 'locked' });
      } else {
        setState({ status: 'open', attemptsLeft: r.attemptsLeft });
        setFailure(t('rpc.failed', { left: r.attemptsLeft }));
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === 'right_party_check_locked') setState({ status: 'locked' });
      else if (e instanceof ApiError && e.code === 'right_party_check_not_applicable') setState({ status: 'not_applicable' });
      else setFailure(e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e));
    } finally {
      setBusy(false);
    }
  };
  if (state.status === 'passed') return <Alert type="success" showIcon message={t('rpc.passed')} data-testid="rpc-passed" />;
  if (state.status === 'locked') return <Alert type="error" role="alert" showIcon message={t('rpc.locked')} data-testid="rpc-locked" />;
  if (state.status === 'not_applicable') return <Alert type="warning" role="alert" showIcon message={t('rpc.notApplicable')} />;
  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} name="rpc">
      {failure && <Alert type="warning" role="alert" showIcon message={failure} style={{ marginBottom: 12 }} data-testid="rpc-failed" />}
      <Space align="start" wrap>
        <Form.Item label={t('rpc.name')} name="name" rules={[{ required: true, whitespace: true, message: t('rpc.nameRequired') }]}>
          <Input autoComplete="off" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item label={t('rpc.last4')} name="last4" rules={[{ required: true, pattern: LAST4, message: t('rpc.last4Invalid') }]}>
          <Input autoComplete="off" maxLength={4} style={{ width: 140 }} />
        </Form.Item>
        <Form.Item label=" ">
          <Button type="primary" htmlType="submit" loading={busy}>{t('rpc.submit')}</Button>
        </Form.Item>
      </Space>
      <div data-testid="rpc-attempts">{t('rpc.attemptsLeft', { left: state.attemptsLeft })}</div>
    </Form>
  );
}
