/**
 * The reason for an audited unmask (POST /accounts/:id/unmask). The reason is counted as the server
 * counts it (trimmed, runs of spaces as one, characters not bytes) so the form and the server agree
 * on 10–500; a refusal from the server is still shown at the field.
 */
import { useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, Modal, Space, Typography } from 'antd';
import { ApiError } from '../../api/client.ts';
import { useMessages } from '../../i18n/i18n.tsx';
import { portfolioMessages } from './messages.ts';
import { REASON_LENGTH, type UnmaskedPii } from './api.ts';

export function normalizedReason(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

export function reasonLength(text: string): number {
  return [...normalizedReason(text)].length;
}

export function UnmaskForm({ onSubmit, onCancel }: { onSubmit(reason: string): Promise<void>; onCancel?(): void }) {
  const t = useMessages(portfolioMessages);
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true);
    setFailure(null);
    try {
      await onSubmit(normalizedReason(reason));
    } catch (e) {
      const detail = e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e);
      if (e instanceof ApiError && e.code === 'reason_required') form.setFields([{ name: 'reason', errors: [detail] }]);
      else setFailure(t('unmask.failed', { detail }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} name="unmask">
      <Typography.Paragraph>{t('unmask.explain')}</Typography.Paragraph>
      {failure && <Alert type="error" role="alert" showIcon message={failure} style={{ marginBottom: 16 }} />}
      <Form.Item label={t('unmask.reason')} name="reason" validateFirst rules={[
        { required: true, whitespace: true, message: t('unmask.reasonRequired') },
        {
          validator: (_, value: string | undefined) => {
            const count = reasonLength(value ?? '');
            if (count < REASON_LENGTH.min) return Promise.reject(new Error(t('unmask.reasonTooShort', { min: REASON_LENGTH.min, count })));
            if (count > REASON_LENGTH.max) return Promise.reject(new Error(t('unmask.reasonTooLong', { max: REASON_LENGTH.max, count })));
            return Promise.resolve();
          },
        },
      ]}>
        <Input.TextArea rows={3} placeholder={t('unmask.reasonPlaceholder')} showCount={{ formatter: ({ value }) => `${reasonLength(value)} / ${REASON_LENGTH.max}` }} autoFocus />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={busy}>{t('unmask.submit')}</Button>
        {onCancel && <Button onClick={onCancel}>{t('unmask.cancel')}</Button>}
      </Space>
    </Form>
  );
}

/** The dialog: the reason form, then the values in clear (held only in this dialog, gone when it closes). */
export function UnmaskDialog({ open, onClose, unmask }: { open: boolean; onClose(): void; unmask(reason: string): Promise<UnmaskedPii> }) {
  const t = useMessages(portfolioMessages);
  const [result, setResult] = useState<UnmaskedPii | null>(null);
  const partyWord = (role: string) => {
    const key = `party.${role}` as Parameters<typeof t>[0];
    return t(key) === key ? role : t(key);
  };
  const close = () => {
    setResult(null);
    onClose();
  };
  return (
    <Modal open={open} title={t('unmask.title')} onCancel={close} footer={result ? <Button onClick={close}>{t('unmask.close')}</Button> : null} destroyOnHidden>
      {result ? (
        <>
          <Descriptions column={1} bordered size="small">
            <Descriptions.Item label={t('unmask.nationalId')}><Typography.Text copyable>{result.nationalId ?? '—'}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label={t('unmask.phones')}>
              {result.phones.map((p) => <div key={p.position}><Typography.Text copyable>{p.number}</Typography.Text> <Typography.Text type="secondary">{partyWord(p.role)}</Typography.Text></div>)}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t('unmask.audited', { auditId: result.auditId })}</Typography.Paragraph>
        </>
      ) : (
        <UnmaskForm onCancel={close} onSubmit={async (reason) => setResult(await unmask(reason))} />
      )}
    </Modal>
  );
}
