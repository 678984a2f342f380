/**
 * SMPP delivery receipts (deliver_sm with esm_class "SMSC delivery receipt", 0x04): the receipt text of
 * SMPP 3.4 Appendix B, "id:IIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm
 * stat:DDDDDDD err:E text:…", with the receipted_message_id and message_state TLVs (0x001E, 0x0427)
 * preferred when present. Pure.
 */
export type ReceiptOutcome = 'delivered' | 'undelivered';

export interface DeliveryReceipt {
  providerMessageId: string;
  /** DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD (or ENROUTE: not final). */
  stat: string;
  /** Null for a state that is not final (ENROUTE, ACCEPTD): nothing to record yet. */
  outcome: ReceiptOutcome | null;
  errorCode: string | null;
}

/** message_state TLV values (SMPP 3.4 §5.2.28). */
const MESSAGE_STATES: Readonly<Record<number, string>> = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };
const FINAL: Readonly<Record<string, ReceiptOutcome>> = { DELIVRD: 'delivered', EXPIRED: 'undelivered', DELETED: 'undelivered', UNDELIV: 'undelivered', UNKNOWN: 'undelivered', REJECTD: 'undelivered' };

export const ESM_CLASS_DELIVERY_RECEIPT = 0x04;
/** Bits 2–5 of esm_class give the message type; 0x04 is an SMSC delivery receipt. */
export const isDeliveryReceipt = (esmClass: number): boolean => (esmClass & 0x3c) === ESM_CLASS_DELIVERY_RECEIPT;

/** Parses a receipt; null when neither the TLVs nor the text name a message id and a state. */
export function parseDeliveryReceipt(text: string, tlv: { receiptedMessageId?: string | null; messageState?: number | null } = {}): DeliveryReceipt | null {
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S*)`, 'i').exec(text)?.[1] ?? null;
  const id = tlv.receiptedMessageId || field('id');
  const stat = (tlv.messageState ? MESSAGE_STATES[tlv.messageState] : null) ?? field('stat')?.toUpperCase() ?? null;
  if (!id || !stat) return null;
  return { providerMessageId: id, stat, outcome: FINAL[stat] ?? null, errorCode: field('err') };
}

/** The receipt text an SMSC sends (what test peers and the simulator produce). */
export function formatDeliveryReceipt(r: { id: string; stat: string; err?: string; submitted: Date; done: Date; text?: string }): string {
  const t = (d: Date) => d.toISOString().slice(2, 16).replace(/[-T:]/g, '');
  const delivered = r.stat === 'DELIVRD' ? '001' : '000';
  return `id:${r.id} sub:001 dlvrd:${delivered} submit date:${t(r.submitted)} done date:${t(r.done)} stat:${r.stat} err:${r.err ?? '000'} text:${(r.text ?? '').slice(0, 20)}`;
}
