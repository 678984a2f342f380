/**
 * What check() reads: the proposed contact and an immutable snapshot of the debtor's compliance state
 * (time zones, contact points, flags, opt-outs, consents, contact history). Instants are epoch
 * milliseconds (UTC); local days are epoch days in a named IANA zone.
 */
import type { Actor, ActorKind, Channel, ChannelSelector, ConsentKind, FlagKind, Outcome, Party, Purpose } from './vocabulary.ts';

export interface ContactContent {
  /** The text that would go out (rendered template or free text); null when only a template/script id is known. */
  text: string | null;
  templateId: string | null;
  purpose: Purpose;
  /** Named slots of a structured document (collection letter, validation notice). */
  slots: Readonly<Record<string, string | null>> | null;
  /** The first communication with the consumer about this debt (US mini-Miranda). */
  firstCommunication: boolean;
}

export interface ProposedContact {
  id: string;
  /** The instant the contact would happen. */
  at: number;
  channel: Channel;
  actor: Actor;
  party: Party;
  destination: string;
  /** The debt (card account) the contact is about; per-debt counters use it. */
  accountId: string | null;
  content: ContactContent | null;
}

export interface HistoryEntry {
  at: number;
  channel: Channel;
  destination: string;
  party: Party;
  actor: ActorKind;
  outcome: Outcome;
  accountId: string | null;
}

export interface Destination {
  value: string;
  role: Party;
  verified: boolean;
  source: string | null;
}

export interface Flag {
  kind: FlagKind;
  since: number | null;
  /** Set by the recorder for a fixed-term flag; packs may also derive an end (debt advice: since + 30 days). */
  until: number | null;
  /** Debt advice: the 30-day pause was extended once more. */
  extended: boolean;
  /** Attorney representation: the attorney has responded (so the no-response reopening does not apply). */
  responded: boolean;
  /** Null = every account of the debtor. */
  accountId: string | null;
}

export interface OptOut {
  channel: ChannelSelector;
  /** Null = every destination on the channel. */
  destination: string | null;
}

export interface LocalWindow {
  /** Minutes after local midnight, inclusive. */
  startMinute: number;
  /** Minutes after local midnight, exclusive (1440 = midnight). */
  endMinute: number;
}

export interface Consent {
  id: string | null;
  kind: ConsentKind;
  channel: ChannelSelector;
  validFrom: number | null;
  validUntil: number | null;
  /** contact_time: the extra local window agreed (null = the whole day). */
  window: LocalWindow | null;
  destination: string | null;
}

export interface DebtorSnapshot {
  customerId: string | null;
  /** Every plausible time zone of the debtor; each one must pass the time rules. */
  timeZones: readonly string[];
  destinations: readonly Destination[];
  flags: readonly Flag[];
  optOuts: readonly OptOut[];
  consents: readonly Consent[];
  /** Contact attempts, any order. */
  history: readonly HistoryEntry[];
}

/** Phone numbers compare on digits (and a leading +), e-mail addresses case-insensitively. */
export function normalizeDestination(value: string): string {
  if (value.startsWith(PHONE_KEY_PREFIX)) return value; // a phone's key, already normalized
  const trimmed = value.trim();
  if (trimmed.includes('@')) return trimmed.toLowerCase();
  if (/^\+?[\d\s().-]+$/.test(trimmed)) return trimmed.replace(/[\s().-]/g, '');
  return trimmed.replace(/\s+/g, ' ');
}

/** Prefix of a phone number's key: its blind index (HMAC) in hex, never the number itself. */
export const PHONE_KEY_PREFIX = 'tel:';

/**
 * The key the stored state uses for a destination: phone numbers are encrypted at rest, so they are
 * compared by blind index (`tel:` + HMAC of the normalized number, as contact_points.value_hmac holds
 * it); e-mail addresses and other destinations by their normalized text. Idempotent: a key maps to
 * itself, so callers holding contact-point keys (the daily cycle) may pass them as they are.
 */
export function destinationKeyer(hmac: (text: string) => Buffer): (destination: string) => string {
  return (destination) => {
    if (destination.startsWith(PHONE_KEY_PREFIX)) return destination;
    const normalized = normalizeDestination(destination);
    return /^\+?\d{5,20}$/.test(normalized) ? PHONE_KEY_PREFIX + hmac(normalized).toString('hex') : normalized;
  };
}

