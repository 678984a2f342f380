/**
 * The call's outcome from the contact ledger's controlled vocabulary, the disposition, the delinquency
 * reason (subjective / objective; only with the verified cardholder) and the note. The note is checked
 * by the server with the pack's prohibited-language lint: its findings are shown at the note field and
 * nothing is saved.
 */
import { useState } from 'react';
import { Alert, Button, Form, Input, Select, Space } from 'antd';
import { ApiError } from '../../api/client.ts';
import { useMessages } from '../../i18n/i18n.tsx';
import { deskMessages } from './messages.ts';
import { CONTACT_OUTCOMES, DISPOSITIONS, OBJECTIVE_REASONS, RIGHT_PARTY_DISPOSITIONS, SUBJECTIVE_REASONS, type OutcomeInput, type OutcomeResult, type Outcome } from './api.ts';

interface Values { outcome?: Outcome; disposition?: string; delinquencyReason?: string; note?: string; callbackAt?: string }

interface Finding { category?: string; match?: string; ruleId?: string; message?: { zh: string; en: string } | string }

export function OutcomeForm({ rightPartyVerified, onSubmit, onSaved }: { rightPartyVerified: boolean; onSubmit(input: OutcomeInput): Promise<OutcomeResult>; onSaved(r: OutcomeResult): void }) {
  const t = useMessages(deskMessages);
  const [form] = Form.useForm<Values>();
  const outcome = Form.useWatch('outcome', form);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState<OutcomeResult | null>(null);
  const rightParty = outcome === 'connected_right_party';
  const label = (prefix: string, v: string) => t(`${prefix}.${v}` as Parameters<typeof t>[0]);
  const submit = async (v: Values) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await onSubmit({
        outcome: v.outcome!, ...(v.disposition ? { disposition: v.disposition } : {}), ...(v.delinquencyReason && rightParty ? { delinquencyReason: v.delinquencyReason } : {}),
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
        // datetime-local is the viewer's wall-clock time; the API takes an instant.
        ...(v.callbackAt ? { callbackAt: new Date(v.callbackAt).toISOString() } : {}),
      });
      setSaved(r);
      onSaved(r);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'note_language_prohibited') {
        const findings = (e.problem.findings as Finding[] | undefined) ?? [];
        const words = findings.map((x) => [x.ruleId, x.category, x.match ? `“${x.match}”` : null].filter(Boolean).join(' ')).filter(Boolean).join('；');
        form.setFields([{ name: 'note', errors: [t('outcome.prohibited', { findings: words || (e.problem.detail ?? '') })] }]);
      } else if (e instanceof ApiError && (e.code === 'callback_outside_contact_window' || e.code === 'callback_time_invalid')) {
        form.setFields([{ name: 'callbackAt', errors: [e.problem.detail ?? e.problem.title] }]);
      } else {
        setFailure(t('outcome.failed', { detail: e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e) }));
      }
    } finally {
      setBusy(false);
    }
  };
  if (saved) return <Alert type="success" showIcon message={t('outcome.saved', { attemptId: saved.attemptId })} data-testid="outcome-saved" />;
  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} name="outcome">
      {failure && <Alert type="error" role="alert" showIcon message={failure} style={{ marginBottom: 12 }} />}
      <Space align="start" wrap>
        <Form.Item label={t('outcome.outcome')} name="outcome" rules={[{ required: true, message: t('outcome.required') }]}>
          <Select style={{ width: 200 }} options={CONTACT_OUTCOMES.map((o) => ({
            value: o, label: label('o', o), disabled: o === 'connected_right_party' && !rightPartyVerified, title: o === 'connected_right_party' && !rightPartyVerified ? t('outcome.needsRpc') : undefined,
          }))} />
        </Form.Item>
        <Form.Item label={t('outcome.disposition')} name="disposition">
          <Select allowClear style={{ width: 200 }} options={DISPOSITIONS.map((d) => ({ value: d, label: label('d', d), disabled: RIGHT_PARTY_DISPOSITIONS.includes(d) && !rightParty }))} />
        </Form.Item>
        <Form.Item label={t('outcome.reason')} name="delinquencyReason">
          <Select allowClear disabled={!rightParty} style={{ width: 200 }} options={[
            { label: t('outcome.subjective'), options: SUBJECTIVE_REASONS.map((r) => ({ value: r, label: label('r', r) })) },
            { label: t('outcome.objective'), options: OBJECTIVE_REASONS.map((r) => ({ value: r, label: label('r', r) })) },
          ]} />
        </Form.Item>
      </Space>
      <Form.Item label={t('outcome.callbackAt')} name="callbackAt" extra={t('outcome.callbackHint')}>
        <Input type="datetime-local" style={{ width: 220 }} />
      </Form.Item>
      <Form.Item label={t('outcome.note')} name="note">
        <Input.TextArea rows={2} maxLength={4000} placeholder={t('outcome.notePlaceholder')} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy}>{t('outcome.submit')}</Button>
    </Form>
  );
}
