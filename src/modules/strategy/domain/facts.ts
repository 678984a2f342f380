/**
 * What a strategy can look at: the account snapshot the daily cycle loads in bulk, and the facts
 * (named, typed values) its conditions compare. Each fact is a getter over a FactContext (the snapshot
 * plus the account's place in its ladder); conditions compile against these getters once.
 */
import type { EpochDay } from '../../../kernel/dates.ts';
import { formatAmount } from '../../../kernel/money.ts';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DELINQUENCY_REASONS = ['worse_finances', 'unstable_income', 'overspending', 'forgot', 'economic_shock', 'disaster', 'illness', 'accident'] as const;
export type DelinquencyReason = (typeof DELINQUENCY_REASONS)[number];

export const ACCOUNT_STATUSES = ['open', 'frozen', 'restricted', 'closed', 'charged_off'] as const;
export const LEGAL_STAGES = ['mediation', 'payment_order', 'arbitration', 'litigation', 'enforcement'] as const;

/** Immutable plain data about one delinquent account as of a business date. */
export interface AccountSnapshot {
  accountId: string;
  customerId: string;
  currency: string;
  asOf: EpochDay;
  daysPastDue: number;
  bucket: string;
  balanceMinor: bigint;
  overdueMinor: bigint;
  creditLimitMinor: bigint;
  lateCountCumulative: number;
  lateCountConsecutive: number;
  accountStatus: string;
  language: Language;
  timeZone: string;
  /** Latest payment posted on or before asOf. */
  lastPaymentOn: EpochDay | null;
  activePromise: { promisedOn: EpochDay; amountMinor: bigint } | null;
  activePlan: { planId: number; nextDueOn: EpochDay | null } | null;
  promisesKept: number;
  promisesBroken: number;
  plansBroken: number;
  /** Compliance flags in force for this account (customer-wide ones included). */
  flags: readonly string[];
  /** 失联 under the compliance pack's definition (no right-party contact and failed attempts, or a flag). */
  unreachable: boolean;
  /** Failed attempts to the debtor inside the pack's unreachable window. */
  failedContactAttempts: number;
  delinquencyReason: DelinquencyReason | null;
  suspectedEvasion: boolean;
  riskScore: number | null;
  teamId: string | null;
  agencyId: string | null;
  legalStage: string | null;
}

/** The snapshot plus where the account is in its ladder: stage facts depend on the stage being judged. */
export interface FactContext {
  snap: AccountSnapshot;
  /** The day the current (or, when judging an escalation, the stage being left) was entered. */
  stageEnteredOn: EpochDay;
  /** Treatments carried out in that stage. */
  stageTreatments: number;
  /** First day of this delinquency episode. */
  collectionsSince: EpochDay;
  /** Times the strategy saw this account cure. */
  cures: number;
}

export type FactType = 'int' | 'number' | 'money' | 'enum' | 'boolean';
export type FactValue = number | bigint | string | boolean | null;

export interface FactDefinition {
  name: string;
  type: FactType;
  nullable: boolean;
  /** Enum values; `buckets` means the aging scheme's bucket names (known when validating). */
  values?: readonly string[] | 'buckets';
  /** Smallest possible value of a numeric fact (counts and day numbers are never negative). */
  min?: number;
  description: string;
  get(c: FactContext): FactValue;
}

const flag = (name: string) => (c: FactContext) => c.snap.flags.includes(name);

const FACT_LIST: FactDefinition[] = [
  { name: 'daysPastDue', type: 'int', nullable: false, min: 0, description: 'days past due (aging)', get: (c) => c.snap.daysPastDue },
  { name: 'bucket', type: 'enum', nullable: false, values: 'buckets', description: 'aging bucket (M1, M2 …)', get: (c) => c.snap.bucket },
  { name: 'balance', type: 'money', nullable: false, description: 'total balance, account currency', get: (c) => c.snap.balanceMinor },
  { name: 'overdue', type: 'money', nullable: false, description: 'amount past due, account currency', get: (c) => c.snap.overdueMinor },
  { name: 'creditLimit', type: 'money', nullable: false, description: 'credit limit, account currency', get: (c) => c.snap.creditLimitMinor },
  {
    name: 'utilisationPercent', type: 'number', nullable: true, description: 'balance as a percentage of the credit limit (null without a limit)',
    get: (c) => (c.snap.creditLimitMinor > 0n ? Number((c.snap.balanceMinor * 10_000n) / c.snap.creditLimitMinor) / 100 : null),
  },
  { name: 'lateCountCumulative', type: 'int', nullable: false, min: 0, description: 'statements paid late, ever', get: (c) => c.snap.lateCountCumulative },
  { name: 'lateCountConsecutive', type: 'int', nullable: false, min: 0, description: 'statements paid late in a row, latest first', get: (c) => c.snap.lateCountConsecutive },
  { name: 'accountStatus', type: 'enum', nullable: false, values: ACCOUNT_STATUSES, description: 'card account status', get: (c) => c.snap.accountStatus },
  { name: 'language', type: 'enum', nullable: false, values: LANGUAGES, description: "the customer's language", get: (c) => c.snap.language },
  {
    name: 'daysSinceLastPayment', type: 'int', nullable: true, min: 0, description: 'days since the latest payment (null: never paid)',
    get: (c) => (c.snap.lastPaymentOn === null ? null : c.snap.asOf - c.snap.lastPaymentOn),
  },
  {
    name: 'paidInStage', type: 'boolean', nullable: false, description: 'a payment was posted since the stage was entered',
    get: (c) => c.snap.lastPaymentOn !== null && c.snap.lastPaymentOn >= c.stageEnteredOn,
  },
  { name: 'stageDays', type: 'int', nullable: false, min: 0, description: 'days in the stage (the one being left, when judging an escalation)', get: (c) => c.snap.asOf - c.stageEnteredOn },
  { name: 'stageTreatments', type: 'int', nullable: false, min: 0, description: 'treatments carried out in that stage', get: (c) => c.stageTreatments },
  { name: 'daysInCollections', type: 'int', nullable: false, min: 0, description: 'days since this delinquency episode started', get: (c) => c.snap.asOf - c.collectionsSince },
  { name: 'pastCures', type: 'int', nullable: false, min: 0, description: 'times the account cured before', get: (c) => c.cures },
  { name: 'activePromise', type: 'boolean', nullable: false, description: 'an open promise to pay', get: (c) => c.snap.activePromise !== null },
  { name: 'activePlan', type: 'boolean', nullable: false, description: 'an open repayment plan', get: (c) => c.snap.activePlan !== null },
  { name: 'brokenPromises', type: 'int', nullable: false, min: 0, description: 'promises to pay broken', get: (c) => c.snap.promisesBroken },
  { name: 'keptPromises', type: 'int', nullable: false, min: 0, description: 'promises to pay kept', get: (c) => c.snap.promisesKept },
  { name: 'brokenPlans', type: 'int', nullable: false, min: 0, description: 'repayment plans broken', get: (c) => c.snap.plansBroken },
  { name: 'hardship', type: 'boolean', nullable: false, description: 'compliance flag hardship (forbearance)', get: flag('hardship') },
  { name: 'disputed', type: 'boolean', nullable: false, description: 'compliance flag disputed', get: flag('disputed') },
  { name: 'complaintOpen', type: 'boolean', nullable: false, description: 'compliance flag complaint_open', get: flag('complaint_open') },
  {
    name: 'reachability', type: 'enum', nullable: false, values: ['reachable', 'unreachable'], description: "unreachable (失联) under the compliance pack's definition",
    get: (c) => (c.snap.unreachable ? 'unreachable' : 'reachable'),
  },
  { name: 'failedContactAttempts', type: 'int', nullable: false, min: 0, description: "failed attempts to the debtor inside the pack's unreachable window", get: (c) => c.snap.failedContactAttempts },
  { name: 'delinquencyReason', type: 'enum', nullable: true, values: DELINQUENCY_REASONS, description: 'why the customer is late, as recorded by a collector', get: (c) => c.snap.delinquencyReason },
  { name: 'suspectedEvasion', type: 'boolean', nullable: false, description: 'a collector marked deliberate evasion', get: (c) => c.snap.suspectedEvasion },
  { name: 'riskScore', type: 'number', nullable: true, description: "the bank's risk score, when one was recorded", get: (c) => c.snap.riskScore },
  { name: 'placedWithAgency', type: 'boolean', nullable: false, description: 'placed with a collection agency', get: (c) => c.snap.agencyId !== null },
  { name: 'legalStage', type: 'enum', nullable: true, values: LEGAL_STAGES, description: 'legal stage, when in one', get: (c) => c.snap.legalStage },
];

export const FACTS: ReadonlyMap<string, FactDefinition> = new Map(FACT_LIST.map((f) => [f.name, Object.freeze(f)]));

/** Every fact's value for a context (explain output; amounts as exact decimal strings of the account currency). */
export function observeFacts(c: FactContext): Record<string, FactValue> {
  const out: Record<string, FactValue> = {};
  for (const f of FACT_LIST) {
    const v = f.get(c);
    out[f.name] = f.type === 'money' && typeof v === 'bigint' ? formatAmount(v, c.snap.currency) : v;
  }
  return out;
}
