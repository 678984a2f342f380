/**
 * A repayment plan with a live schedule preview: every change of the months, the first due date or a
 * waiver asks the quote API again (debounced), and the schedule shown is the server's (exact money, the
 * remainder on the last instalment, due dates moved to business days). The pack's longest term comes
 * back as plan_term_exceeds_limit and is shown at the months field. Proposing sends the same terms with
 * the declared finances and hardship evidence the pack asks for; the answer is agreed at once or waits
 * for the tier it needs.
 */
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Form, Input, InputNumber, Space, Table, Typography } from 'antd';
import { ApiError } from '../../api/client.ts';
import { useFormats, useMessages } from '../../i18n/i18n.tsx';
import { deskMessages } from './messages.ts';
import { isPlainDate, parseAmount } from './money.ts';
import type { ProposalView, ProposeInput, QuoteInput, QuoteView } from './api.ts';

interface Values { months?: number | null; firstDueOn?: string; waiveFees?: boolean; waiveInterest?: boolean; monthlyIncome?: string; monthlyExpenses?: string }

export function toQuoteInput(v: Values): QuoteInput | null {
  if (typeof v.months !== 'number' || !Number.isInteger(v.months) || v.months < 1) return null;
  return {
    type: 'installments', months: v.months, ...(v.firstDueOn && isPlainDate(v.firstDueOn) ? { firstDueOn: v.firstDueOn } : {}),
    ...(v.waiveFees ? { waiveFees: true } : {}), ...(v.waiveInterest ? { waiveInterest: true } : {}),
  };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [JSON.stringify(value), ms]); // eslint-disable-line react-hooks/exhaustive-deps
  return v;
}

const detailOf = (e: unknown) => (e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e));

export function PlanForm({ currency, quote, propose, uploadEvidence, debounceMs = 300 }: {
  currency: string;
  quote(input: QuoteInput): Promise<QuoteView>;
  propose?(input: ProposeInput): Promise<ProposalView>;
  uploadEvidence?(file: File): Promise<{ evidenceId: number }>;
  debounceMs?: number;
}) {
  const t = useMessages(deskMessages);
  const f = useFormats();
  const [form] = Form.useForm<Values>();
  const values = Form.useWatch([], form) as Values | undefined;
  const input = useDebounced(values ? toQuoteInput(values) : null, debounceMs);
  const preview = useQuery({
    queryKey: ['desk', 'plan-preview', input],
    queryFn: () => quote(input!),
    enabled: input !== null,
    retry: false,
    placeholderData: (previous) => previous,
  });
  const [evidence, setEvidence] = useState<number[]>([]);
  const [proposal, setProposal] = useState<ProposalView | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const error = preview.error instanceof ApiError ? preview.error : null;
  const monthsError = error && (error.code === 'plan_term_exceeds_limit' || error.problem.errors?.some((e) => e.field.endsWith('months'))) ? detailOf(error) : null;
  const otherError = preview.error && !monthsError ? detailOf(preview.error) : null;
  const q = preview.isError ? null : preview.data ?? null;
  const tierWord = (tier: string) => t(`tier.${tier}` as Parameters<typeof t>[0]);

  const submit = async (v: Values) => {
    const terms = toQuoteInput(v);
    if (!terms || !propose) return;
    setBusy(true);
    setFailure(null);
    try {
      const declared = v.monthlyIncome || v.monthlyExpenses ? { monthlyIncome: (v.monthlyIncome ?? '0').trim(), monthlyExpenses: (v.monthlyExpenses ?? '0').trim() } : undefined;
      setProposal(await propose({ quote: terms, ...(declared ? { declared } : {}), ...(evidence.length ? { evidenceIds: evidence } : {}) }));
    } catch (e) {
      setFailure(t('plan.failed', { detail: detailOf(e) }));
    } finally {
      setBusy(false);
    }
  };
  const amountRule = { validator: (_: unknown, value: string | undefined) => (!value || parseAmount(value, currency).ok || value.trim() === '0' ? Promise.resolve() : Promise.reject(new Error(t('promise.amountFormat')))) };

  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} name="plan" initialValues={{ months: 12 }}>
      <Space align="start" wrap>
        <Form.Item label={t('plan.months')} name="months" validateStatus={monthsError ? 'error' : undefined} help={monthsError ?? undefined}
          rules={[{ required: true, type: 'integer', min: 1, message: t('plan.monthsInvalid') }]}>
          <InputNumber min={1} precision={0} style={{ width: 120 }} />
        </Form.Item>
        <Form.Item label={t('plan.firstDueOn')} name="firstDueOn">
          <Input type="date" style={{ width: 170 }} />
        </Form.Item>
        <Form.Item label=" " name="waiveFees" valuePropName="checked"><Checkbox>{t('plan.waiveFees')}</Checkbox></Form.Item>
        <Form.Item label=" " name="waiveInterest" valuePropName="checked"><Checkbox>{t('plan.waiveInterest')}</Checkbox></Form.Item>
      </Space>
      <Typography.Title level={5}>{t('plan.preview')}</Typography.Title>
      {otherError && <Alert type="error" role="alert" showIcon message={otherError} style={{ marginBottom: 8 }} />}
      {q ? (
        <div data-testid="plan-preview">
          <Typography.Paragraph data-testid="plan-total">{t('plan.total', { total: f.money(q.total, q.currency), months: q.termMonths })}</Typography.Paragraph>
          <Table size="small" rowKey="seq" dataSource={q.installments} pagination={{ pageSize: 6, size: 'small', hideOnSinglePage: true }}
            columns={[
              { title: t('plan.seq'), dataIndex: 'seq', width: 60 },
              { title: t('plan.dueOn'), dataIndex: 'dueOn', render: (d: string) => f.date(d) },
              { title: t('plan.amount'), dataIndex: 'amount', align: 'right', render: (a: string) => f.money(a, q.currency) },
            ]} />
          <Typography.Paragraph type="secondary">
            {t('plan.rules', { max: q.rules.termMonthsMax, rule: q.rules.rule, business: q.rules.businessDayDueDates ? t('plan.businessDays') : '' })}
            {q.authority.requiredTier ? ` · ${t('plan.tier', { tier: tierWord(q.authority.requiredTier) })}` : ''}
          </Typography.Paragraph>
        </div>
      ) : !monthsError && <Typography.Paragraph type="secondary">{t('plan.previewHint')}</Typography.Paragraph>}
      {propose && (
        <>
          <Space align="start" wrap>
            <Form.Item label={t('plan.income')} name="monthlyIncome" rules={[amountRule]}><Input inputMode="decimal" style={{ width: 150 }} /></Form.Item>
            <Form.Item label={t('plan.expenses')} name="monthlyExpenses" rules={[amountRule]}><Input inputMode="decimal" style={{ width: 150 }} /></Form.Item>
            {uploadEvidence && (
              <Form.Item label={t('plan.evidence')} htmlFor="plan-evidence" extra={evidence.length ? t('plan.evidenceOnFile', { count: evidence.length }) : undefined}>
                <input id="plan-evidence" type="file" accept="application/pdf,image/png,image/jpeg,image/webp" onChange={async (e) => {
                  const file = e.target.files?.[0];
                  if (!file) return;
                  try {
                    const r = await uploadEvidence(file);
                    setEvidence((list) => [...list, r.evidenceId]);
                  } catch (x) {
                    setFailure(t('plan.failed', { detail: detailOf(x) }));
                  }
                }} />
              </Form.Item>
            )}
          </Space>
          {failure && <Alert type="error" role="alert" showIcon message={failure} style={{ marginBottom: 8 }} data-testid="plan-failure" />}
          {proposal && (
            <Alert type={proposal.status === 'approved' ? 'success' : proposal.status === 'proposed' ? 'info' : 'warning'} showIcon data-testid="plan-status"
              message={t(`plan.status.${proposal.status}` as Parameters<typeof t>[0], { id: proposal.proposalId, tier: tierWord(proposal.requiredTier) })} style={{ marginBottom: 8 }} />
          )}
          <Button type="primary" htmlType="submit" loading={busy} disabled={!q || proposal?.status === 'proposed' || proposal?.status === 'approved'}>{t('plan.propose')}</Button>
        </>
      )}
    </Form>
  );
}
