/**
 * SMS text → SMPP short_message payloads. Text that fits the GSM 03.38 alphabet goes out as the SMSC
 * default alphabet (data_coding 0, one octet per septet as SMPP carries it); anything else, Chinese
 * included, as UCS2 (data_coding 8, UTF-16BE). A long text is cut into parts, each prefixed with a
 * concatenation UDH (IEI 0x00: 05 00 03 ref total seq) and sent with esm_class UDHI (0x40):
 * 160 / 153 septets, 70 / 67 UTF-16 units; a part never splits an escape pair or a surrogate pair.
 */
import { assert } from '../../../kernel/assert.ts';

export const DATA_CODING_DEFAULT = 0x00;
export const DATA_CODING_UCS2 = 0x08;
export const ESM_CLASS_UDHI = 0x40;
export const UDH_CONCAT_IEI = 0x00;
/** Parts of one message at most (the 8-bit UDH counts to 255; carriers stop far earlier). */
export const SMS_PARTS_MAX = 10;

const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED: Readonly<Record<string, number>> = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };
const GSM_CODE = new Map<string, number>([...GSM_BASIC].map((c, i) => [c, i]));
const GSM_BY_CODE = [...GSM_BASIC];
const GSM_EXTENDED_BY_CODE = new Map<number, string>(Object.entries(GSM_EXTENDED).map(([c, code]) => [code, c]));

export function isGsm7(text: string): boolean {
  for (const c of text) if (!GSM_CODE.has(c) && !(c in GSM_EXTENDED)) return false;
  return true;
}

export interface SmsSegments {
  dataCoding: typeof DATA_CODING_DEFAULT | typeof DATA_CODING_UCS2;
  /** short_message of each part (UDH included when there are several). */
  parts: Buffer[];
  /** esm_class for every part. */
  esmClass: number;
  /** The text of each part (for logs and tests). */
  texts: string[];
}

/** Septets per character unit: an extended character is ESC + code. */
function gsmUnits(text: string): { chars: string[]; septets: number[] } {
  const chars = [...text];
  return { chars, septets: chars.map((c) => (c in GSM_EXTENDED ? 2 : 1)) };
}

function encodeGsm(text: string): Buffer {
  const bytes: number[] = [];
  for (const c of text) {
    const basic = GSM_CODE.get(c);
    if (basic !== undefined) bytes.push(basic);
    else bytes.push(0x1b, GSM_EXTENDED[c]!);
  }
  return Buffer.from(bytes);
}

function encodeUcs2(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) {
    const a = le[i]!;
    le[i] = le[i + 1]!;
    le[i + 1] = a;
  }
  return le;
}

/** Cuts `units` (each with a size) into runs of at most `max`, never inside a unit. */
function cut(chars: string[], sizes: number[], max: number): string[] {
  const out: string[] = [];
  let current = '';
  let size = 0;
  chars.forEach((c, i) => {
    if (size + sizes[i]! > max) {
      out.push(current);
      current = '';
      size = 0;
    }
    current += c;
    size += sizes[i]!;
  });
  if (current !== '' || out.length === 0) out.push(current);
  return out;
}

/**
 * The parts of one SMS. `reference` (0–255) ties the parts together in the handset; give each message
 * its own (the dispatcher uses the message id).
 */
export function segmentSms(text: string, reference = 0): SmsSegments {
  assert(Number.isInteger(reference) && reference >= 0 && reference <= 255, `SMS concatenation reference ${reference} is not 0–255`);
  const gsm = isGsm7(text);
  let texts: string[];
  if (gsm) {
    const { chars, septets } = gsmUnits(text);
    const total = septets.reduce((a, b) => a + b, 0);
    texts = total <= 160 ? [text] : cut(chars, septets, 153);
  } else {
    // UTF-16 code units; a character outside the BMP is two units and stays whole.
    const chars = [...text];
    const units = chars.map((c) => c.length);
    const total = units.reduce((a, b) => a + b, 0);
    texts = total <= 70 ? [text] : cut(chars, units, 67);
  }
  const encode = gsm ? encodeGsm : encodeUcs2;
  if (texts.length === 1) return { dataCoding: gsm ? DATA_CODING_DEFAULT : DATA_CODING_UCS2, parts: [encode(texts[0]!)], esmClass: 0, texts };
  assert(texts.length <= 255, 'an SMS has at most 255 parts');
  const parts = texts.map((t, i) => Buffer.concat([Buffer.from([0x05, UDH_CONCAT_IEI, 0x03, reference, texts.length, i + 1]), encode(t)]));
  return { dataCoding: gsm ? DATA_CODING_DEFAULT : DATA_CODING_UCS2, parts, esmClass: ESM_CLASS_UDHI, texts };
}

export interface DecodedShortMessage {
  text: string;
  /** The concatenation header, when the part carries one. */
  concat: { reference: number; total: number; sequence: number } | null;
}

/** The inverse of segmentSms for one part (an inbound MO, or a test peer reading what it received). */
export function decodeShortMessage(payload: Buffer, dataCoding: number, esmClass: number): DecodedShortMessage {
  let body = payload;
  let concat: DecodedShortMessage['concat'] = null;
  if ((esmClass & ESM_CLASS_UDHI) !== 0 && payload.length > 0) {
    const udhLength = payload[0]!;
    const udh = payload.subarray(1, 1 + udhLength);
    for (let i = 0; i + 1 < udh.length; ) {
      const iei = udh[i]!;
      const len = udh[i + 1]!;
      if (iei === UDH_CONCAT_IEI && len === 3) concat = { reference: udh[i + 2]!, total: udh[i + 3]!, sequence: udh[i + 4]! };
      i += 2 + len;
    }
    body = payload.subarray(1 + udhLength);
  }
  const coding = dataCoding & 0x0f;
  let text: string;
  if (coding === DATA_CODING_UCS2) {
    const le = Buffer.from(body);
    for (let i = 0; i + 1 < le.length; i += 2) {
      const a = le[i]!;
      le[i] = le[i + 1]!;
      le[i + 1] = a;
    }
    text = le.toString('utf16le');
  } else if (coding === 0x03) {
    text = body.toString('latin1');
  } else {
    text = '';
    for (let i = 0; i < body.length; i++) {
      const b = body[i]!;
      if (b === 0x1b && i + 1 < body.length) text += GSM_EXTENDED_BY_CODE.get(body[++i]!) ?? ' ';
      else text += GSM_BY_CODE[b] ?? '?';
    }
  }
  return { text, concat };
}
