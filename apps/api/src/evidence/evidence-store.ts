import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromFile } from 'file-type';
import { EVIDENCE_MEDIA_TYPES, type EvidenceMediaType } from '@app/domain';
import { ApplicationError } from '../application/errors.js';

/** Where uploads are written while they are hashed: `<evidence folder>.incoming`. */
export const incomingDirOf = (dir: string): string => `${path.resolve(dir)}.incoming`;

/** 20 MiB a file (docs/api.md "Evidence files"). */
export const EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;

const SHA256 = /^[0-9a-f]{64}$/;
export const isSha256 = (value: string): boolean => SHA256.test(value);

export interface StoredEvidence {
  sha256: string;
  size: number;
  mediaType: EvidenceMediaType;
}

/** What file-type names, mapped to the types evidence may be; anything else is refused (415). */
const ALLOWED = new Set<string>(EVIDENCE_MEDIA_TYPES);

/**
 * OFD (GB/T 33190, the Chinese fixed-layout format) is a ZIP whose first entry is `OFD.xml`; file-type
 * knows ZIP but not OFD, so the first local file header's name decides.
 */
async function isOfd(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const header = Buffer.alloc(30 + 64);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    if (bytesRead < 30 || header.readUInt32LE(0) !== 0x04034b50) return false;
    const nameLength = header.readUInt16LE(26);
    const name = header.subarray(30, 30 + Math.min(nameLength, bytesRead - 30)).toString('utf8');
    return /^(?:[^/]*\/)?OFD\.xml$/i.test(name);
  } finally {
    await handle.close();
  }
}

/** The type of a stored file, recognised by its content; undefined when it is not one evidence may be. */
export async function detectEvidenceType(file: string): Promise<EvidenceMediaType | undefined> {
  const detected = await fileTypeFromFile(file);
  if (detected && ALLOWED.has(detected.mime)) return detected.mime as EvidenceMediaType;
  if ((!detected || detected.mime === 'application/zip') && (await isOfd(file))) return 'application/ofd';
  return undefined;
}

/** Counts and hashes the bytes passing through; refuses the stream once it exceeds the limit. */
class Measure extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      done(tooLarge(this.limit));
      return;
    }
    this.hash.update(chunk);
    this.push(chunk);
    done();
  }
}

export const tooLarge = (limit = EVIDENCE_MAX_BYTES) =>
  new ApplicationError('EVIDENCE_TOO_LARGE', `An evidence file may be at most ${limit / 1024 / 1024} MiB`, [
    { field: 'file', rule: 'maxSize', message: `at most ${limit} bytes` },
  ]);

/**
 * 佐证材料 on disk: each file once, named by the SHA-256 of its content, in `EVIDENCE_DIR` (default
 * `DATA_DIR/evidence`, the folder backups take). An upload streams to a temporary file beside that
 * folder while it is hashed, so a 20 MiB file is never held in memory, then is renamed to its hash.
 */
export class EvidenceStore {
  constructor(
    readonly dir: string,
    private readonly maxBytes = EVIDENCE_MAX_BYTES,
  ) {}

  pathOf(sha256: string): string {
    if (!isSha256(sha256)) throw new ApplicationError('EVIDENCE_NOT_FOUND', 'No such evidence file');
    return path.join(this.dir, sha256);
  }

  /** Stores the bytes of `source`; the same bytes again answer the same hash, stored once. */
  async save(source: Readable): Promise<StoredEvidence> {
    // Beside the evidence folder, not in it: a backup taking the folder never sees a file half written,
    // and the rename to the hash stays on one file system.
    const incoming = incomingDirOf(this.dir);
    await fs.mkdir(incoming, { recursive: true });
    await fs.mkdir(this.dir, { recursive: true });
    const temp = path.join(incoming, randomUUID());
    const measure = new Measure(this.maxBytes);
    try {
      await pipeline(source, measure, (await fs.open(temp, 'wx')).createWriteStream());
      // A stream that was truncated by the multipart limit ends without an error: it is too large too.
      if ((source as Readable & { truncated?: boolean }).truncated) throw tooLarge(this.maxBytes);
      if (measure.size === 0) {
        throw new ApplicationError('EVIDENCE_FILE_REQUIRED', 'The file is empty', [
          { field: 'file', rule: 'notEmpty', message: 'the file is empty' },
        ]);
      }
      const mediaType = await detectEvidenceType(temp);
      if (!mediaType) {
        throw new ApplicationError(
          'EVIDENCE_TYPE_NOT_ALLOWED',
          'Evidence must be a PDF, OFD, JPEG, PNG, DOCX or XLSX file (recognised by its content)',
          [{ field: 'file', rule: 'mediaType', message: 'PDF, OFD, JPEG, PNG, DOCX or XLSX' }],
        );
      }
      const sha256 = measure.hash.digest('hex');
      const target = path.join(this.dir, sha256);
      if (await exists(target)) await fs.rm(temp);
      else await fs.rename(temp, target);
      return { sha256, size: measure.size, mediaType };
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  /** Size and type of a stored file; undefined when no file has this hash. */
  async describe(sha256: string): Promise<StoredEvidence | undefined> {
    if (!isSha256(sha256)) return undefined;
    const file = path.join(this.dir, sha256);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) return undefined;
    const mediaType = await detectEvidenceType(file);
    return mediaType && { sha256, size: stat.size, mediaType };
  }

  /** The SHA-256 of the stored content now, or 'missing'. */
  async rehash(sha256: string): Promise<string> {
    const file = path.join(this.dir, sha256);
    if (!isSha256(sha256) || !(await exists(file))) return 'missing';
    const hash = createHash('sha256');
    await pipeline(createReadStream(file), hash);
    return hash.digest('hex');
  }

  open(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
