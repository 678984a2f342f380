/**
 * Application-level protection of personal identifiers (national ids, phone numbers, TOTP secrets):
 * AES-256-GCM with a random IV under the keyring's active key, the key id written in a header on
 * every ciphertext (so keys can rotate: old ciphertexts stay readable while any configured key
 * sealed them), HMAC-SHA256 under a separate blind-index key for equality and lookup without
 * decrypting, and masking for display. Keys come from configuration (docs/configuration.md).
 *
 * Sealed layout: format ‖ key id length (1 byte) ‖ key id (ASCII) ‖ iv (12) ‖ tag (16) ‖ ciphertext.
 * Format 2 (everything sealed now) authenticates the header as GCM additional data, so a key id
 * cannot be swapped; format 1 is a value sealed before key ids existed, whose header migration 0003
 * prepended (no additional data). `recourse keys rotate` turns format 1 into format 2.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const FORMAT_UNBOUND = 1;
const FORMAT_BOUND = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const PII_KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** The encryption keys by id, the one new data is sealed with, and the blind-index key. */
export interface PiiKeyring {
  activeKeyId: string;
  keys: Readonly<Record<string, Buffer>>;
  indexKey: Buffer;
}

export class PiiKeyError extends Error {}

/** The blind-index key derived from an encryption key (how every HMAC was keyed before key rotation). */
export function deriveIndexKey(key: Buffer): Buffer {
  return createHmac('sha256', key).update('recourse/pii/hmac/v1').digest();
}

export class PiiCipher {
  readonly #keys: Map<string, Buffer>;
  readonly #indexKey: Buffer;
  readonly activeKeyId: string;

  constructor(ring: PiiKeyring) {
    this.#keys = new Map();
    for (const [id, key] of Object.entries(ring.keys)) {
      if (!PII_KEY_ID.test(id)) throw new PiiKeyError(`PII key id ${JSON.stringify(id)}: use 1–32 letters, digits, _ or -`);
      if (key.length !== 32) throw new PiiKeyError(`PII key ${id}: must be 32 bytes (base64 of 32 random bytes)`);
      this.#keys.set(id, key);
    }
    if (!this.#keys.has(ring.activeKeyId)) throw new PiiKeyError(`the active PII key ${JSON.stringify(ring.activeKeyId)} is not in the keyring`);
    if (ring.indexKey.length !== 32) throw new PiiKeyError('the blind-index key must be 32 bytes');
    this.activeKeyId = ring.activeKeyId;
    this.#indexKey = ring.indexKey;
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  encrypt(text: string): Buffer {
    const id = Buffer.from(this.activeKeyId, 'ascii');
    const header = Buffer.concat([Buffer.from([FORMAT_BOUND, id.length]), id]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.activeKeyId)!, iv);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([header, iv, cipher.getAuthTag(), body]);
  }

  /** True when `sealed` is sealed the current way under the active key (rotation leaves it alone). */
  isCurrent(sealed: Buffer): boolean {
    return sealed[0] === FORMAT_BOUND && this.keyIdOf(sealed) === this.activeKeyId;
  }

  /** The id of the key that sealed `sealed` (whether or not it is configured). */
  keyIdOf(sealed: Buffer): string {
    if (sealed.length < 2 || (sealed[0] !== FORMAT_BOUND && sealed[0] !== FORMAT_UNBOUND)) throw new PiiKeyError('not a sealed PII value (unknown format)');
    return sealed.subarray(2, 2 + sealed[1]!).toString('ascii');
  }

  decrypt(sealed: Buffer): string {
    const keyId = this.keyIdOf(sealed);
    const key = this.#keys.get(keyId);
    if (!key) throw new PiiKeyError(`PII key ${JSON.stringify(keyId)} sealed this value but is not configured (RECOURSE_PII_KEYS)`);
    const headerBytes = 2 + sealed[1]!;
    const iv = sealed.subarray(headerBytes, headerBytes + IV_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    if (sealed[0] === FORMAT_BOUND) decipher.setAAD(sealed.subarray(0, headerBytes));
    decipher.setAuthTag(sealed.subarray(headerBytes + IV_BYTES, headerBytes + IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(headerBytes + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** Blind index: equal inputs give equal HMACs under the same index key. */
  hmac(text: string): Buffer {
    return createHmac('sha256', this.#indexKey).update(text, 'utf8').digest();
  }
}

/** "110105194912310021" → "**************0021": only the last four characters are ever shown. */
export function maskIdentifier(last4: string | null, length = 18): string | null {
  if (last4 === null) return null;
  return '*'.repeat(Math.max(length - last4.length, 4)) + last4;
}

/** "13812345678" → "138****5678"; short numbers keep only their last two digits. */
export function maskPhone(number: string): string {
  if (number.length >= 11) return number.slice(0, number.length - 8) + '****' + number.slice(-4);
  return '*'.repeat(Math.max(number.length - 2, 1)) + number.slice(-2);
}
