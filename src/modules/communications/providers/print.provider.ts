/**
 * Letters: "sending" a letter puts it into today's print batch (the dispatcher records the batch date
 * with the message in the same transaction); `recourse letters batch` renders a batch into one print
 * file. Nothing leaves the system before that, so a letter is never in doubt.
 */
import type { ChannelProvider, OutboundMessage, SendResult } from './provider.ts';

export class PrintBatchProvider implements ChannelProvider {
  readonly name = 'print';
  readonly channel = 'letter' as const;
  readonly ratePerSecond = null;

  async start(): Promise<void> {}

  async send(m: OutboundMessage): Promise<SendResult> {
    if (!m.recipient || m.recipient.lines.length === 0) return { kind: 'permanent', error: 'no_postal_address: the destination is not an address', outcome: null };
    return { kind: 'accepted', providerMessageIds: [`print:${m.messageId}`] };
  }

  async close(): Promise<void> {}
}
