import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { DOMAIN_EVENT_TYPES, roundStream } from '@app/domain';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { ApplicationError, type ErrorCode } from '../application/errors.js';
import { ProjectorService } from '../projections/projector.service.js';
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
  signJson,
  verifyBundle,
  verifyJsonSignature,
  type BundleEvent,
  type HandoverBundle,
} from './bundle.js';
import { loadOrCreateHandoverKey } from './keys.js';
import {
  KIT_FORMAT,
  RECEIPT_FORMAT,
  enrolmentProof,
  proofMatches,
  verifyKit,
  type FieldKit,
  type KitBody,
  type KitUser,
  type Receipt,
  type ReceiptBody,
} from './kit.js';

interface Statement {
  text: string;
  values: unknown[];
}

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
  /** The office's signed receipt for the bundle: the laptop needs it to purge the round. */
  receipt: Receipt;
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
export class HandoverService implements OnModuleInit, OnModuleDestroy {
  private readonly pool: pg.Pool;
  private key?: Promise<KeyObject>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Optional() private readonly projector?: ProjectorService,
  ) {
    this.pool = new pg.Pool({ connectionString: database.url, max: 2, application_name: 'xuncha-handover' });
    this.pool.on('error', () => undefined);
  }

  /** The key is made at the first start (DATA_DIR), so a laptop has it before it is set up with a kit. */
  async onModuleInit(): Promise<void> {
    await this.privateKey();
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
    const { rows: kits } = await this.pool.query<{ kit_id: string; enrolment_secret: string }>(
      'SELECT kit_id, enrolment_secret FROM field_kits WHERE round_id = $1',
      [roundId],
    );
    const kit = kits[0];
    const bundle = buildBundle({
      roundId,
      events: events.map(({ position: _position, ...e }) => e),
      files,
      privateKey: await this.privateKey(),
      ...(kit && {
        kit: (fingerprint: string) => ({
          kitId: kit.kit_id,
          proof: enrolmentProof(kit.enrolment_secret, kit.kit_id, fingerprint),
        }),
      }),
    });
    await this.pool.query('INSERT INTO handover_exports (round_id, bundle_sha256, events) VALUES ($1, $2, $3)', [
      roundId,
      bundleSha256(bundle.manifest),
      bundle.events.length,
    ]);
    return bundle;
  }

  /** The office's kit for a round (配置): its stream and the units with their chains, the team's users, a secret. */
  async exportKit(roundId: string, usernames: string[], user: AuthUser): Promise<FieldKit> {
    this.requirePostgres();
    const round = roundStream(roundId);
    const { rows: streams } = await this.pool.query<{ stream_id: string }>(
      `SELECT stream_id FROM ${SCHEMA}.es_events
        WHERE revision = 1 AND (stream_id = $1 OR stream_id LIKE 'department-%')`,
      [round],
    );
    if (!streams.some((r) => r.stream_id === round)) {
      throw new ApplicationError('ROUND_NOT_FOUND', `No round ${roundId} on this installation`);
    }
    const events = await this.readStreams(streams.map((r) => r.stream_id));
    const privateKey = await this.privateKey();
    const bundle = buildBundle({
      roundId,
      events: events.map(({ position: _position, ...e }) => e),
      files: new Map(),
      privateKey,
    });
    const { rows: users } = await this.pool.query<{
      id: string;
      username: string;
      role: string;
      department_id: string | null;
      display_name: string | null;
      password_hash: string;
      must_change_password: boolean;
    }>(
      `SELECT id, username, role, department_id, display_name, password_hash, must_change_password FROM users
        WHERE NOT disabled AND lower(username) = ANY ($1)`,
      [usernames.map((u) => u.toLowerCase())],
    );
    const missing = usernames.filter((u) => !users.some((r) => r.username.toLowerCase() === u.toLowerCase()));
    if (missing.length) {
      throw new ApplicationError('USER_NOT_FOUND', `No active user ${missing.join(', ')}`, [
        { field: 'users', rule: 'exists', message: `no active user named ${missing.join(', ')}` },
      ]);
    }
    const kitId = randomUUID();
    const enrolmentSecret = randomBytes(32).toString('base64url');
    const kit: KitBody = {
      format: KIT_FORMAT,
      version: 1 as const,
      kitId,
      roundId,
      createdAt: new Date().toISOString(),
      office: publicKeyOf(privateKey),
      enrolmentSecret,
      users: users.map((u): KitUser => ({
        id: u.id,
        username: u.username,
        role: u.role,
        departmentId: u.department_id,
        displayName: u.display_name,
        passwordHash: u.password_hash,
        mustChangePassword: u.must_change_password,
      })),
      bundleSha256: bundleSha256(bundle.manifest),
    };
    await this.pool.query(
      'INSERT INTO handover_kits (kit_id, round_id, enrolment_secret, created_by) VALUES ($1, $2, $3, $4)',
      [kitId, roundId, enrolmentSecret, user.username],
    );
    return { kit, signature: signJson(kit, privateKey), bundle };
  }

  /**
   * On a laptop: verifies the kit (signature, the office's chains) and sets the laptop up for its round, all or
   * nothing: the round's and the units' events (the office's chains kept), the team's users, the office's key.
   */
  async importKit(input: unknown): Promise<{ kitId: string; roundId: string; events: number; users: number }> {
    this.requirePostgres();
    let verified: Awaited<ReturnType<typeof verifyKit>>;
    try {
      verified = await verifyKit(input);
    } catch (error) {
      if (error instanceof BundleRefused) throw refusal(error);
      throw error;
    }
    const { kit, bundle } = verified.kit;
    const { rows: already } = await this.pool.query<{ kit_id: string }>(
      'SELECT kit_id FROM field_kits WHERE kit_id = $1 OR round_id = $2',
      [kit.kitId, kit.roundId],
    );
    if (already.length) {
      throw new ApplicationError(
        'FIELD_KIT_ALREADY_IMPORTED',
        already[0].kit_id === kit.kitId
          ? `The field kit ${kit.kitId} was imported on this laptop already`
          : `This laptop is already set up for round ${kit.roundId} (kit ${already[0].kit_id})`,
      );
    }
    const fresh = await this.newEvents(bundle);
    const alongside: Statement[] = kit.users.map((u) => ({
      text: `INSERT INTO users (id, username, password_hash, role, department_id, display_name, must_change_password)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      values: [u.id, u.username, u.passwordHash, u.role, u.departmentId, u.displayName, u.mustChangePassword],
    }));
    alongside.push({
      text: `INSERT INTO field_kits (kit_id, round_id, office_public_key, office_fingerprint, enrolment_secret)
             VALUES ($1, $2, $3, $4, $5)`,
      values: [kit.kitId, kit.roundId, kit.office.publicKey, kit.office.fingerprint, kit.enrolmentSecret],
    });
    try {
      await this.write(fresh, undefined, alongside);
    } catch (error) {
      const e = error as pg.DatabaseError;
      if (e.code === '23505' && e.table === 'users') {
        throw new ApplicationError('USERNAME_TAKEN', 'A user of the kit has a username this laptop already uses');
      }
      if (e.code === '23505' && e.table === 'field_kits') {
        throw new ApplicationError('FIELD_KIT_ALREADY_IMPORTED', `The field kit ${kit.kitId} was imported already`);
      }
      throw error;
    }
    return { kitId: kit.kitId, roundId: kit.roundId, events: fresh.length, users: kit.users.length };
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
  async importBundle(
    input: unknown,
    user: AuthUser,
    correlationId: string = randomUUID(),
    onProgress?: (done: number, total: number) => void,
  ): Promise<ImportResult> {
    this.requirePostgres();
    let bundle: HandoverBundle;
    let files: Map<string, Buffer>;
    try {
      bundle = parseBundle(input);
      files = await verifyBundle(bundle, { onProgress });
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
    checkScope(bundle);
    const binding = await this.checkKitBinding(manifest);
    const evidenceFiles = await this.checkEvidence(bundle, files);
    const fresh = await this.newEvents(bundle);
    checkTypes(fresh);
    const receipt = await this.receiptFor(sha, manifest.roundId, manifest.signer.fingerprint);
    const base = {
      bundleSha256: sha,
      roundId: manifest.roundId,
      signer: manifest.signer.fingerprint,
      evidenceFiles: evidenceFiles.size,
    };
    if (!fresh.length) {
      return { ...base, streams: 0, events: 0, evidenceFiles: 0, alreadyImported: true, position: 0, receipt };
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
    const alongside: Statement[] = binding
      ? [
          {
            text: `UPDATE handover_kits SET laptop_fingerprint = $2, bound_at = now()
                    WHERE kit_id = $1 AND laptop_fingerprint IS NULL`,
            values: [binding, manifest.signer.fingerprint],
          },
        ]
      : [];
    const position = await this.write(fresh, record, alongside);
    return { ...base, streams, events: fresh.length, alreadyImported: false, position, receipt };
  }

  /**
   * es_import of the new events (and this store's own record after them) and the caller's statements, in one
   * transaction. Answers the position of the last event written (0 when none).
   */
  private async write(
    fresh: BundleEvent[],
    record: (Omit<BundleEvent, 'revision' | 'recordedAt' | 'prevHash' | 'hash'> & { occurredAt: null }) | undefined,
    alongside: Statement[],
  ): Promise<number> {
    const payload = [
      ...fresh.map((e) => ({ ...e, prevHash: undefined })),
      ...(record ? [{ ...record, revision: 0, recordedAt: null, hash: null }] : []),
    ];
    const digests = Buffer.concat([...fresh, ...(record ? [record] : [])].map((e) => digestOf(e)));
    const client = await this.pool.connect();
    const noop = () => undefined;
    client.on('error', noop);
    let failed = false;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ last_position: string }>(
        `SELECT * FROM ${SCHEMA}.es_import($1::jsonb, $2::bytea)`,
        [JSON.stringify(payload), digests],
      );
      for (const statement of alongside) await client.query(statement.text, statement.values);
      await client.query('COMMIT');
      return Number(rows[0].last_position);
    } catch (error) {
      failed = true;
      await client.query('ROLLBACK').catch(noop);
      const e = error as pg.DatabaseError;
      if (e.code === 'ES003' || (e.code === '23505' && e.constraint === 'es_events_stream_revision')) {
        throw new ApplicationError(
          'HANDOVER_STREAM_DIVERGED',
          `This server's copy changed while importing (${e.detail ?? e.message}); import the bundle again`,
        );
      }
      if (e.code === '23505' && e.constraint === 'es_events_id_key') {
        throw new ApplicationError('HANDOVER_STREAM_DIVERGED', 'An event id of the bundle is already used here');
      }
      throw error;
    } finally {
      client.off('error', noop);
      client.release(failed);
    }
  }

  /**
   * A round the office issued field kits for accepts bundles only from the laptops those kits were bound to: the
   * first bundle of a kit binds it (its proof shows the laptop holds the kit's one-time secret), later ones must
   * be signed by that same key. Answers the kit to bind, if this bundle binds one.
   */
  private async checkKitBinding(manifest: HandoverBundle['manifest']): Promise<string | undefined> {
    const { rows } = await this.pool.query<{
      kit_id: string;
      enrolment_secret: string;
      laptop_fingerprint: string | null;
    }>('SELECT kit_id, enrolment_secret, laptop_fingerprint FROM handover_kits WHERE round_id = $1', [
      manifest.roundId,
    ]);
    if (!rows.length) return undefined;
    const signer = manifest.signer.fingerprint;
    const foreign = (why: string) =>
      refusal(new BundleRefused(`Foreign signature: ${why}`, { reason: 'foreign signature', actualHash: signer }));
    if (!manifest.kit) throw foreign(`round ${manifest.roundId} was handed out in field kits; this bundle names none`);
    const kit = rows.find((r) => r.kit_id === manifest.kit!.kitId);
    if (!kit) throw foreign(`this office issued no field kit ${manifest.kit.kitId} for round ${manifest.roundId}`);
    if (kit.laptop_fingerprint !== null) {
      if (kit.laptop_fingerprint !== signer) {
        throw foreign(`field kit ${kit.kit_id} is bound to laptop key ${kit.laptop_fingerprint}, not ${signer}`);
      }
      return undefined;
    }
    if (!proofMatches(kit.enrolment_secret, kit.kit_id, signer, manifest.kit.proof)) {
      throw foreign(`the bundle's proof of field kit ${kit.kit_id}'s enrolment secret is wrong`);
    }
    return kit.kit_id;
  }

  private async receiptFor(sha: string, roundId: string, signer: string): Promise<Receipt> {
    const privateKey = await this.privateKey();
    const receipt: ReceiptBody = {
      format: RECEIPT_FORMAT,
      version: 1,
      bundleSha256: sha,
      roundId,
      signer,
      receivedAt: new Date().toISOString(),
      office: publicKeyOf(privateKey),
    };
    return { receipt, signature: signJson(receipt, privateKey) };
  }

  /** On the laptop: keeps the office's receipt, if signed by the kit's office and for a bundle this laptop made. */
  async storeReceipt(roundId: string, input: Receipt): Promise<{ bundleSha256: string; matchesLastBundle: boolean }> {
    const { rows: kits } = await this.pool.query<{ office_public_key: string; office_fingerprint: string }>(
      'SELECT office_public_key, office_fingerprint FROM field_kits WHERE round_id = $1',
      [roundId],
    );
    const r = input.receipt;
    const refuse = (code: ErrorCode, message: string, field = 'receipt') =>
      new ApplicationError(code, message, [{ field, rule: 'valid', message }]);
    if (!kits.length) {
      throw refuse('HANDOVER_RECEIPT_INVALID', `This laptop was not set up with a field kit for round ${roundId}`);
    }
    if (r?.format !== RECEIPT_FORMAT || r.roundId !== roundId) {
      throw refuse('HANDOVER_RECEIPT_INVALID', `Not a receipt for round ${roundId}`);
    }
    if (
      r.office?.fingerprint !== kits[0].office_fingerprint ||
      !verifyJsonSignature(r, input.signature, kits[0].office_public_key)
    ) {
      throw refuse('HANDOVER_RECEIPT_INVALID', "The receipt is not signed by the field kit's office", 'signature');
    }
    const { rows: exported } = await this.pool.query<{ bundle_sha256: string }>(
      'SELECT bundle_sha256 FROM handover_exports WHERE round_id = $1 ORDER BY id DESC',
      [roundId],
    );
    if (!exported.some((e) => e.bundle_sha256 === r.bundleSha256)) {
      throw refuse(
        'HANDOVER_RECEIPT_INVALID',
        `This laptop exported no bundle ${r.bundleSha256}`,
        'receipt.bundleSha256',
      );
    }
    await this.pool.query(
      `INSERT INTO handover_receipts (bundle_sha256, round_id, receipt) VALUES ($1, $2, $3)
       ON CONFLICT (bundle_sha256) DO NOTHING`,
      [r.bundleSha256, roundId, JSON.stringify(input)],
    );
    return { bundleSha256: r.bundleSha256, matchesLastBundle: exported[0].bundle_sha256 === r.bundleSha256 };
  }

  /**
   * On the laptop (清理): deletes the round's events (its stream, findings and leads) only when the office's
   * receipt matches the last bundle exported and that bundle holds every event the round has now. The log is
   * append-only for the app's role: this runs as the store's owner, and the seals (which name the deleted heads)
   * start again; the read models are rebuilt from what remains.
   */
  async purge(roundId: string): Promise<{ roundId: string; bundleSha256: string; events: number; streams: number }> {
    this.requirePostgres();
    const { rows: last } = await this.pool.query<{ bundle_sha256: string; events: number; created_at: Date }>(
      'SELECT bundle_sha256, events, created_at FROM handover_exports WHERE round_id = $1 ORDER BY id DESC LIMIT 1',
      [roundId],
    );
    if (!last.length) {
      throw new ApplicationError('HANDOVER_RECEIPT_REQUIRED', `Round ${roundId} was never handed over from here`);
    }
    const { rows: receipts } = await this.pool.query(
      'SELECT 1 FROM handover_receipts WHERE bundle_sha256 = $1 AND round_id = $2',
      [last[0].bundle_sha256, roundId],
    );
    if (!receipts.length) {
      throw new ApplicationError(
        'HANDOVER_RECEIPT_REQUIRED',
        `No office receipt for the last bundle of round ${roundId} (${last[0].bundle_sha256}): nothing was deleted`,
      );
    }
    const owner = this.database.ownerUrl;
    if (!owner) {
      throw new ApplicationError('HANDOVER_NEEDS_POSTGRES', 'Purging needs the store owner (DATABASE_OWNER_URL)');
    }
    const client = new pg.Client({ connectionString: owner });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${SCHEMA}.es_events IN EXCLUSIVE MODE`);
      const { rows: streams } = await client.query<{ stream_id: string }>(
        `SELECT stream_id FROM ${SCHEMA}.es_events WHERE revision = 1 AND (stream_id = $1 OR data->>'roundId' = $2)`,
        [roundStream(roundId), roundId],
      );
      const ids = streams.map((r) => r.stream_id);
      const { rows: counted } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${SCHEMA}.es_events WHERE stream_id = ANY ($1)`,
        [ids],
      );
      const now = Number(counted[0].n);
      // The last bundle also carried the departments its events cite, which stay: compare the round's own events.
      const { rows: covered } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${SCHEMA}.es_events WHERE stream_id = ANY ($1) AND recorded_at <= $2`,
        [ids, last[0].created_at],
      );
      if (Number(covered[0].n) !== now) {
        throw new ApplicationError(
          'HANDOVER_RECEIPT_REQUIRED',
          `Round ${roundId} has events recorded after its last bundle: hand it over again before purging`,
        );
      }
      await client.query(`ALTER TABLE ${SCHEMA}.es_events DISABLE TRIGGER es_events_append_only`);
      await client.query(`ALTER TABLE ${SCHEMA}.es_seals DISABLE TRIGGER es_seals_append_only`);
      await client.query(`DELETE FROM ${SCHEMA}.es_events WHERE stream_id = ANY ($1)`, [ids]);
      await client.query(`DELETE FROM ${SCHEMA}.es_seals`);
      await client.query(`ALTER TABLE ${SCHEMA}.es_events ENABLE TRIGGER es_events_append_only`);
      await client.query(`ALTER TABLE ${SCHEMA}.es_seals ENABLE TRIGGER es_seals_append_only`);
      await client.query('COMMIT');
      if (this.projector) await this.projector.rebuild();
      return { roundId, bundleSha256: last[0].bundle_sha256, events: now, streams: ids.length };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await client.end();
    }
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
  code: 'HANDOVER_BROKEN_LINK' | 'HANDOVER_STREAM_DIVERGED' = 'HANDOVER_BROKEN_LINK',
) {
  if (error.invalid) {
    return new ApplicationError('HANDOVER_BUNDLE_INVALID', error.message, [
      { field: 'body', rule: 'bundle', message: error.message },
    ]);
  }
  return new ApplicationError(code, error.message, undefined, { brokenLink: error.brokenLink });
}

const KNOWN_TYPES = new Set<string>(DOMAIN_EVENT_TYPES);

/**
 * A bundle of round R may hold only R's stream, the findings and leads recorded in R and the units (departments),
 * so that a signed bundle cannot reach into another round's cases.
 */
function checkScope(bundle: HandoverBundle): void {
  const { roundId } = bundle.manifest;
  const first = new Map<string, BundleEvent>();
  for (const e of bundle.events) if (!first.has(e.streamId)) first.set(e.streamId, e);
  for (const [streamId, e] of first) {
    const category = streamId.slice(0, streamId.indexOf('-'));
    const ofRound = (e.data as { roundId?: unknown } | null)?.roundId === roundId;
    const allowed =
      streamId === roundStream(roundId) ||
      category === 'department' ||
      ((category === 'finding' || category === 'lead') && ofRound);
    if (!allowed) {
      throw refusal(
        new BundleRefused(`Broken link: stream ${streamId} is not part of round ${roundId}`, {
          streamId,
          revision: 1,
          reason: "stream outside the bundle's round",
        }),
      );
    }
  }
}

/** What is new here must be of the domain's types, and never a record only this store writes (HandoverImported). */
function checkTypes(fresh: BundleEvent[]): void {
  for (const e of fresh) {
    if (!KNOWN_TYPES.has(e.type) || e.type === 'HandoverImported') {
      throw refusal(
        new BundleRefused(`Broken link: stream ${e.streamId} revision ${e.revision}: event type ${e.type} is refused`, {
          streamId: e.streamId,
          revision: e.revision,
          reason: `event type ${e.type} cannot be handed over`,
        }),
      );
    }
  }
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
