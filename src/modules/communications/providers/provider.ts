/**
 * What the dispatcher hands a channel provider, what the provider answers, and what providers report
 * back later (delivery receipts, inbound replies, call outcomes). One message per `send`; the
 * dispatcher paces sends per provider (rate limit) and runs them concurrently, the provider keeps its
 * own protocol limits (the SMPP window).
 */
import type { RenderedMessage, TemplateChannel, TemplateLanguage } from '../domain/template.ts';

export interface PostalRecipient { name: string; lines: string[] }

export interface OutboundMessage {
  messageId: number;
  /** The outbox row's key: stable across attempts, passed to providers that can deduplicate with it. */
  idempotencyKey: string;
  channel: TemplateChannel;
  /** In clear, decrypted just now for this hand-over (phone), or the e-mail address / postal address. */
  to: string;
  /** How the destination may be shown (logs, console provider). */
  toMasked: string;
  rendered: RenderedMessage;
  language: TemplateLanguage;
  /** Letters: who and where. */
  recipient: PostalRecipient | null;
  /** E-mail: the one-click unsubscribe link of this message. */
  unsubscribeUrl: string | null;
}

/**
 * - accepted: the provider took it (its ids: one per SMS part).
 * - transient: it was not handed over (link down, throttled, 4xx): retried with backoff.
 * - permanent: refused, not sent; `outcome` when it says something about the destination (invalid
 *   number → failed, mailbox unknown → bounced), which goes to the contact ledger.
 * - in_doubt: it may have been accepted (timeout or link lost after the request went out): never sent
 *   again automatically (docs/communications.md, "never twice").
 */
export type SendResult =
  | { kind: 'accepted'; providerMessageIds: string[] }
  | { kind: 'transient'; error: string }
  | { kind: 'permanent'; error: string; outcome: 'failed' | 'bounced' | null }
  | { kind: 'in_doubt'; error: string };

export interface ChannelProvider {
  /** Stored with the message (outbox_messages.provider) and in provider_message_id lookups. */
  readonly name: string;
  readonly channel: TemplateChannel;
  /** Messages per second this provider may be given (null: no limit). */
  readonly ratePerSecond: number | null;
  start(): Promise<void>;
  send(message: OutboundMessage): Promise<SendResult>;
  close(): Promise<void>;
}

export interface ReceivedReceipt {
  providerMessageId: string;
  outcome: 'delivered' | 'undelivered' | 'bounced';
  stat: string | null;
  errorCode: string | null;
  receivedAt: Date;
}

export interface InboundText {
  channel: 'sms' | 'email';
  /** The sender in clear as the network gave it (never stored: keyed by blind index). */
  from: string;
  to: string | null;
  text: string;
  receivedAt: Date;
}

export const CALL_OUTCOMES = ['answered', 'no_answer', 'busy', 'voicemail', 'failed'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export interface CallResult {
  /** The message id the call was placed for (the provider echoes our reference). */
  messageId: number;
  providerCallId: string | null;
  outcome: CallOutcome;
  /** DTMF keys pressed, in order. */
  keys: string[];
  at: Date;
}

/** Where providers report what happened later; each promise resolves once it is stored. */
export interface InboundSink {
  receipts(provider: string, receipts: readonly ReceivedReceipt[]): Promise<void>;
  inbound(provider: string, messages: readonly InboundText[]): Promise<void>;
  callResults(provider: string, results: readonly CallResult[]): Promise<void>;
}

export interface ProviderLog { info(message: string): void; warn(message: string): void }
export const silentLog: ProviderLog = { info: () => {}, warn: () => {} };
