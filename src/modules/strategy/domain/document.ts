/**
 * A strategy document (policies/strategy/*.json or .yaml), as the shape validation (strategy.schema.ts)
 * accepts it. Segments route each account to a ladder; a ladder is an ordered list of stages; a stage
 * has entry conditions and treatments with cadences; variants split accounts between alternative
 * ladders (champion/challenger). Documents are data: they are validated, then compiled once.
 */
import type { Condition } from './conditions.ts';
import type { Language } from './facts.ts';

export const TONES = ['gentle', 'neutral', 'firm'] as const;
export type Tone = (typeof TONES)[number];

/** Automated channels: the outbox (communications module) sends them. */
export const MESSAGE_CHANNELS = ['sms', 'email', 'letter', 'voice_robot', 'app_push'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** Human work: the worklist module queues it. */
export const WORK_KINDS = ['agent_call', 'field_visit'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/**
 * What a contact is for, as the compliance gate reads it: holds name the purposes they still allow
 * (a hardship hold allows forbearance).
 */
export const TREATMENT_PURPOSES = ['collection', 'forbearance'] as const;
export type TreatmentPurpose = (typeof TREATMENT_PURPOSES)[number];

export interface Cadence {
  /** Days between two of this treatment in one stage (1 = at most daily). */
  everyDays: number;
  /** How many times in one stage. */
  maxPerStage: number;
  /** First due this many days after the stage was entered. */
  afterDays?: number;
}

interface TreatmentBase {
  id: string;
  description?: string;
  /** Only when this also holds (e.g. a larger balance gets the freeze, a smaller one the restriction). */
  when?: Condition;
  cadence: Cadence;
  /** Local time (debtor's zone) the contact is planned for; default `settings.sendAt`. */
  sendAt?: string;
}

export interface MessageTreatment extends TreatmentBase {
  type: 'message';
  /** Checked against the known channels in the semantic layer (so a typo is named, with its path). */
  channel: string;
  /** Template (or robot-voice script) per customer language. */
  templates: Record<Language, string>;
  tone: Tone;
  purpose?: TreatmentPurpose;
}

export interface PlanOffer {
  type: 'installments';
  /** Longest term offered; the arrangement settings' limit applies (CN-09: 60 months). */
  monthsMax: number;
  /** Interest reduction offered with the plan (hardship). */
  interestReductionPercent?: number;
  /** Sized to the debtor's real capacity after a visit or call (the collector sets the schedule). */
  tailored?: boolean;
}

export interface WorkTreatment extends TreatmentBase {
  type: 'work';
  kind: WorkKind;
  tone?: Tone;
  purpose?: TreatmentPurpose;
  /** Higher first in the queues. */
  priority: number;
  /** Days the collector has for it (work item due_by); default 1. */
  dueDays?: number;
  /** A call script or visit brief for the collector (the collector workflow's). */
  script?: string;
  offer?: PlanOffer;
}

export interface PlacementTreatment extends TreatmentBase {
  type: 'placement';
  target: 'agency' | 'legal';
  /** For `legal`: the stage proposed (pre-litigation mediation 诉前调解, litigation …). */
  legalStage?: 'mediation' | 'payment_order' | 'arbitration' | 'litigation' | 'enforcement';
  /** For `agency`: a named agency; absent = the allocation rules choose. */
  agencyId?: string;
}

export interface AccountActionTreatment extends TreatmentBase {
  type: 'account_action';
  action: 'freeze' | 'restrict';
}

export type TreatmentDocument = MessageTreatment | WorkTreatment | PlacementTreatment | AccountActionTreatment;

export interface StageDocument {
  id: string;
  description?: string;
  /**
   * When an account moves into this stage from the one before (for the first stage: when it enters the
   * ladder). Stage facts (stageDays, stageTreatments, paidInStage) describe the stage being left.
   * Absent: always.
   */
  entry?: Condition;
  treatments: TreatmentDocument[];
}

export interface LadderDocument { id: string; description?: string; stages: StageDocument[] }

export interface SegmentDocument {
  id: string;
  description?: string;
  /** Lower is evaluated first. Segments that can match the same account need different priorities. */
  priority?: number;
  /** Absent: every account (the default segment). */
  when?: Condition;
  ladder: string;
}

export interface VariantDocument {
  id: string;
  description?: string;
  /** Share of accounts, whole percent; the variants add up to 100. */
  percent: number;
  /** Ladders this variant replaces: ladder used by a segment → the ladder this variant runs instead. */
  ladders?: Record<string, string>;
}

export interface StrategySettings {
  /** Default local send time for contacts ("HH:MM" in the debtor's time zone). */
  sendAt: string;
  /** A contact the compliance gate defers further than this many days is dropped instead. */
  deferDaysMax: number;
  /** Salt of the stable variant hash; default the strategy id (keep it to keep assignments). */
  assignmentSalt?: string;
}

export interface StrategyDocument {
  id: string;
  version: number;
  effectiveFrom: string;
  description?: string;
  /** The compliance pack the strategy is checked against (and whose gate it goes through). */
  compliancePack: string;
  settings: StrategySettings;
  /** Cost per contact by channel (decimal strings in costCurrency), for the champion/challenger report. */
  channelCosts?: Partial<Record<MessageChannel | WorkKind, string>>;
  costCurrency?: string;
  segments: SegmentDocument[];
  ladders: LadderDocument[];
  variants: VariantDocument[];
}
