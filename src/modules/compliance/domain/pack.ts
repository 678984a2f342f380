/**
 * A compiled compliance pack: the validated policy document (policies/compliance/*.json, plus any bank
 * overrides) turned into frozen, ready-to-evaluate data. check() never reads a raw document.
 */
import type { EpochDay } from '../../../kernel/dates.ts';
import type { DayKind, HolidayCalendar } from './calendar.ts';
import type { LocalWindow } from './snapshot.ts';
import type { Channel, FlagKind, Outcome, Party, Purpose } from './vocabulary.ts';
import type { CompiledLexicon } from './content-lint.ts';

/** Per day kind: the allowed local window, or null when no contact is allowed on such a day. */
export type DayWindows = Readonly<Record<DayKind, LocalWindow | null>>;

export interface CapRule {
  ruleId: string;
  max: number;
  channels: ReadonlySet<Channel>;
  outcomes: ReadonlySet<Outcome>;
}

export interface RollingCapRule extends CapRule {
  /** Consecutive local days, today included. */
  days: number;
  /** Calls the consumer asked for (a valid call_request consent) are not limited. */
  consentExempt: boolean;
}

export interface CooldownRule {
  ruleId: string;
  /** The day of the conversation is day 1; calls are allowed again from local day `days + 1`. */
  days: number;
  channels: ReadonlySet<Channel>;
  outcomes: ReadonlySet<Outcome>;
  consentExempt: boolean;
}

/** When the debtor counts as unreachable (失联): no regulatory number exists, so it is a parameter. */
export interface UnreachableDefinition {
  /** An `unreachable` flag set by a collector counts. */
  acceptFlag: boolean;
  /** No right-party contact within this many days … */
  noRightPartyContactDays: number;
  /** … and at least this many failed attempts to the debtor in those days. */
  failedAttemptsMin: number;
  failedOutcomes: ReadonlySet<Outcome>;
}

export interface ThirdPartyRule {
  ruleId: string;
  requireUnreachable: boolean;
  unreachable: UnreachableDefinition;
  /** Only `purpose: "locate"` contacts, whose content passes the restricted lexicon. */
  locateOnly: boolean;
  perThirdParty: { ruleId: string; max: number; lookbackDays: number; outcomes: ReadonlySet<Outcome> } | null;
}

export interface ContactDataRule {
  ruleId: string;
  requireVerified: boolean;
  /** Null = any source not denied. */
  allowedSources: ReadonlySet<string> | null;
  deniedSources: ReadonlySet<string>;
}

export interface HoldRule {
  ruleId: string;
  /** Purposes still allowed during the hold (e.g. the reply to a dispute). */
  exceptPurposes: ReadonlySet<Purpose>;
  /** A fixed-length hold from the flag's `since` (UK debt advice: 30 days) … */
  days: number | null;
  /** … extendable once by this many days. */
  extensionDays: number | null;
  /** Attorney: direct contact reopens this many days after `since` when the attorney has not responded. */
  reopenAfterDays: number | null;
}

export interface RestrictedContentRule {
  ruleId: string;
  /** Null = every party / purpose. */
  parties: ReadonlySet<Party> | null;
  purposes: ReadonlySet<Purpose> | null;
  categories: readonly string[];
}

export interface RequiredContentRule {
  ruleId: string;
  code: string;
  channels: ReadonlySet<Channel>;
  purposes: ReadonlySet<Purpose> | null;
  exceptPurposes: ReadonlySet<Purpose>;
  /** true: only first communications; false: only later ones; null: both. */
  firstCommunication: boolean | null;
  anyOf: readonly string[];
  allOf: readonly string[];
  slots: readonly string[];
  message: { zh: string; en: string };
}

export interface Pack {
  id: string;
  version: number;
  effectiveFrom: EpochDay;
  effectiveTo: EpochDay | null;
  /** Bank overrides applied on top, in order. */
  overrides: readonly { id: string; version: number }[];
  defaultTimeZones: readonly string[];
  calendar: HolidayCalendar;
  timeWindows: { ruleId: string; channels: Readonly<Partial<Record<Channel, DayWindows>>>; consentMayWiden: boolean };
  unansweredCap: CapRule | null;
  connectedCap: CapRule | null;
  rollingCallCap: RollingCapRule | null;
  conversationCooldown: CooldownRule | null;
  thirdParty: ThirdPartyRule;
  contactData: ContactDataRule;
  optOutRuleId: string;
  holds: Readonly<Partial<Record<FlagKind, HoldRule>>>;
  artificialVoiceConsent: { ruleId: string; channels: ReadonlySet<Channel> } | null;
  content: {
    lexicon: CompiledLexicon;
    prohibited: { ruleId: string; categories: readonly string[] };
    restricted: readonly RestrictedContentRule[];
    required: readonly RequiredContentRule[];
  };
  /** How far back the snapshot's history must reach for every rule of this pack. */
  historyLookbackDays: number;
  /** What the rules require of repayment plans (CN-09), or null when no rule bounds them. */
  repaymentPlans: RepaymentPlanRule | null;
}

export interface RepaymentPlanRule {
  ruleId: string;
  termMonthsMax: number;
  businessDayDueDates: boolean;
  evidenceRequired: boolean;
  affordabilityRequired: boolean;
}
