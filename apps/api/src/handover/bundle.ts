import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, contentDigest, verifyLog, type ChainBreak, type RecordedEvent } from '@app/event-store';

/** The hand-over bundle, version 1 (README "Hand-over bundle"): one JSON file, its manifest signed with Ed25519. */
export const BUNDLE_FORMAT = 'xuncha-handover';
export const BUNDLE_VERSION = 1;
export const BUNDLE_MEDIA_TYPE = 'application/vnd.xuncha.handover+json';
export const KIT_MEDIA_TYPE = 'application/vnd.xuncha.field-kit+json';

/** One event as the laptop's store recorded it: what its hash covers, and the hash itself. */
export interface BundleEvent {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  occurredAt: string | null;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

export interface BundleStream {
  streamId: string;
  /** Always 1 in version 1: a bundle carries whole streams, so every chain verifies from its genesis. */
  fromRevision: number;
  toRevision: number;
  count: number;
  head: string;
}

export interface BundleEvidence {
  sha256: string;
  size: number;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: number;
  roundId: string;
  createdAt: string;
  /** The signer's Ed25519 public key (SPKI DER, base64) and its fingerprint (SHA-256 of that DER, hex). */
  signer: { publicKey: string; fingerprint: string };
  streams: BundleStream[];
  events: number;
  evidence: BundleEvidence[];
  /** SHA-256 of canonical JSON of {events, evidence} (the file contents as base64). */
  contentSha256: string;
  /** The field kit the laptop was set up with, and its proof of the kit's enrolment secret (see kit.ts). */
  kit?: { kitId: string; proof: string };
}

export interface HandoverBundle {
  manifest: BundleManifest;
  /** Ed25519 signature of canonical JSON of the manifest, base64. */
  signature: string;
  /** In the laptop's log order (its positions); within each stream, revision order from 1. */
  events: BundleEvent[];
  evidence: { sha256: string; content: string }[];
}

/** An evidence reference inside an event's data: {sha256 (64 hex), name, size, …}. */
export interface EvidenceRef {
  sha256: string;
  size: number;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function evidenceRefs(value: unknown, into: EvidenceRef[] = []): EvidenceRef[] {
  if (Array.isArray(value)) {
    for (const v of value) evidenceRefs(v, into);
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.sha256 === 'string' && SHA256.test(o.sha256) && typeof o.name === 'string' && 'size' in o) {
      into.push({ sha256: o.sha256, size: Number(o.size) });
    }
    for (const v of Object.values(o)) if (v !== null && typeof v === 'object') evidenceRefs(v, into);
  }
  return into;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function publicKeyOf(key: KeyObject): { publicKey: string; fingerprint: string } {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return { publicKey: der.toString('base64'), fingerprint: sha256Hex(der) };
}

export function contentSha256(events: BundleEvent[], evidence: HandoverBundle['evidence']): string {
  return sha256Hex(canonicalJson({ events, evidence }));
}

/** The bundle's identity: SHA-256 of its signed manifest (which covers every event and file). */
export function bundleSha256(manifest: BundleManifest): string {
  return sha256Hex(canonicalJson(manifest));
}

export function signJson(value: unknown, privateKey: KeyObject): string {
  return sign(null, Buffer.from(canonicalJson(value), 'utf8'), privateKey).toString('base64');
}

export function verifyJsonSignature(value: unknown, signature: string, publicKeyDer: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyDer, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, Buffer.from(canonicalJson(value), 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export function buildBundle(input: {
  roundId: string;
  events: BundleEvent[];
  files: Map<string, Buffer>;
  privateKey: KeyObject;
  createdAt?: Date;
  kit?: (signerFingerprint: string) => { kitId: string; proof: string };
}): HandoverBundle {
  const byStream = new Map<string, BundleStream>();
  for (const e of input.events) {
    const s = byStream.get(e.streamId);
    if (s) {
      s.toRevision = e.revision;
      s.count++;
      s.head = e.hash;
    } else {
      byStream.set(e.streamId, {
        streamId: e.streamId,
        fromRevision: e.revision,
        toRevision: e.revision,
        count: 1,
        head: e.hash,
      });
    }
  }
  const streams = [...byStream.values()];
  const evidence = [...input.files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([sha256, content]) => ({ sha256, content: content.toString('base64') }));
  const signer = publicKeyOf(input.privateKey);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    roundId: input.roundId,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    signer,
    streams,
    events: input.events.length,
    evidence: [...input.files.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([sha256, content]) => ({ sha256, size: content.length })),
    contentSha256: contentSha256(input.events, evidence),
    ...(input.kit ? { kit: input.kit(signer.fingerprint) } : {}),
  };
  return { manifest, signature: signJson(manifest, input.privateKey), events: input.events, evidence };
}

/** Why a bundle is refused: the first broken link (an event, a file, the signature or the manifest). */
export class BundleRefused extends Error {
  constructor(
    message: string,
    readonly brokenLink: Partial<ChainBreak> & { reason: string; sha256?: string },
    /** Not a bundle at all (a field missing or of the wrong type), rather than a bundle that does not check out. */
    readonly invalid = false,
  ) {
    super(message);
    this.name = 'BundleRefused';
  }
}

/** Structural check: what JSON.parse gave is a bundle of version 1 (fields and their types). */
export function parseBundle(value: unknown): HandoverBundle {
  const fail = (field: string, rule: string): never => {
    throw new BundleRefused(`Not a hand-over bundle: ${field} ${rule}`, { reason: `${field} ${rule}` }, true);
  };
  const o = value as Partial<HandoverBundle> | null;
  if (o === null || typeof o !== 'object') return fail('bundle', 'must be a JSON object');
  const m = o.manifest as Partial<BundleManifest> | undefined;
  if (!m || typeof m !== 'object') return fail('manifest', 'is required');
  if (m.format !== BUNDLE_FORMAT) return fail('manifest.format', `must be "${BUNDLE_FORMAT}"`);
  if (m.version !== BUNDLE_VERSION) return fail('manifest.version', `must be ${BUNDLE_VERSION} (this server reads 1)`);
  if (typeof m.roundId !== 'string') return fail('manifest.roundId', 'must be a string');
  if (typeof m.signer?.publicKey !== 'string') return fail('manifest.signer.publicKey', 'must be a string');
  if (typeof m.signer.fingerprint !== 'string') return fail('manifest.signer.fingerprint', 'must be a string');
  if (!Array.isArray(m.streams)) return fail('manifest.streams', 'must be an array');
  m.streams.forEach((st, i) => {
    const at = `manifest.streams[${i}]`;
    if (st === null || typeof st !== 'object' || typeof st.streamId !== 'string')
      fail(`${at}.streamId`, 'must be a string');
    if (
      !Number.isSafeInteger(st.fromRevision) ||
      !Number.isSafeInteger(st.toRevision) ||
      !Number.isSafeInteger(st.count)
    ) {
      fail(at, 'must have integer fromRevision, toRevision and count');
    }
    if (typeof st.head !== 'string') fail(`${at}.head`, 'must be a string');
  });
  if (!Array.isArray(m.evidence)) return fail('manifest.evidence', 'must be an array');
  m.evidence.forEach((f, i) => {
    if (f === null || typeof f !== 'object' || typeof f.sha256 !== 'string' || !Number.isSafeInteger(f.size)) {
      fail(`manifest.evidence[${i}]`, 'must be {sha256, size}');
    }
  });
  if (typeof m.contentSha256 !== 'string') return fail('manifest.contentSha256', 'must be a string');
  if (m.kit !== undefined && (typeof m.kit?.kitId !== 'string' || typeof m.kit.proof !== 'string')) {
    return fail('manifest.kit', 'must be {kitId, proof}');
  }
  if (typeof o.signature !== 'string') return fail('signature', 'must be a string');
  if (!Array.isArray(o.events)) return fail('events', 'must be an array');
  if (!Array.isArray(o.evidence)) return fail('evidence', 'must be an array');
  o.events.forEach((e, i) => {
    const at = `events[${i}]`;
    if (e === null || typeof e !== 'object') fail(at, 'must be an object');
    if (typeof e.streamId !== 'string' || e.streamId === '') fail(`${at}.streamId`, 'must be a string');
    if (!Number.isSafeInteger(e.revision) || e.revision < 1) fail(`${at}.revision`, 'must be an integer ≥ 1');
    if (typeof e.id !== 'string' || !/^[0-9a-f-]{36}$/.test(e.id)) fail(`${at}.id`, 'must be a uuid');
    if (typeof e.type !== 'string') fail(`${at}.type`, 'must be a string');
    if (e.metadata === null || typeof e.metadata !== 'object') fail(`${at}.metadata`, 'must be an object');
    if (!isIsoMillis(e.recordedAt)) fail(`${at}.recordedAt`, 'must be an ISO timestamp with milliseconds (UTC)');
    if (e.occurredAt !== null && !isIsoMillis(e.occurredAt)) fail(`${at}.occurredAt`, 'must be null or ISO');
    if (!SHA256.test(String(e.hash))) fail(`${at}.hash`, 'must be 64 hex digits');
    if (!SHA256.test(String(e.prevHash))) fail(`${at}.prevHash`, 'must be 64 hex digits');
  });
  o.evidence.forEach((f, i) => {
    if (f === null || typeof f !== 'object') fail(`evidence[${i}]`, 'must be an object');
    if (!SHA256.test(String(f?.sha256))) fail(`evidence[${i}].sha256`, 'must be 64 hex digits');
    if (typeof f.content !== 'string') fail(`evidence[${i}].content`, 'must be base64 text');
  });
  return o as HandoverBundle;
}

function isIsoMillis(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const d = new Date(value);
  return !Number.isNaN(d.getTime()) && d.toISOString() === value;
}

export function toRecorded(e: BundleEvent, position: number): RecordedEvent {
  return {
    ...e,
    position,
    metadata: e.metadata as RecordedEvent['metadata'],
    occurredAt: e.occurredAt === null ? null : new Date(e.occurredAt),
    recordedAt: new Date(e.recordedAt),
  };
}

/** The events grouped by stream (in order of first appearance), each stream's events in bundle order. */
function groupedByStream(events: BundleEvent[]): RecordedEvent[] {
  const groups = new Map<string, RecordedEvent[]>();
  events.forEach((e, i) => {
    const group = groups.get(e.streamId) ?? [];
    if (!group.length) groups.set(e.streamId, group);
    group.push(toRecorded(e, i + 1));
  });
  return [...groups.values()].flat();
}

/**
 * Everything that can be checked from the bundle alone, in this order, each naming the first broken link: the
 * signature (by the key the manifest names, and that key must be one the caller accepts), every hash chain (with
 * the store's own verification), the manifest's streams, heads and counts, the content hash, every evidence file
 * (present, its SHA-256 and size). Returns the decoded files by SHA-256.
 */
export async function verifyBundle(
  bundle: HandoverBundle,
  options: { acceptKey?: (fingerprint: string) => boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<Map<string, Buffer>> {
  const { manifest } = bundle;
  if (!verifyJsonSignature(manifest, bundle.signature, manifest.signer.publicKey)) {
    throw new BundleRefused('The manifest signature does not verify with the key it names', {
      reason: 'the manifest signature does not verify',
    });
  }
  const der = Buffer.from(manifest.signer.publicKey, 'base64');
  if (sha256Hex(der) !== manifest.signer.fingerprint) {
    throw new BundleRefused('The signer fingerprint is not the SHA-256 of its key', {
      reason: 'the signer fingerprint does not match its key',
    });
  }
  if (options.acceptKey && !options.acceptKey(manifest.signer.fingerprint)) {
    throw new BundleRefused(
      `The bundle is signed by a key this server does not accept (${manifest.signer.fingerprint})`,
      {
        reason: 'foreign signature',
      },
    );
  }
  const report = await verifyLog({
    seals: [],
    total: bundle.events.length,
    onProgress: options.onProgress,
    pages: (async function* () {
      const grouped = groupedByStream(bundle.events);
      for (let i = 0; i < grouped.length; i += 1000) yield grouped.slice(i, i + 1000);
    })(),
  });
  if (report.firstBreak) {
    const b = report.firstBreak;
    throw new BundleRefused(`Broken link: stream ${b.streamId} revision ${b.revision}: ${b.reason}`, b);
  }
  const seen = new Map<string, BundleStream>();
  for (const e of bundle.events) {
    const s = seen.get(e.streamId) ?? { streamId: e.streamId, fromRevision: 1, toRevision: 0, count: 0, head: '' };
    s.toRevision = e.revision;
    s.count++;
    s.head = e.hash;
    seen.set(e.streamId, s);
  }
  for (const s of manifest.streams) {
    const found = seen.get(s.streamId);
    if (!found || found.toRevision !== s.toRevision || found.count !== s.count || found.head !== s.head) {
      const revision = found ? Math.min(found.toRevision + 1, s.toRevision) : s.fromRevision;
      throw new BundleRefused(
        `Broken link: stream ${s.streamId} revision ${revision}: the manifest's head (revision ${s.toRevision}, ` +
          `${s.count} events) is not what the bundle holds (${found ? `revision ${found.toRevision}` : 'nothing'})`,
        { streamId: s.streamId, revision, expectedHash: s.head, reason: 'events are missing after the last one' },
      );
    }
    seen.delete(s.streamId);
  }
  const extra = seen.values().next().value;
  if (extra) {
    throw new BundleRefused(`Broken link: stream ${extra.streamId} is in the bundle but not in its manifest`, {
      streamId: extra.streamId,
      revision: 1,
      reason: 'stream not in the manifest',
    });
  }
  if (manifest.events !== bundle.events.length) {
    throw new BundleRefused(`The manifest counts ${manifest.events} events, the bundle holds ${bundle.events.length}`, {
      reason: 'event count differs from the manifest',
    });
  }
  if (contentSha256(bundle.events, bundle.evidence) !== manifest.contentSha256) {
    throw new BundleRefused('The bundle content does not match the SHA-256 its manifest signs', {
      reason: 'content differs from the signed manifest',
    });
  }
  const files = new Map<string, Buffer>();
  for (const f of bundle.evidence) {
    const content = Buffer.from(f.content, 'base64');
    const listed = manifest.evidence.find((m) => m.sha256 === f.sha256);
    if (sha256Hex(content) !== f.sha256 || !listed || listed.size !== content.length) {
      throw new BundleRefused(`Broken link: evidence file ${f.sha256} does not match its SHA-256 or size`, {
        sha256: f.sha256,
        reason: 'evidence file altered',
      });
    }
    files.set(f.sha256, content);
  }
  return files;
}

/** The content digest es_import needs for each event (the part of its hash the database does not compute). */
export function digestOf(e: { data: unknown; metadata: unknown; occurredAt: string | null }): Buffer {
  return contentDigest(e.data, e.metadata, e.occurredAt === null ? null : new Date(e.occurredAt));
}
