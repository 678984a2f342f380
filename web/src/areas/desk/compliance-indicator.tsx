/**
 * May I call now? The Account 360's compliance section (each answer an audited gate verdict): the
 * number to dial (masked, its party role and contact point), or why not and the next allowed time, and
 * each number's verdict with the rules that fired, in the viewer's language.
 */
import { Alert, Descriptions, Space, Tag, Typography } from 'antd';
import { useFormats, useI18n, useMessages } from '../../i18n/i18n.tsx';
import { deskMessages } from './messages.ts';
import type { ComplianceNow } from './api.ts';

const COLORS = { allow: 'green', block: 'red', defer: 'orange' } as const;

export function ComplianceIndicator({ compliance, timeZone }: { compliance: ComplianceNow; timeZone: string }) {
  const t = useMessages(deskMessages);
  const f = useFormats();
  const { locale } = useI18n();
  const party = (role: string) => t(`party.${role}` as Parameters<typeof t>[0]);
  const dial = compliance.number ? compliance.numbers.find((n) => n.ref === compliance.number!.ref) : undefined;
  const reasons = compliance.numbers.filter((n) => n.party === 'debtor' && n.decision !== 'allow').flatMap((n) => n.rules.filter((r) => r.effect !== 'allow'));
  return (
    <div data-testid="compliance">
      {compliance.mayCallNow ? (
        <Alert type="success" showIcon message={t('comp.mayCall')} description={dial && (
          <span data-testid="dial">{t('comp.dial')}: <Typography.Text strong>{dial.masked}</Typography.Text> · {party(dial.party)} · {t('comp.contactPoint', { ref: dial.ref })} · {dial.verified ? t('comp.verified') : t('comp.unverified')}</span>
        )} />
      ) : (
        <Alert type="warning" showIcon message={t('comp.mayNotCall')} description={
          <Space direction="vertical" size={2}>
            {[...new Map(reasons.map((r) => [r.ruleId + r.code, r])).values()].map((r) => <span key={r.ruleId + r.code}>{r.ruleId}: {locale === 'zh-CN' ? r.message.zh : r.message.en}</span>)}
            <span data-testid="next-allowed">{compliance.nextAllowedAt ? t('comp.nextAt', { at: f.dateTime(compliance.nextAllowedAt, timeZone) }) : t('comp.noNext')}</span>
          </Space>
        } />
      )}
      <Descriptions size="small" column={1} style={{ marginTop: 8 }} title={<Typography.Text type="secondary">{t('comp.numbers')}</Typography.Text>}>
        {compliance.numbers.map((n) => (
          <Descriptions.Item key={n.ref} label={`${n.masked} · ${party(n.party)}`}>
            <Tag color={COLORS[n.decision]}>{t(`comp.${n.decision}`)}</Tag>
            {n.until && <span>{t('comp.until', { at: f.dateTime(n.until, timeZone) })} </span>}
            {n.rules.filter((r) => r.effect !== 'allow').map((r) => <Typography.Text key={r.ruleId + r.code} type="secondary">{r.ruleId} </Typography.Text>)}
          </Descriptions.Item>
        ))}
      </Descriptions>
    </div>
  );
}
