import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeShortMessage, isGsm7, segmentSms, DATA_CODING_DEFAULT, DATA_CODING_UCS2, ESM_CLASS_UDHI } from './sms-encoding.ts';

const joined = (text: string, ref = 9) => {
  const s = segmentSms(text, ref);
  return s.parts.map((p) => decodeShortMessage(p, s.dataCoding, s.esmClass).text).join('');
};

describe('segmentSms', () => {
  it('GSM text: one part up to 160 septets, then 153 per part; extended characters take two', () => {
    expect(segmentSms('a'.repeat(160))).toMatchObject({ dataCoding: DATA_CODING_DEFAULT, esmClass: 0, texts: ['a'.repeat(160)] });
    const long = segmentSms('a'.repeat(161), 7);
    expect(long.texts.map((t) => t.length)).toEqual([153, 8]);
    expect(long.esmClass).toBe(ESM_CLASS_UDHI);
    expect([...long.parts[1]!.subarray(0, 6)]).toEqual([0x05, 0x00, 0x03, 7, 2, 2]);
    expect(segmentSms('€'.repeat(80)).texts).toEqual(['€'.repeat(80)]); // 160 septets
    expect(segmentSms('€'.repeat(81)).texts.map((t) => t.length)).toEqual([76, 5]); // an escape pair is never split
    expect([...segmentSms('{a}').parts[0]!]).toEqual([0x1b, 0x28, 0x61, 0x1b, 0x29]);
  });

  it('Chinese goes as UCS2 (UTF-16BE): 70 units in one part, else 67 per part; a surrogate pair stays whole', () => {
    const one = segmentSms('张伟您好');
    expect(one).toMatchObject({ dataCoding: DATA_CODING_UCS2, esmClass: 0 });
    expect([...one.parts[0]!.subarray(0, 4)]).toEqual([0x5f, 0x20, 0x4f, 0x1f]); // 张 U+5F20, 伟 U+4F1F, big-endian
    expect(segmentSms('好'.repeat(70)).parts).toHaveLength(1);
    expect(segmentSms('好'.repeat(71)).texts.map((t) => t.length)).toEqual([67, 4]);
    const emoji = segmentSms('好'.repeat(66) + '😀' + '好'.repeat(5));
    expect(emoji.texts[0]).toBe('好'.repeat(66)); // 66 + 2 units would be 68 > 67
    expect(emoji.texts[1]).toBe('😀' + '好'.repeat(5));
    expect(isGsm7('Hello £5')).toBe(true);
    expect(isGsm7('你好')).toBe(false);
  });

  it('refuses a reference outside 0–255 (a bug)', () => {
    expect(() => segmentSms('x', 256)).toThrow(/0–255/);
  });

  it('any text survives the round trip, each part within the limits of its alphabet', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '€', '{', '张', '伟', '😀', '\n', '@'), maxLength: 600 }), fc.integer({ min: 0, max: 255 }), (text, ref) => {
      const s = segmentSms(text, ref);
      expect(joined(text, ref)).toBe(text);
      for (const p of s.parts) expect(p.length).toBeLessThanOrEqual(s.dataCoding === DATA_CODING_UCS2 ? 140 : 166);
      s.parts.forEach((p, i) => {
        const d = decodeShortMessage(p, s.dataCoding, s.esmClass);
        if (s.parts.length > 1) expect(d.concat).toEqual({ reference: ref, total: s.parts.length, sequence: i + 1 });
        else expect(d.concat).toBeNull();
      });
    }));
  });
});
