import { createHash } from 'node:crypto';

/** The namespace of every id derived from an Idempotency-Key (a fixed, random uuid). */
const NAMESPACE = Buffer.from('6f1d2a4e9b7c4f0e8a3d5c2b1e0f9a87', 'hex');

/** RFC 9562 uuid version 5: SHA-1 of namespace and name, the same name always giving the same id. */
export function uuidV5(name: string, namespace: Buffer = NAMESPACE): string {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A request carrying an Idempotency-Key: every id its command creates (the new case's id, its event
 * ids, the vault refs of its personal data) is derived from the user and the key, so a retry after a
 * crash writes the very same ids and finds what the first attempt wrote instead of writing it twice.
 */
export class IdempotencyScope {
  constructor(
    readonly userId: string,
    readonly key: string,
  ) {}

  /** A scope of its own under this key, for a second stream one request writes (its ids differ from ours). */
  within(part: string): IdempotencyScope {
    return new IdempotencyScope(this.userId, `${this.key}\n${part}`);
  }

  /** The id named `purpose` (e.g. `findingId`, `event:0`, `vault:subject:1`) of this request. */
  id(purpose: string): string {
    return uuidV5(`${this.userId}\n${this.key}\n${purpose}`);
  }
}
