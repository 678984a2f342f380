/**
 * SMS over SMPP 3.4 (the `smpp` package): one transceiver bind; submit_sm with the text segmented by
 * segmentSms (UCS2 for Chinese, concatenation UDH for long texts, a delivery receipt asked for each
 * part); a window of submits in flight; deliver_sm carrying a delivery receipt or an inbound reply (MO)
 * is answered only once the sink has stored it, so the SMSC re-sends what we did not keep; the link
 * is kept with enquire_link and re-bound with exponential backoff when it drops.
 */
import smpp from 'smpp';
import type { PDU, Session } from 'smpp';
import { decodeShortMessage, segmentSms } from '../domain/sms-encoding.ts';
import { isDeliveryReceipt, parseDeliveryReceipt } from '../domain/delivery-receipt.ts';
import type { ChannelProvider, InboundSink, InboundText, OutboundMessage, ProviderLog, ReceivedReceipt, SendResult } from './provider.ts';
import { silentLog } from './provider.ts';

export interface SmppSettings {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType: string;
  /** The sender: a short code or the bank's registered number. */
  sourceAddr: string;
  sourceTon: number;
  sourceNpi: number;
  destTon: number;
  destNpi: number;
  /** submit_sm in flight at most (unanswered). */
  window: number;
  /** How long a submit_sm may go unanswered before the message is in doubt. */
  submitTimeoutMs: number;
  /** How long a send waits for the link to come up before it fails transiently. */
  bindWaitMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  enquireLinkMs: number;
  ratePerSecond: number | null;
  /** Receipts and replies stored per flush at most, and how long one waits for company. */
  inboundBatchMax: number;
  inboundFlushMs: number;
}

export const SMPP_DEFAULTS: Omit<SmppSettings, 'host' | 'port' | 'systemId' | 'password'> = {
  systemType: '', sourceAddr: '95500', sourceTon: 0, sourceNpi: 0, destTon: 1, destNpi: 1, window: 200, submitTimeoutMs: 30_000, bindWaitMs: 5_000,
  reconnectInitialMs: 500, reconnectMaxMs: 30_000, enquireLinkMs: 30_000, ratePerSecond: null, inboundBatchMax: 500, inboundFlushMs: 20,
};

/** command_status values after which the same submit may be tried again later: the SMSC did not take it. */
const TRANSIENT_STATUSES = new Set([0x0008 /* RSYSERR */, 0x0014 /* RMSGQFUL */, 0x0045 /* RSUBMITFAIL */, 0x0058 /* RTHROTTLED */, 0x0064 /* RX_T_APPN */]);
/** command_status values that say the destination itself is wrong (contact ledger: failed). */
const DESTINATION_STATUSES = new Set([0x000b /* RINVDSTADR */, 0x0050 /* RINVDSTTON */, 0x0051 /* RINVDSTNPI */]);
const ESME_RX_T_APPN = 0x0064;

type LinkState = 'down' | 'connecting' | 'bound' | 'closed';

interface InboundItem { kind: 'receipt' | 'mo'; value: ReceivedReceipt | InboundText; pdu: PDU; session: Session }
interface Pending<T> { resolve: (value: T) => void; reject: (e: Error) => void }

export class SmppProvider implements ChannelProvider {
  readonly name = 'smpp';
  readonly channel = 'sms' as const;
  readonly ratePerSecond: number | null;
  #session: Session | null = null;
  #state: LinkState = 'down';
  #reconnectDelay: number;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #enquireTimer: NodeJS.Timeout | null = null;
  #boundWaiters: Pending<void>[] = [];
  #inFlight = 0;
  #windowWaiters: (() => void)[] = [];
  /** Outstanding submits of the current session: failed as in doubt when the link drops. */
  #outstanding = new Set<(e: Error) => void>();
  #deadlines = new Map<(e: Error) => void, number>();
  #sweeper: NodeJS.Timeout | null = null;
  #inboundQueue: InboundItem[] = [];
  #flushTimer: NodeJS.Timeout | null = null;
  #flushing = Promise.resolve();
  /** Binds so far (1 = the first; more = reconnects). */
  binds = 0;

  constructor(private readonly settings: SmppSettings, private readonly sink: InboundSink, private readonly log: ProviderLog = silentLog) {
    this.ratePerSecond = settings.ratePerSecond;
    this.#reconnectDelay = settings.reconnectInitialMs;
  }

  get bound(): boolean {
    return this.#state === 'bound';
  }

  async start(): Promise<void> {
    if (this.#state === 'closed') throw new Error('smpp provider is closed');
    if (this.#state === 'down') this.#connect();
    await this.#waitBound(this.settings.bindWaitMs).catch((e: Error) => this.log.warn(`smpp: ${e.message}; retrying in the background`));
  }

  #connect(): void {
    this.#state = 'connecting';
    const session = smpp.connect({ host: this.settings.host, port: this.settings.port });
    this.#session = session;
    let bound = false;
    session.on('connect', () => {
      session.bind_transceiver({ system_id: this.settings.systemId, password: this.settings.password, system_type: this.settings.systemType, interface_version: 0x34 }, (pdu) => {
        if (this.#session !== session) return;
        if (pdu.command_status !== 0) {
          this.log.warn(`smpp: bind_transceiver refused (status 0x${pdu.command_status.toString(16)})`);
          session.destroy();
          return;
        }
        bound = true;
        this.binds++;
        this.#state = 'bound';
        this.#reconnectDelay = this.settings.reconnectInitialMs;
        this.log.info(`smpp: bound as transceiver to ${this.settings.host}:${this.settings.port}`);
        this.#enquireTimer = setInterval(() => session.enquire_link(), this.settings.enquireLinkMs);
        this.#enquireTimer.unref();
        for (const w of this.#boundWaiters.splice(0)) w.resolve();
      });
    });
    session.on('deliver_sm', (pdu: PDU) => this.#onDeliver(session, pdu));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('error', (e: Error) => this.log.warn(`smpp: link error: ${e.message}`));
    session.on('close', () => this.#onClose(session, bound));
  }

  #onClose(session: Session, wasBound: boolean): void {
    if (this.#session !== session) return;
    this.#session = null;
    if (this.#enquireTimer) clearInterval(this.#enquireTimer);
    this.#enquireTimer = null;
    for (const fail of [...this.#outstanding]) fail(new Error('the SMPP link closed before the SMSC answered'));
    this.#outstanding.clear();
    if (this.#state === 'closed') return;
    this.#state = 'down';
    const delay = this.#reconnectDelay;
    this.#reconnectDelay = Math.min(this.settings.reconnectMaxMs, this.#reconnectDelay * 2);
    this.log.warn(`smpp: link ${wasBound ? 'dropped' : 'could not be bound'}; reconnecting in ${delay} ms`);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#state === 'down') this.#connect();
    }, delay);
    this.#reconnectTimer.unref();
  }

  #waitBound(ms: number): Promise<void> {
    if (this.#state === 'bound') return Promise.resolve();
    if (this.#state === 'closed') return Promise.reject(new Error('the provider is closed'));
    return new Promise<void>((resolve, reject) => {
      const waiter: Pending<void> = {
        resolve: () => { clearTimeout(timer); resolve(); },
        reject,
      };
      const timer = setTimeout(() => {
        this.#boundWaiters.splice(this.#boundWaiters.indexOf(waiter), 1);
        reject(new Error(`not bound to the SMSC within ${ms} ms`));
      }, ms);
      this.#boundWaiters.push(waiter);
    });
  }

  async #acquireWindow(): Promise<void> {
    while (this.#inFlight >= this.settings.window) await new Promise<void>((resolve) => this.#windowWaiters.push(resolve));
    this.#inFlight++;
  }

  #releaseWindow(): void {
    this.#inFlight--;
    this.#windowWaiters.shift()?.();
  }

  /**
   * One submit_sm; resolves with the response, rejects when the link drops or the SMSC does not answer
   * in time (one sweeper checks the deadlines, not a timer per submit).
   */
  #submit(session: Session, fields: Record<string, unknown>): Promise<PDU> {
    return new Promise<PDU>((resolve, reject) => {
      let done = false;
      const finish = (e: Error | null, pdu?: PDU) => {
        if (done) return;
        done = true;
        this.#outstanding.delete(fail);
        this.#deadlines.delete(fail);
        if (e) reject(e);
        else resolve(pdu!);
      };
      const fail = (e: Error) => finish(e);
      this.#outstanding.add(fail);
      this.#deadlines.set(fail, performance.now() + this.settings.submitTimeoutMs);
      this.#sweeper ??= setInterval(() => this.#sweep(), Math.min(1_000, this.settings.submitTimeoutMs));
      const written = session.send(new smpp.PDU('submit_sm', fields), (pdu) => finish(null, pdu));
      if (!written) finish(Object.assign(new Error('the SMPP socket is not writable'), { notWritten: true }));
    });
  }

  #sweep(): void {
    const now = performance.now();
    for (const [fail, deadline] of this.#deadlines) if (deadline <= now) fail(new Error(`no submit_sm_resp within ${this.settings.submitTimeoutMs} ms`));
    if (this.#deadlines.size === 0 && this.#sweeper) {
      clearInterval(this.#sweeper);
      this.#sweeper = null;
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    try {
      await this.#waitBound(this.settings.bindWaitMs);
    } catch (e) {
      return { kind: 'transient', error: `smsc_not_bound: ${(e as Error).message}` };
    }
    const seg = segmentSms(m.rendered.text, m.messageId % 256);
    const ids: string[] = [];
    for (let i = 0; i < seg.parts.length; i++) {
      const session = this.#session;
      if (!session || this.#state !== 'bound') {
        return i === 0 ? { kind: 'transient', error: 'smsc_not_bound: the link dropped' } : { kind: 'in_doubt', error: `partial_submit: ${i} of ${seg.parts.length} parts accepted, then the link dropped` };
      }
      await this.#acquireWindow();
      let resp: PDU;
      try {
        resp = await this.#submit(session, {
          source_addr_ton: this.settings.sourceTon, source_addr_npi: this.settings.sourceNpi, source_addr: this.settings.sourceAddr,
          dest_addr_ton: this.settings.destTon, dest_addr_npi: this.settings.destNpi, destination_addr: m.to.replace(/^\+/, ''),
          esm_class: seg.esmClass, data_coding: seg.dataCoding, registered_delivery: 0x01, short_message: seg.parts[i],
        });
      } catch (e) {
        const notWritten = (e as { notWritten?: boolean }).notWritten === true;
        if (notWritten && i === 0) return { kind: 'transient', error: `smsc_not_bound: ${(e as Error).message}` };
        return { kind: 'in_doubt', error: `${(e as Error).message} (part ${i + 1} of ${seg.parts.length}${i > 0 ? `, ${i} accepted` : ''})` };
      } finally {
        this.#releaseWindow();
      }
      const status = resp.command_status;
      if (status !== 0) {
        const code = `smpp_status_0x${status.toString(16).padStart(4, '0')}`;
        if (i > 0) return { kind: 'in_doubt', error: `partial_submit: part ${i + 1} of ${seg.parts.length} refused (${code}) after ${i} accepted` };
        if (TRANSIENT_STATUSES.has(status)) return { kind: 'transient', error: code };
        return { kind: 'permanent', error: code, outcome: DESTINATION_STATUSES.has(status) ? 'failed' : null };
      }
      ids.push(String(resp.message_id));
    }
    return { kind: 'accepted', providerMessageIds: ids };
  }

  #onDeliver(session: Session, pdu: PDU): void {
    const esm = Number(pdu.esm_class ?? 0);
    const raw = pdu.short_message as { message?: string | Buffer } | Buffer | undefined;
    const payload = raw === undefined ? Buffer.alloc(0) : Buffer.isBuffer(raw) ? raw : raw.message;
    const text = typeof payload === 'string' ? payload : decodeShortMessage(payload ?? Buffer.alloc(0), Number(pdu.data_coding ?? 0), 0).text;
    const now = new Date();
    if (isDeliveryReceipt(esm)) {
      const r = parseDeliveryReceipt(text, { receiptedMessageId: pdu.receipted_message_id ?? null, messageState: pdu.message_state ?? null });
      if (!r || r.outcome === null) {
        session.send(pdu.response()); // unreadable or not final (ENROUTE): nothing to keep
        return;
      }
      this.#queueInbound({ kind: 'receipt', value: { providerMessageId: r.providerMessageId, outcome: r.outcome, stat: r.stat, errorCode: r.errorCode, receivedAt: now }, pdu, session });
      return;
    }
    this.#queueInbound({ kind: 'mo', value: { channel: 'sms', from: String(pdu.source_addr ?? ''), to: pdu.destination_addr ? String(pdu.destination_addr) : null, text, receivedAt: now }, pdu, session });
  }

  #queueInbound(item: InboundItem): void {
    this.#inboundQueue.push(item);
    if (this.#inboundQueue.length >= this.settings.inboundBatchMax) this.#flush();
    else this.#flushTimer ??= setTimeout(() => this.#flush(), this.settings.inboundFlushMs);
  }

  #flush(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    const batch = this.#inboundQueue.splice(0);
    if (batch.length === 0) return;
    this.#flushing = this.#flushing.then(async () => {
      const receipts = batch.filter((b) => b.kind === 'receipt');
      const replies = batch.filter((b) => b.kind === 'mo');
      let stored = true;
      try {
        if (receipts.length) await this.sink.receipts(this.name, receipts.map((b) => b.value as ReceivedReceipt));
        if (replies.length) await this.sink.inbound(this.name, replies.map((b) => b.value as InboundText));
      } catch (e) {
        stored = false;
        this.log.warn(`smpp: could not store ${batch.length} receipt(s)/reply(ies), the SMSC will re-send them: ${(e as Error).message}`);
      }
      // Answered only now: an unanswered (or refused) deliver_sm is re-sent by the SMSC.
      for (const b of batch) b.session.send(stored ? b.pdu.response() : b.pdu.response({ command_status: ESME_RX_T_APPN }));
    });
  }

  /** Waits for stored receipts to be answered (tests, shutdown). */
  async drained(): Promise<void> {
    if (this.#inboundQueue.length) this.#flush();
    await this.#flushing;
  }

  async close(): Promise<void> {
    const previous = this.#state;
    this.#state = 'closed';
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
    for (const w of this.#boundWaiters.splice(0)) w.reject(new Error('the provider is closed'));
    await this.drained();
    const session = this.#session;
    if (!session) return;
    if (previous === 'bound') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        session.unbind(() => { clearTimeout(timer); resolve(); });
      });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { session.destroy(); resolve(); }, 1_000);
      session.close(() => { clearTimeout(timer); resolve(); });
    });
  }
}
