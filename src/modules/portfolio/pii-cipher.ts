/**
 * Application-level protection of personal identifiers (national id): AES-256-GCM with a random IV
 * for storage, HMAC-SHA256 for equality (re-imports compare without decrypting), and masking for
 * display. The key comes from configuration (docs/configuration.md).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PiiCipher {
  readonly #key: Buffer;
  readonly #hmacKey: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the PII key must be 32 bytes (base64 of 32 random bytes)');
    this.#key = key;
    // A separate derived key for HMAC so that the two uses never share key material directly.
    this.#hmacKey = createHmac('sha256', key).update('recourse/pii/hmac/v1').digest();
  }

  encrypt(text: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.subarray(0, IV_BYTES));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  hmac(text: string): Buffer {
    return createHmac('sha256', this.#hmacKey).update(text, 'utf8').digest();
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
