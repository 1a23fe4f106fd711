import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption for personal data (AES-256-GCM throughout):
 * every subject has its own random data key, stored only wrapped (encrypted) under the master key.
 * Destroying a wrapped data key makes everything sealed with it unreadable for good, while the
 * event log, which holds only references, stays byte-for-byte what it was.
 */
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const WRAP_VERSION = 1;
const WRAPPED_BYTES = 1 + IV_BYTES + TAG_BYTES + KEY_BYTES;

export interface Sealed {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
}

/** Raised when a ciphertext does not authenticate: wrong key, wrong AAD, or tampered bytes. */
export class DecryptionError extends Error {
  constructor(what: string) {
    super(`${what} could not be decrypted: wrong key, or the stored bytes were altered or moved`);
    this.name = 'DecryptionError';
  }
}

function requireKey(key: Buffer, what: string): void {
  if (key.length !== KEY_BYTES) throw new Error(`${what} must be ${KEY_BYTES} bytes, got ${key.length}`);
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** AES-256-GCM with a fresh 96-bit IV; `aad` binds the ciphertext to where it is stored. */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  requireKey(key, 'the encryption key');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag() };
}

export function open(key: Buffer, sealed: Sealed, aad: string, what = 'the ciphertext'): Buffer {
  requireKey(key, 'the decryption key');
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) throw new DecryptionError(what);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionError(what);
  }
}

const wrapAad = (subjectId: string): string => `xuncha/personal-data-key/v${WRAP_VERSION}/${subjectId}`;

/** The data key sealed under the master key, bound to its subject: version ‖ iv ‖ tag ‖ ciphertext. */
export function wrapKey(master: Buffer, dataKey: Buffer, subjectId: string): Buffer {
  requireKey(dataKey, 'a data key');
  const { ciphertext, iv, tag } = seal(master, dataKey, wrapAad(subjectId));
  return Buffer.concat([Buffer.from([WRAP_VERSION]), iv, tag, ciphertext]);
}

export function unwrapKey(master: Buffer, wrapped: Buffer, subjectId: string): Buffer {
  const what = `the data key of subject ${subjectId}`;
  if (wrapped.length !== WRAPPED_BYTES || wrapped[0] !== WRAP_VERSION) throw new DecryptionError(what);
  const iv = wrapped.subarray(1, 1 + IV_BYTES);
  const tag = wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const ciphertext = wrapped.subarray(1 + IV_BYTES + TAG_BYTES);
  return open(master, { ciphertext, iv, tag }, wrapAad(subjectId), what);
}

/** AAD of one personal-data row: a ciphertext copied onto another ref (or kind) no longer opens. */
export const valueAad = (ref: string, kind: string): string => `xuncha/personal-data/v1/${ref}/${kind}`;

/**
 * A master key as text: 32 bytes in base64 (standard or URL-safe), e.g. `openssl rand -base64 32`.
 * `source` names where it came from (the variable or the file); the value itself is never echoed.
 */
export function parseMasterKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const hint = 'generate one with `openssl rand -base64 32`';
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new Error(`${source} must be 32 random bytes in base64 (${hint}); got a value that is not base64`);
  }
  const key = Buffer.from(trimmed.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`${source} must be 32 random bytes in base64 (${hint}); got a value of ${key.length} bytes`);
  }
  return key;
}
