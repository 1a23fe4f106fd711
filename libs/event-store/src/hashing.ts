import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted and no whitespace: one text for one value, whoever writes it. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const asJson = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof asJson === 'function') return canonicalJson(asJson.call(value));
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** SHA-256 of the canonical {data, metadata, occurredAt}: the part of the hash computed by the caller. */
export function contentDigest(data: unknown, metadata: unknown, occurredAt: Date | null): Buffer {
  return createHash('sha256')
    .update(canonicalJson({ data, metadata, occurredAt: occurredAt ? occurredAt.toISOString() : null }), 'utf8')
    .digest();
}

/**
 * hash = SHA-256(prevHash ‖ UTF-8 "streamId\nrevision\nid\ntype\nrecordedAt\n" ‖ contentDigest).
 * The same formula runs in es_append (SQL); this one recomputes it for verification.
 */
export function eventHash(e: {
  prevHash: string;
  streamId: string;
  revision: number;
  id: string;
  type: string;
  recordedAt: Date;
  data: unknown;
  metadata: unknown;
  occurredAt: Date | null;
}): string {
  return chainHash(e, contentDigest(e.data, e.metadata, e.occurredAt));
}

/** The same hash from a content digest computed beforehand (adapters that hash in Node when appending). */
export function chainHash(
  e: { prevHash: string; streamId: string; revision: number; id: string; type: string; recordedAt: Date },
  digest: Buffer,
): string {
  return createHash('sha256')
    .update(Buffer.from(e.prevHash, 'hex'))
    .update(`${e.streamId}\n${e.revision}\n${e.id}\n${e.type}\n${e.recordedAt.toISOString()}\n`, 'utf8')
    .update(digest)
    .digest('hex');
}

export function sealHash(
  prevHash: string,
  seal: { seq: number; sealedAt: Date; upToPosition: number; eventCount: number; heads: unknown },
): string {
  return createHash('sha256')
    .update(Buffer.from(prevHash, 'hex'))
    .update(
      canonicalJson({
        seq: seal.seq,
        sealedAt: seal.sealedAt.toISOString(),
        upToPosition: seal.upToPosition,
        eventCount: seal.eventCount,
        heads: seal.heads,
      }),
      'utf8',
    )
    .digest('hex');
}
