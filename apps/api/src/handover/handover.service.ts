import { randomUUID, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { roundStream } from '@app/domain';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { ApplicationError } from '../application/errors.js';
import type { AuthUser } from '../auth/auth-user.js';
import { evidenceDirOf } from '../backup/backup.js';
import { APP_CONFIG, DATABASE } from '../infrastructure/tokens.js';
import {
  BundleRefused,
  buildBundle,
  bundleSha256,
  digestOf,
  evidenceRefs,
  parseBundle,
  publicKeyOf,
  sha256Hex,
  verifyBundle,
  type BundleEvent,
  type HandoverBundle,
} from './bundle.js';
import { loadOrCreateHandoverKey } from './keys.js';

const SCHEMA = 'event_store';

export interface ImportResult {
  bundleSha256: string;
  roundId: string;
  /** Streams that received events, events written, evidence files stored (those not already here). */
  streams: number;
  events: number;
  evidenceFiles: number;
  /** Every event of the bundle was already here: nothing was written. */
  alreadyImported: boolean;
  /** The log position of the import's record (send it as X-Min-Position to read the dashboards it fed); 0 if none. */
  position: number;
  signer: string;
}

interface RawRow {
  position: string;
  stream_id: string;
  revision: string;
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  occurred_at: string | null;
  recorded_at: string;
  prev_hash: string;
  hash: string;
}

const RAW_COLUMNS = `position, stream_id, revision, id, type, data, metadata,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
  encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash`;

/**
 * The hand-over (移交): a laptop exports a round's record as a signed bundle, the office verifies it completely and
 * only then writes it, keeping the laptop's chains (es_import). Reads and writes the PostgreSQL log as stored, not
 * upcast: the hashes cover the stored shape.
 */
@Injectable()
export class HandoverService implements OnModuleDestroy {
  private readonly pool: pg.Pool;
  private key?: Promise<KeyObject>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE) database: DatabaseHandle,
  ) {
    this.pool = new pg.Pool({ connectionString: database.url, max: 2, application_name: 'xuncha-handover' });
    this.pool.on('error', () => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }

  /** This installation's Ed25519 key, generated into DATA_DIR the first time. */
  privateKey(): Promise<KeyObject> {
    this.key ??= loadOrCreateHandoverKey(this.config.dataDir);
    return this.key;
  }

  async publicKey(): Promise<{ publicKey: string; fingerprint: string }> {
    return publicKeyOf(await this.privateKey());
  }

  private evidenceDir(): string {
    return evidenceDirOf(this.config.dataDir);
  }

  private requirePostgres(): void {
    if (this.config.eventStore === 'esdb') {
      throw new ApplicationError('HANDOVER_NEEDS_POSTGRES', 'The hand-over works on the PostgreSQL event store only');
    }
  }

  /** Every event of the round (its stream, its findings and leads, the departments they cite) and the files cited. */
  async exportRound(roundId: string, onProgress?: (done: number, total: number) => void): Promise<HandoverBundle> {
    this.requirePostgres();
    const round = roundStream(roundId);
    const { rows: streamRows } = await this.pool.query<{ stream_id: string }>(
      `SELECT stream_id FROM ${SCHEMA}.es_events WHERE revision = 1 AND (stream_id = $1 OR data->>'roundId' = $2)`,
      [round, roundId],
    );
    if (!streamRows.some((r) => r.stream_id === round)) {
      throw new ApplicationError('ROUND_NOT_FOUND', `No round ${roundId} on this installation`);
    }
    const streams = new Set(streamRows.map((r) => r.stream_id));
    let events = await this.readStreams([...streams]);
    const departments = new Set<string>();
    for (const e of events) collectDepartmentIds(e.data, departments);
    const more = [...departments].map((d) => `department-${d}`).filter((s) => !streams.has(s));
    if (more.length) events = [...events, ...(await this.readStreams(more))];
    events.sort((a, b) => a.position - b.position);
    const files = new Map<string, Buffer>();
    const refs = events.flatMap((e) => evidenceRefs(e.data));
    let done = 0;
    for (const ref of refs) {
      if (!files.has(ref.sha256)) {
        const content = await fs.readFile(path.join(this.evidenceDir(), ref.sha256)).catch(() => undefined);
        if (content && sha256Hex(content) === ref.sha256) files.set(ref.sha256, content);
      }
      onProgress?.(++done, refs.length);
    }
    return buildBundle({
      roundId,
      events: events.map(({ position: _position, ...e }) => e),
      files,
      privateKey: await this.privateKey(),
    });
  }

  private async readStreams(streamIds: string[]): Promise<(BundleEvent & { position: number })[]> {
    const { rows } = await this.pool.query<RawRow>(
      `SELECT ${RAW_COLUMNS} FROM ${SCHEMA}.es_events WHERE stream_id = ANY ($1) ORDER BY position`,
      [streamIds],
    );
    return rows.map((r) => ({
      position: Number(r.position),
      streamId: r.stream_id,
      revision: Number(r.revision),
      id: r.id,
      type: r.type,
      data: r.data,
      metadata: r.metadata,
      occurredAt: r.occurred_at,
      recordedAt: r.recorded_at,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  /**
   * Verifies the bundle (signature, chains, manifest, content, files) and how each stream meets this store's copy,
   * all before writing anything; then stores the new files and writes the new events and the HandoverImported
   * record in one transaction. A bundle already imported writes nothing.
   */
  async importBundle(input: unknown, user: AuthUser, correlationId: string = randomUUID()): Promise<ImportResult> {
    this.requirePostgres();
    let bundle: HandoverBundle;
    let files: Map<string, Buffer>;
    try {
      bundle = parseBundle(input);
    } catch (error) {
      if (error instanceof BundleRefused) throw refusal(error, 'HANDOVER_BUNDLE_INVALID');
      throw error;
    }
    try {
      files = await verifyBundle(bundle);
    } catch (error) {
      if (error instanceof BundleRefused) throw refusal(error);
      throw error;
    }
    const { manifest } = bundle;
    const sha = bundleSha256(manifest);
    const round = roundStream(manifest.roundId);
    if (!manifest.streams.some((s) => s.streamId === round)) {
      throw refusal(
        new BundleRefused(`The bundle does not hold the stream of its round ${manifest.roundId}`, {
          streamId: round,
          revision: 1,
          reason: 'the round stream is missing',
        }),
      );
    }
    const evidenceFiles = await this.checkEvidence(bundle, files);
    const fresh = await this.newEvents(bundle);
    const base = {
      bundleSha256: sha,
      roundId: manifest.roundId,
      signer: manifest.signer.fingerprint,
      evidenceFiles: evidenceFiles.size,
    };
    if (!fresh.length) {
      return { ...base, streams: 0, events: 0, evidenceFiles: 0, alreadyImported: true, position: 0 };
    }
    for (const [sha256, content] of evidenceFiles) await this.storeFile(sha256, content);
    const streams = new Set(fresh.map((e) => e.streamId)).size;
    const record = {
      streamId: round,
      id: randomUUID(),
      type: 'HandoverImported',
      data: {
        roundId: manifest.roundId,
        bundleSha256: sha,
        laptopKey: manifest.signer.fingerprint,
        streams,
        events: fresh.length,
        evidenceFiles: evidenceFiles.size,
        occurredAt: new Date().toISOString(),
      },
      metadata: {
        actor: { id: user.id, username: user.username, role: user.role },
        correlationId,
        causationId: correlationId,
      },
      occurredAt: null,
    };
    const payload = [
      ...fresh.map((e) => ({ ...e, prevHash: undefined })),
      { ...record, revision: 0, recordedAt: null, hash: null },
    ];
    const digests = Buffer.concat([...fresh, record].map((e) => digestOf(e)));
    let position: number;
    try {
      const { rows } = await this.pool.query<{ last_position: string }>(
        `SELECT * FROM ${SCHEMA}.es_import($1::jsonb, $2::bytea)`,
        [JSON.stringify(payload), digests],
      );
      position = Number(rows[0].last_position);
    } catch (error) {
      const e = error as pg.DatabaseError;
      if (e.code === 'ES003' || (e.code === '23505' && e.constraint === 'es_events_stream_revision')) {
        throw new ApplicationError(
          'HANDOVER_STREAM_DIVERGED',
          `This server's copy changed while importing (${e.detail ?? e.message}); import the bundle again`,
        );
      }
      if (e.code === '23505') {
        throw new ApplicationError('HANDOVER_STREAM_DIVERGED', 'An event id of the bundle is already used here');
      }
      throw error;
    }
    return { ...base, streams, events: fresh.length, alreadyImported: false, position };
  }

  /** Every evidence file an event cites must be in the bundle or already here; returns the files to store. */
  private async checkEvidence(bundle: HandoverBundle, files: Map<string, Buffer>): Promise<Map<string, Buffer>> {
    const toStore = new Map<string, Buffer>();
    const checked = new Set<string>();
    for (const e of bundle.events) {
      for (const ref of evidenceRefs(e.data)) {
        if (checked.has(ref.sha256)) continue;
        checked.add(ref.sha256);
        const carried = files.get(ref.sha256);
        const here = await fs.readFile(path.join(this.evidenceDir(), ref.sha256)).catch(() => undefined);
        if (here && sha256Hex(here) === ref.sha256) continue;
        if (!carried) {
          throw refusal(
            new BundleRefused(
              `Broken link: stream ${e.streamId} revision ${e.revision} cites evidence file ${ref.sha256}, ` +
                'which is neither in the bundle nor on this server',
              { streamId: e.streamId, revision: e.revision, sha256: ref.sha256, reason: 'evidence file missing' },
            ),
          );
        }
        toStore.set(ref.sha256, carried);
      }
    }
    return toStore;
  }

  /** Content-addressed and written by rename, so a file is there whole or not at all. */
  private async storeFile(sha256: string, content: Buffer): Promise<void> {
    const dir = this.evidenceDir();
    await fs.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `.${sha256}.${process.pid}.${randomUUID()}.tmp`);
    await fs.writeFile(tmp, content);
    await fs.rename(tmp, path.join(dir, sha256));
  }

  /**
   * How each stream of the bundle meets this store's copy: absent here → all of it is new (the laptop's chain kept);
   * here up to revision r with the same hash at r → the bundle's events after r are new; here beyond the bundle's
   * head with the same hash at that head → nothing new; any other hash → the copies diverged, refused.
   */
  private async newEvents(bundle: HandoverBundle): Promise<BundleEvent[]> {
    const ids = bundle.manifest.streams.map((s) => s.streamId);
    const { rows } = await this.pool.query<{ stream_id: string; revision: string; hash: string }>(
      `SELECT DISTINCT ON (stream_id) stream_id, revision, encode(hash, 'hex') AS hash
         FROM ${SCHEMA}.es_events WHERE stream_id = ANY ($1) ORDER BY stream_id, revision DESC`,
      [ids],
    );
    const heads = new Map(rows.map((r) => [r.stream_id, { revision: Number(r.revision), hash: r.hash }]));
    const startAfter = new Map<string, number>();
    for (const s of bundle.manifest.streams) {
      const here = heads.get(s.streamId);
      if (!here) {
        startAfter.set(s.streamId, 0);
        continue;
      }
      const at = Math.min(here.revision, s.toRevision);
      const hashHere = here.revision === at ? here.hash : await this.hashAt(s.streamId, at);
      const hashThere = bundle.events.find((e) => e.streamId === s.streamId && e.revision === at)?.hash;
      if (hashHere !== hashThere) {
        throw refusal(
          new BundleRefused(
            `Broken link: stream ${s.streamId} revision ${at}: this server's copy differs from the bundle's ` +
              `(the copies diverged; the bundle can only continue where this server's copy ends)`,
            {
              streamId: s.streamId,
              revision: at,
              expectedHash: hashHere,
              actualHash: hashThere,
              reason: 'the stream diverged from this server',
            },
          ),
          'HANDOVER_STREAM_DIVERGED',
        );
      }
      startAfter.set(s.streamId, at);
    }
    return bundle.events.filter((e) => e.revision > (startAfter.get(e.streamId) ?? 0));
  }

  private async hashAt(streamId: string, revision: number): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ hash: string }>(
      `SELECT encode(hash, 'hex') AS hash FROM ${SCHEMA}.es_events WHERE stream_id = $1 AND revision = $2`,
      [streamId, revision],
    );
    return rows[0]?.hash;
  }
}

function refusal(
  error: BundleRefused,
  code: 'HANDOVER_BROKEN_LINK' | 'HANDOVER_STREAM_DIVERGED' | 'HANDOVER_BUNDLE_INVALID' = 'HANDOVER_BROKEN_LINK',
) {
  return new ApplicationError(code, error.message, undefined, { brokenLink: error.brokenLink });
}

function collectDepartmentIds(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectDepartmentIds(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'departmentId' || k === 'leadDepartmentId') && typeof v === 'string') into.add(v);
      else if (k === 'coDepartmentIds' && Array.isArray(v))
        for (const d of v)
          if (typeof d === 'string') into.add(d);
          else if (v !== null && typeof v === 'object') collectDepartmentIds(v, into);
    }
  }
}
