/**
 * E-mail over SMTP (nodemailer, pooled connections): text and HTML parts, a Message-ID fixed per
 * outbox message (the same on every attempt, so bounces and a relay that deduplicates can tell it),
 * List-Unsubscribe with a mailto and the one-click URL (RFC 2369, RFC 8058), and a VERP envelope
 * sender (bounces+<message id>@domain) so that a bounce names the message it is about.
 * A 5xx to RCPT TO is a bounce (permanent, contact ledger `bounced`); 4xx and refused connections are
 * transient; a failure after DATA was sent is in doubt.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { ChannelProvider, OutboundMessage, ProviderLog, SendResult } from './provider.ts';
import { silentLog } from './provider.ts';

export interface SmtpSettings {
  /** smtp://user:pass@host:port or smtps://… */
  url: string;
  /** "示范银行信用卡中心 <cards@bank.example>" */
  from: string;
  /** The domain of Message-IDs and of the VERP bounce address. */
  domain: string;
  /** mailto: address for List-Unsubscribe (besides the one-click URL). */
  unsubscribeMailto: string | null;
  maxConnections: number;
  ratePerSecond: number | null;
  /** Allow a self-signed certificate (test relays only). */
  tlsInsecure: boolean;
  /** Connection and greeting timeouts in ms. */
  timeoutMs: number;
}

export const messageIdFor = (messageId: number, domain: string): string => `<outbox-${messageId}@${domain}>`;
/** The message id a VERP bounce address or Message-ID names, if any. */
export function messageIdFrom(address: string): number | null {
  const m = /(?:bounces\+|outbox-)(\d{1,18})@/.exec(address);
  return m ? Number(m[1]) : null;
}

interface SmtpError extends Error { code?: string; responseCode?: number; command?: string }

export class SmtpProvider implements ChannelProvider {
  readonly name = 'smtp';
  readonly channel = 'email' as const;
  readonly ratePerSecond: number | null;
  readonly #transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(private readonly settings: SmtpSettings, private readonly log: ProviderLog = silentLog) {
    this.ratePerSecond = settings.ratePerSecond;
    const options: SMTPTransport.Options & { pool: true; maxConnections: number } = {
      url: settings.url,
      pool: true,
      maxConnections: settings.maxConnections,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs * 4,
      ...(settings.tlsInsecure ? { tls: { rejectUnauthorized: false } } : {}),
    } as never;
    this.#transport = nodemailer.createTransport(options);
  }

  async start(): Promise<void> {}

  async send(m: OutboundMessage): Promise<SendResult> {
    const r = m.rendered;
    if (!r.subject || !r.html) return { kind: 'permanent', error: 'template_incomplete: an e-mail needs a subject and an HTML part', outcome: null };
    const messageId = messageIdFor(m.messageId, this.settings.domain);
    const unsubscribe = [this.settings.unsubscribeMailto ? `<mailto:${this.settings.unsubscribeMailto}?subject=unsubscribe%20${m.messageId}>` : null, m.unsubscribeUrl ? `<${m.unsubscribeUrl}>` : null].filter(Boolean).join(', ');
    try {
      const info = await this.#transport.sendMail({
        from: this.settings.from,
        to: m.to,
        subject: r.subject,
        text: r.text,
        html: r.html,
        messageId,
        envelope: { from: `bounces+${m.messageId}@${this.settings.domain}`, to: [m.to] },
        headers: {
          ...(unsubscribe ? { 'List-Unsubscribe': unsubscribe } : {}),
          ...(m.unsubscribeUrl ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
          'X-Recourse-Message': String(m.messageId),
        },
        textEncoding: 'base64',
      });
      if (info.rejected.length > 0) return { kind: 'permanent', error: `recipient_rejected: ${info.response}`, outcome: 'bounced' };
      return { kind: 'accepted', providerMessageIds: [messageId] };
    } catch (e) {
      return classify(e as SmtpError);
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}

/** Which SMTP failures are retried, which are bounces, and which may have gone out. */
export function classify(e: SmtpError): SendResult {
  const code = e.responseCode;
  const what = `${e.code ?? 'smtp_error'}${code ? ` ${code}` : ''}: ${e.message.split('\n')[0]}`;
  if (e.code === 'EENVELOPE') {
    if (code !== undefined && code >= 500) return { kind: 'permanent', error: `recipient_rejected: ${what}`, outcome: 'bounced' };
    return { kind: 'transient', error: what };
  }
  if (e.code === 'EMESSAGE') {
    if (code !== undefined && code >= 500) return { kind: 'permanent', error: `message_rejected: ${what}`, outcome: null };
    return { kind: 'transient', error: what };
  }
  // Before MAIL FROM nothing can have been delivered: connection refused, greeting, TLS, login.
  if (e.code === 'ECONNECTION' || e.code === 'EDNS' || e.code === 'EAUTH' || e.code === 'ETLS' || e.command === 'CONN' || e.command === 'EHLO' || e.command === 'HELO' || e.command === 'AUTH PLAIN' || e.command === 'AUTH LOGIN') {
    return { kind: 'transient', error: what };
  }
  if (code !== undefined && code >= 400 && code < 500 && e.command !== 'DATA') return { kind: 'transient', error: what };
  return { kind: 'in_doubt', error: what };
}
