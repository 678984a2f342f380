/**
 * An in-process SMSC for tests and the benchmark: the `smpp` package's server side on loopback. It
 * accepts transceiver binds, answers submit_sm (a scripted status per submit), keeps every PDU it
 * received, sends delivery receipts (deliver_sm, esm_class 0x04) and inbound replies (MO), and can
 * drop every link to test reconnection.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import type { PDU, Session } from 'smpp';
import { formatDeliveryReceipt } from '../../src/modules/communications/index.ts';

export interface ReceivedSubmit {
  messageId: string;
  destination: string;
  source: string;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  /** Decoded text of this part (the package decodes by data_coding). */
  text: string;
  /** The concatenation information element (IEI 0x00: 00 03 ref total seq), if any. */
  udh: Buffer | null;
  status: number;
  at: number;
}

export interface SmscOptions {
  /** command_status for each submit (0 = accept); called in order of arrival. */
  status?: (pdu: PDU, index: number) => number;
  /** Send a delivery receipt for every accepted part: its stat (DELIVRD, UNDELIV …), or null for none. */
  receipt?: (submit: ReceivedSubmit) => string | null;
  receiptDelayMs?: number;
  /** Keep the decoded PDUs (turn off in the benchmark to spend nothing on bookkeeping). */
  record?: boolean;
  password?: string;
}

export class TestSmsc {
  readonly submits: ReceivedSubmit[] = [];
  readonly receiptResponses: PDU[] = [];
  binds = 0;
  submitCount = 0;
  #server: smpp.Server;
  #sessions = new Set<Session>();
  #serial = 0;

  private constructor(private readonly options: SmscOptions) {
    this.#server = smpp.createServer({}, (session: Session) => this.#onSession(session));
  }

  static async start(options: SmscOptions = {}): Promise<TestSmsc> {
    const smsc = new TestSmsc(options);
    smsc.#server.listen(0, '127.0.0.1');
    await once(smsc.#server, 'listening');
    return smsc;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get sessions(): number {
    return this.#sessions.size;
  }

  #onSession(session: Session): void {
    this.#sessions.add(session);
    session.on('close', () => this.#sessions.delete(session));
    session.on('error', () => {});
    session.on('bind_transceiver', (pdu: PDU) => {
      if (this.options.password !== undefined && pdu.password !== this.options.password) {
        session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
        return;
      }
      this.binds++;
      session.send(pdu.response({ system_id: 'test-smsc' }));
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('deliver_sm_resp', (pdu: PDU) => this.receiptResponses.push(pdu));
    session.on('submit_sm', (pdu: PDU) => {
      const index = this.submitCount++;
      const status = this.options.status?.(pdu, index) ?? 0;
      if (status !== 0) {
        session.send(pdu.response({ command_status: status }));
        if (this.options.record !== false) this.submits.push(this.#received(pdu, '', status));
        return;
      }
      const messageId = `m${(++this.#serial).toString(16).padStart(8, '0')}`;
      session.send(pdu.response({ message_id: messageId }));
      if (this.options.record === false && !this.options.receipt) return;
      const submit = this.#received(pdu, messageId, 0);
      if (this.options.record !== false) this.submits.push(submit);
      const stat = this.options.receipt?.(submit) ?? null;
      if (stat) setTimeout(() => this.sendReceipt(session, messageId, stat, submit.destination), this.options.receiptDelayMs ?? 0);
    });
  }

  #received(pdu: PDU, messageId: string, status: number): ReceivedSubmit {
    const sm = pdu.short_message as { message?: string | Buffer; udh?: Buffer[] } | Buffer;
    const message = Buffer.isBuffer(sm) ? sm.toString('latin1') : typeof sm.message === 'string' ? sm.message : sm.message?.toString('latin1') ?? '';
    const udh = !Buffer.isBuffer(sm) && sm.udh?.length ? sm.udh[0]! : null;
    return {
      messageId, destination: pdu.destination_addr, source: pdu.source_addr, dataCoding: pdu.data_coding, esmClass: pdu.esm_class,
      registeredDelivery: pdu.registered_delivery, text: message, udh, status, at: Date.now(),
    };
  }

  /** A delivery receipt for one message id, to the session given (or any bound one). */
  sendReceipt(session: Session | null, messageId: string, stat: string, destination = '8613800000000'): void {
    const s = session && this.#sessions.has(session) ? session : [...this.#sessions][0];
    if (!s) return;
    const now = new Date();
    s.deliver_sm({
      source_addr: destination, destination_addr: '95500', esm_class: 0x04, data_coding: 0,
      short_message: formatDeliveryReceipt({ id: messageId, stat, submitted: now, done: now }),
      receipted_message_id: messageId, message_state: stat === 'DELIVRD' ? 2 : 5,
    });
  }

  /** An inbound SMS (mobile originated) from `from` to the bank's short code. */
  sendMo(from: string, text: string): void {
    const s = [...this.#sessions][0];
    if (!s) throw new Error('no bound session to deliver to');
    s.deliver_sm({ source_addr: from, destination_addr: '95500', esm_class: 0, short_message: { message: text } });
  }

  /** Drops every link (the client should reconnect and bind again). */
  dropLinks(): void {
    for (const s of this.#sessions) s.destroy();
  }

  async stop(): Promise<void> {
    for (const s of this.#sessions) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
