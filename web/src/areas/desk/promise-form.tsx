/**
 * A promise to pay: the amount as an exact decimal in the account's currency (its minor digits, never a
 * float) and the date, from today (the bank's business date) to `daysAheadMax` days ahead. The server
 * checks both again; its refusal is shown at the field it names.
 */
import { useState } from 'react';
import { Alert, Button, Form, Input, Space } from 'antd';
import { ApiError } from '../../api/client.ts';
import { useFormats, useMessages } from '../../i18n/i18n.tsx';
import { deskMessages } from './messages.ts';
import { addDays, isPlainDate, parseAmount } from './money.ts';
import type { PromiseInput, PromiseResult } from './api.ts';

export function PromiseForm({ currency, today, daysAheadMax, onSubmit }: { currency: string; today: string; daysAheadMax: number; onSubmit(input: PromiseInput): Promise<PromiseResult> }) {
  const t = useMessages(deskMessages);
  const f = useFormats();
  const [form] = Form.useForm<{ amount: string; promisedOn: string; note?: string }>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const max = addDays(today, daysAheadMax);
  const submit = async (v: { amount: string; promisedOn: string; note?: string }) => {
    setBusy(true);
    setResult(null);
    try {
      const r = await onSubmit({ amount: v.amount.trim(), promisedOn: v.promisedOn, ...(v.note?.trim() ? { note: v.note.trim() } : {}) });
      setResult({ ok: true, text: t('promise.saved', { id: r.promiseId }) });
    } catch (e) {
      const detail = e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e);
      const field = e instanceof ApiError ? e.problem.errors?.[0]?.field : undefined;
      if (field === 'body.promisedOn') form.setFields([{ name: 'promisedOn', errors: [detail] }]);
      else if (field === 'body.amount') form.setFields([{ name: 'amount', errors: [detail] }]);
      else setResult({ ok: false, text: t('promise.failed', { detail }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} name="promise">
      {result && <Alert type={result.ok ? 'success' : 'error'} role={result.ok ? 'status' : 'alert'} showIcon message={result.text} style={{ marginBottom: 12 }} data-testid="promise-result" />}
      <Space align="start" wrap>
        <Form.Item label={t('promise.amount', { currency })} name="amount" validateFirst rules={[
          { required: true, whitespace: true, message: t('promise.amountRequired') },
          {
            validator: (_, value: string | undefined) => {
              const r = parseAmount(value ?? '', currency);
              if (r.ok) return Promise.resolve();
              if (r.problem === 'digits') return Promise.reject(new Error(t('promise.amountDigits', { currency, digits: r.digits })));
              if (r.problem === 'zero') return Promise.reject(new Error(t('promise.amountZero')));
              return Promise.reject(new Error(t('promise.amountFormat')));
            },
          },
        ]}>
          <Input inputMode="decimal" autoComplete="off" style={{ width: 180 }} />
        </Form.Item>
        <Form.Item label={t('promise.date')} name="promisedOn" validateFirst rules={[
          { required: true, message: t('promise.dateRequired') },
          {
            validator: (_, value: string | undefined) => {
              if (!value || !isPlainDate(value)) return Promise.reject(new Error(t('promise.dateRequired')));
              if (value < today) return Promise.reject(new Error(t('promise.datePast', { today: f.date(today) })));
              if (value > max) return Promise.reject(new Error(t('promise.dateTooFar', { max: f.date(max), days: daysAheadMax })));
              return Promise.resolve();
            },
          },
        ]}>
          <Input type="date" min={today} max={max} style={{ width: 170 }} />
        </Form.Item>
        <Form.Item label={t('promise.note')} name="note">
          <Input maxLength={500} style={{ width: 240 }} />
        </Form.Item>
        <Form.Item label=" ">
          <Button type="primary" htmlType="submit" loading={busy}>{t('promise.submit')}</Button>
        </Form.Item>
      </Space>
    </Form>
  );
}
