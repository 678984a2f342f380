/**
 * The controlled vocabulary of the compliance gate: channels, parties, actors, contact outcomes and
 * flags. Every rule counts raw outcomes from this list (COMPLIANCE.md (c) 6: each rule counts
 * different things), so the ledger never stores a pre-digested "counted" bit.
 */
export const CHANNELS = ['sms', 'email', 'letter', 'voice_agent', 'voice_robot', 'field_visit', 'app_push'] as const;
export type Channel = (typeof CHANNELS)[number];
export const VOICE_CHANNELS: readonly Channel[] = ['voice_agent', 'voice_robot'];
export const ELECTRONIC_CHANNELS: readonly Channel[] = ['sms', 'email', 'app_push'];

/** A channel selector in opt-outs and consents: one channel, both voice channels, or every channel. */
export const CHANNEL_SELECTORS = [...CHANNELS, 'voice', 'all'] as const;
export type ChannelSelector = (typeof CHANNEL_SELECTORS)[number];

export function selectorCovers(selector: ChannelSelector, channel: Channel): boolean {
  return selector === 'all' || selector === channel || (selector === 'voice' && (channel === 'voice_agent' || channel === 'voice_robot'));
}

export const PARTIES = ['debtor', 'guarantor', 'contact'] as const;
export type Party = (typeof PARTIES)[number];

/**
 * `sent`: handed to a provider (SMSC, mail relay, print, voice platform) with the delivery not known
 * yet; the receipt, bounce or call outcome is recorded as a correction of that row.
 */
export const OUTCOMES = [
  'connected_right_party', 'connected_third_party', 'no_answer', 'busy', 'rejected', 'powered_off',
  'voicemail', 'wrong_number', 'delivered', 'failed', 'bounced', 'sent',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const ACTOR_KINDS = ['bank', 'agency', 'robot'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** "bank", "bank:agent-7", "agency:A1", "agency:A1:agent-3", "robot", "robot:model-v2". */
const ACTOR = /^(bank|agency|robot)(?::([A-Za-z0-9._-]{1,64}))?(?::([A-Za-z0-9._-]{1,64}))?$/;

export interface Actor { kind: ActorKind; id: string | null; text: string }

export function parseActor(text: string): Actor | null {
  const m = ACTOR.exec(text);
  if (!m) return null;
  const kind = m[1] as ActorKind;
  if (kind === 'agency' && !m[2]) return null; // an agency is always named: its contacts count toward shared caps
  return { kind, id: m[2] ?? null, text };
}

/**
 * Flags on a debtor (or one account). Holds stop collection contact; `unreachable` (失联) feeds the
 * third-party rule; `cease` is a cease-communication request.
 */
export const FLAGS = [
  'disputed', 'complaint_open', 'hardship', 'debt_advice', 'breathing_space', 'capacity_concern',
  'deceased', 'bankrupt', 'attorney', 'cease', 'unreachable',
] as const;
export type FlagKind = (typeof FLAGS)[number];
export const HOLD_FLAGS: readonly FlagKind[] = FLAGS.filter((f) => f !== 'unreachable');

/**
 * What a contact is for. Holds name the purposes they still allow (a dispute hold still allows the
 * reply to the dispute); third parties may only be contacted to locate the debtor.
 */
export const PURPOSES = [
  'collection', 'reminder', 'locate', 'limited_content', 'validation_notice', 'dispute_response',
  'forbearance', 'cease_confirmation', 'service',
] as const;
export type Purpose = (typeof PURPOSES)[number];

export const CONSENT_KINDS = ['contact_time', 'call_request', 'artificial_voice'] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];

export const DECISIONS = ['allow', 'block', 'defer'] as const;
export type Decision = (typeof DECISIONS)[number];
