import { describe, expect, it } from 'vitest';
import { formatDeliveryReceipt, isDeliveryReceipt, parseDeliveryReceipt } from './delivery-receipt.ts';

describe('delivery receipts', () => {
  it('reads the Appendix B text and prefers the TLVs', () => {
    const text = 'id:0123456789 sub:001 dlvrd:001 submit date:2606301200 done date:2606301201 stat:DELIVRD err:000 text:张伟您好';
    expect(parseDeliveryReceipt(text)).toEqual({ providerMessageId: '0123456789', stat: 'DELIVRD', outcome: 'delivered', errorCode: '000' });
    expect(parseDeliveryReceipt(text.replace('DELIVRD', 'UNDELIV').replace('err:000', 'err:034'))).toMatchObject({ outcome: 'undelivered', errorCode: '034' });
    expect(parseDeliveryReceipt(text, { receiptedMessageId: 'abc', messageState: 5 })).toMatchObject({ providerMessageId: 'abc', stat: 'UNDELIV', outcome: 'undelivered' });
    expect(parseDeliveryReceipt(text.replace('DELIVRD', 'ENROUTE'))).toMatchObject({ outcome: null });
    for (const stat of ['EXPIRED', 'DELETED', 'REJECTD', 'UNKNOWN']) expect(parseDeliveryReceipt(text.replace('DELIVRD', stat))!.outcome).toBe('undelivered');
    expect(parseDeliveryReceipt('hello')).toBeNull();
  });

  it('writes what it reads, and tells a receipt from an inbound message by esm_class', () => {
    const t = formatDeliveryReceipt({ id: 'm1', stat: 'DELIVRD', submitted: new Date('2026-06-30T04:00:00Z'), done: new Date('2026-06-30T04:01:00Z') });
    expect(t).toBe('id:m1 sub:001 dlvrd:001 submit date:2606300400 done date:2606300401 stat:DELIVRD err:000 text:');
    expect(parseDeliveryReceipt(t)!.providerMessageId).toBe('m1');
    expect(isDeliveryReceipt(0x04)).toBe(true);
    expect(isDeliveryReceipt(0x00)).toBe(false);
    expect(isDeliveryReceipt(0x40)).toBe(false);
  });
});
