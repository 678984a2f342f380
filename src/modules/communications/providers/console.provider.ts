/**
 * Local development: every message is written as one line (destination masked, never in clear) to a
 * stream and reported accepted; SMS and e-mail are then reported delivered, robot calls answered.
 */
import type { TemplateChannel } from '../domain/template.ts';
import type { ChannelProvider, InboundSink, OutboundMessage, SendResult } from './provider.ts';

let serial = 0;

export class ConsoleProvider implements ChannelProvider {
  readonly name: string;
  readonly ratePerSecond = null;
  #pending = new Set<Promise<void>>();

  constructor(readonly channel: TemplateChannel, private readonly out: { write(text: string): unknown }, private readonly sink: InboundSink | null = null) {
    this.name = `console-${channel}`;
  }

  async start(): Promise<void> {}

  async send(m: OutboundMessage): Promise<SendResult> {
    const id = `console-${process.pid}-${++serial}`;
    const r = m.rendered;
    const head = r.subject ?? r.title;
    this.out.write(`[${this.channel}] #${m.messageId} → ${m.toMasked} (${r.templateId} v${r.version}, ${r.language})${head ? ` ${head}` : ''}: ${r.text.replace(/\s+/g, ' ').slice(0, 500)}\n`);
    if (this.sink) {
      const at = new Date();
      // Reported a moment later, as a real network would (the dispatcher records the send first).
      const report = (tries: number): void => {
        const p = new Promise<void>((resolve) => setTimeout(resolve, 20 * (tries + 1)))
          .then(() => (this.channel === 'voice_robot'
            ? this.sink!.callResults(this.name, [{ messageId: m.messageId, providerCallId: id, outcome: 'answered', keys: [], at }])
            : this.channel === 'letter' ? undefined
              : this.sink!.receipts(this.name, [{ providerMessageId: id, outcome: 'delivered', stat: 'DELIVRD', errorCode: null, receivedAt: at }])))
          .catch((e: { retry?: boolean }) => { if (e.retry && tries < 50) report(tries + 1); })
          .finally(() => this.#pending.delete(p));
        this.#pending.add(p);
      };
      report(0);
    }
    return { kind: 'accepted', providerMessageIds: [id] };
  }

  async close(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }
}
