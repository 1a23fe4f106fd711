import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '@app/domain';
import type { SqlStatement } from '@app/event-store';
import type { AuthUser } from '../auth/auth-user.js';
import { ApplicationError } from '../application/errors.js';
import { newDataKey, open, seal, unwrapKey, valueAad, wrapKey } from './crypto.js';
import { PERSONAL_DATA_MASTER_KEY, type MasterKey } from './master-key.js';
import {
  PERSONAL_DATA_KINDS,
  PersonalDataEntity,
  PersonalDataKeyEntity,
  PersonalDataReadEntity,
  TABLES,
  type PersonalDataKind,
  type ReadOutcome,
} from './personal-data.entities.js';

/** Roles that see names in clear (docs/domain.md: officials "see dashboards and names"; inspectors record them). */
export const NAME_READERS: ReadonlySet<Role> = new Set<Role>(['official', 'inspector']);
/** Only a discipline official carries out a lawful erasure request. */
export const ERASERS: ReadonlySet<Role> = new Set<Role>(['official']);
/** Shown instead of any part of a name; nothing of the original (not even its length or first character) leaks. */
export const REDACTED = '［已隐去］';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_VALUE_BYTES = 4096;

export type PersonalValue = Record<string, unknown>;

export interface ProtectEntry {
  kind: PersonalDataKind;
  value: PersonalValue;
}

export type RevealedValue =
  | { status: 'revealed'; kind: PersonalDataKind; value: PersonalValue }
  | { status: 'redacted'; kind: PersonalDataKind; redacted: true; value: { name: string } }
  | { status: 'erased'; kind: PersonalDataKind; erased: true; erasedAt: string }
  | { status: 'missing'; missing: true };

export interface RevealContext {
  leadId?: string;
  purpose: string;
}

export interface ErasureResult {
  subjectId: string;
  refs: string[];
  erasedAt: string;
  erasedBy: { id: string; username: string | null };
  reason: string;
  /** True when the key had already been destroyed: nothing changed, the first erasure is reported. */
  alreadyErased: boolean;
}

export interface PersonalDataRead {
  id: string;
  ref: string;
  kind: PersonalDataKind | null;
  leadId: string | null;
  reader: { id: string; username: string; role: string };
  purpose: string;
  outcome: ReadOutcome;
  readAt: string;
}

interface StoredRow {
  ref: string;
  kind: PersonalDataKind;
  subject_id: string;
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  key: Buffer | null;
  destroyed_at: Date | null;
}

const invalid = (field: string, message: string): ApplicationError =>
  new ApplicationError('VALIDATION_FAILED', `Invalid input: ${field}`, [{ field, rule: 'invalid', message }]);

function requireUuid(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw invalid(field, `${field} must be a UUID`);
  return value.toLowerCase();
}

/**
 * Names of the people a lead concerns (被反映人) and informants' identities (举报人), kept out of the
 * event log: events carry the `ref` that {@link protect} returns, the value lives here encrypted under
 * a key of its own. {@link erase} destroys that key (crypto-shredding) without touching the log.
 * Every {@link reveal} is recorded, per ref, before anything is returned.
 */
@Injectable()
export class PersonalDataService implements OnModuleInit {
  private readonly logger = new Logger('PersonalData');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PERSONAL_DATA_MASTER_KEY) private readonly master: MasterKey,
  ) {}

  /**
   * Refuses to start with a master key that does not open the keys already stored (a regenerated
   * key file, a mistyped PERSONAL_DATA_KEY): better than accepting new names under one key while every
   * earlier name has silently become unreadable.
   */
  async onModuleInit(): Promise<void> {
    const [sample] = await this.dataSource.query<Array<{ subject_id: string; key: Buffer }>>(
      `SELECT subject_id, key FROM personal_data_keys WHERE key IS NOT NULL LIMIT 1`,
    );
    if (!sample) return;
    try {
      unwrapKey(this.master.key, sample.key, sample.subject_id).fill(0);
    } catch {
      throw new Error(
        `The personal-data master key from ${this.master.source} does not open the keys already in the database. ` +
          `Restore the key used before (PERSONAL_DATA_KEY, or the personal-data.key file in DATA_DIR); starting with another key would make every stored name unreadable.`,
      );
    }
  }

  /** Encrypts each value under a new subject key; returns the refs, in order. Joins `manager`'s transaction if given. */
  async protect(entries: ProtectEntry[], manager?: EntityManager): Promise<string[]> {
    const { keys, rows } = this.encrypt(entries);
    if (rows.length === 0) return [];
    const write = async (m: EntityManager): Promise<void> => {
      await m.insert(PersonalDataKeyEntity, keys);
      await m.insert(PersonalDataEntity, rows);
    };
    await (manager ? write(manager) : this.dataSource.transaction(write));
    return rows.map((row) => row.ref);
  }

  /**
   * Encrypts like {@link protect} but writes nothing: answers the refs and the statements that store
   * them, for the event store to commit in the same transaction as the event that cites them (no
   * vault row without its event, none an erasure could miss). With `derive` (a command with an
   * Idempotency-Key) subject ids and refs are derived, not random, and a row already there (the
   * first attempt's, possibly erased since) is kept as it is: a retry neither duplicates nor revives.
   */
  prepare(
    entries: ProtectEntry[],
    derive?: (purpose: string) => string,
  ): { refs: string[]; statements: SqlStatement[] } {
    const { keys, rows } = this.encrypt(entries, derive);
    if (rows.length === 0) return { refs: [], statements: [] };
    const statements: SqlStatement[] = [
      {
        text: `INSERT INTO ${TABLES.keys} (subject_id, key)
               SELECT * FROM unnest($1::uuid[], $2::bytea[]) ON CONFLICT (subject_id) DO NOTHING`,
        values: [keys.map((k) => k.subjectId), keys.map((k) => k.key)],
      },
      {
        text: `INSERT INTO ${TABLES.data} (ref, subject_id, kind, ciphertext, iv, tag)
               SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[], $5::bytea[], $6::bytea[])
               ON CONFLICT (ref) DO NOTHING`,
        values: [
          rows.map((r) => r.ref),
          rows.map((r) => r.subjectId),
          rows.map((r) => r.kind),
          rows.map((r) => r.ciphertext),
          rows.map((r) => r.iv),
          rows.map((r) => r.tag),
        ],
      },
    ];
    return { refs: rows.map((row) => row.ref), statements };
  }

  private encrypt(entries: ProtectEntry[], derive?: (purpose: string) => string) {
    const keys: Array<Pick<PersonalDataKeyEntity, 'subjectId' | 'key'>> = [];
    const rows: Array<Omit<PersonalDataEntity, 'createdAt'>> = [];
    entries.forEach((entry, index) => {
      if (!(PERSONAL_DATA_KINDS as readonly string[]).includes(entry.kind)) {
        throw invalid(`[${index}].kind`, `kind must be one of ${PERSONAL_DATA_KINDS.join(', ')}`);
      }
      if (entry.value === null || typeof entry.value !== 'object' || Array.isArray(entry.value)) {
        throw invalid(`[${index}].value`, 'value must be an object');
      }
      const plaintext = Buffer.from(JSON.stringify(entry.value), 'utf8');
      if (plaintext.length > MAX_VALUE_BYTES)
        throw invalid(`[${index}].value`, `value must be at most ${MAX_VALUE_BYTES} bytes`);
      const subjectId = derive ? derive(`vault:subject:${index}`) : randomUUID();
      const ref = derive ? derive(`vault:ref:${index}`) : randomUUID();
      const dataKey = newDataKey();
      try {
        keys.push({ subjectId, key: wrapKey(this.master.key, dataKey, subjectId) });
        rows.push({ ref, subjectId, kind: entry.kind, ...seal(dataKey, plaintext, valueAad(ref, entry.kind)) });
      } finally {
        dataKey.fill(0);
        plaintext.fill(0);
      }
    });
    return { keys, rows };
  }

  /**
   * The values behind `refs` as `reader` may see them: in clear for officials and inspectors,
   * redacted for everyone else, `erased` once the key is destroyed. One read row per distinct ref
   * (whatever it showed) is committed before the values are handed back; if that fails, nothing is.
   */
  async reveal(refs: string[], reader: AuthUser, context: RevealContext): Promise<Map<string, RevealedValue>> {
    const unique = [...new Set(refs.map((ref, i) => requireUuid(ref, `refs[${i}]`)))];
    const leadId = context.leadId === undefined ? null : requireUuid(context.leadId, 'leadId');
    const purpose = typeof context.purpose === 'string' ? context.purpose.trim() : '';
    if (purpose === '') throw invalid('purpose', 'a read of personal data states its purpose');
    if (!reader?.id || !reader.username || !reader.role)
      throw new ApplicationError('UNAUTHENTICATED', 'No signed-in reader');
    const result = new Map<string, RevealedValue>();
    if (unique.length === 0) return result;

    const stored = await this.dataSource.query<StoredRow[]>(
      `SELECT d.ref, d.kind, d.subject_id, d.ciphertext, d.iv, d.tag, k.key, k.destroyed_at
         FROM personal_data d JOIN personal_data_keys k USING (subject_id)
        WHERE d.ref = ANY($1::uuid[])`,
      [unique],
    );
    const byRef = new Map(stored.map((row) => [row.ref, row]));
    const mayRead = NAME_READERS.has(reader.role);
    for (const ref of unique) result.set(ref, this.present(byRef.get(ref), mayRead));

    await this.dataSource.getRepository(PersonalDataReadEntity).insert(
      unique.map((ref) => ({
        ref,
        leadId,
        readerId: reader.id,
        readerUsername: reader.username,
        readerRole: reader.role,
        purpose,
        outcome: result.get(ref)!.status,
      })),
    );
    return result;
  }

  private present(row: StoredRow | undefined, mayRead: boolean): RevealedValue {
    if (!row) return { status: 'missing', missing: true };
    if (row.key === null) {
      return {
        status: 'erased',
        kind: row.kind,
        erased: true,
        erasedAt: (row.destroyed_at ?? new Date(0)).toISOString(),
      };
    }
    if (!mayRead) return { status: 'redacted', kind: row.kind, redacted: true, value: { name: REDACTED } };
    const dataKey = unwrapKey(this.master.key, row.key, row.subject_id);
    try {
      const plaintext = open(dataKey, row, valueAad(row.ref, row.kind), `personal data ${row.ref}`);
      return { status: 'revealed', kind: row.kind, value: JSON.parse(plaintext.toString('utf8')) as PersonalValue };
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Destroys the subject key behind `refOrSubjectId` (a ref, or a subject id): every value sealed
   * with it becomes unreadable for good. The ciphertext and the event log stay as they are.
   * Repeating an erasure changes nothing and reports the first one.
   */
  async erase(refOrSubjectId: string, by: AuthUser, reason: string): Promise<ErasureResult> {
    const id = requireUuid(refOrSubjectId, 'ref');
    if (!ERASERS.has(by.role)) {
      throw new ApplicationError('FORBIDDEN', 'Only a discipline official may erase personal data');
    }
    const why = typeof reason === 'string' ? reason.trim() : '';
    if (why === '') throw invalid('reason', 'an erasure states its lawful reason');

    return this.dataSource.transaction(async (m) => {
      const [subject] = await m.query<Array<{ subject_id: string }>>(
        `SELECT subject_id FROM personal_data WHERE ref = $1
         UNION SELECT subject_id FROM personal_data_keys WHERE subject_id = $1`,
        [id],
      );
      if (!subject) throw new ApplicationError('PERSONAL_DATA_NOT_FOUND', `No personal data with ref ${id}`);
      const subjectId = subject.subject_id;
      // `key IS NOT NULL` makes a repeated or concurrent erasure a no-op instead of overwriting who did it first.
      // (Wrapped in a CTE because TypeORM answers a bare UPDATE … RETURNING as [rows, count].)
      const [destroyed] = await m.query<Array<{ destroyed_at: Date }>>(
        `WITH erased AS (
           UPDATE personal_data_keys
              SET key = NULL, destroyed_at = now(), destroyed_by = $2, destroyed_by_username = $3, reason = $4
            WHERE subject_id = $1 AND key IS NOT NULL
            RETURNING destroyed_at)
         SELECT destroyed_at FROM erased`,
        [subjectId, by.id, by.username, why],
      );
      const refs = (
        await m.query<Array<{ ref: string }>>(
          `SELECT ref FROM personal_data WHERE subject_id = $1 ORDER BY created_at, ref`,
          [subjectId],
        )
      ).map((r) => r.ref);
      if (destroyed) {
        this.logger.log(`Personal data subject ${subjectId} erased by ${by.username} (${refs.length} value(s))`);
        return {
          subjectId,
          refs,
          erasedAt: destroyed.destroyed_at.toISOString(),
          erasedBy: { id: by.id, username: by.username },
          reason: why,
          alreadyErased: false,
        };
      }
      const [earlier] = await m.query<
        Array<{ destroyed_at: Date; destroyed_by: string; destroyed_by_username: string | null; reason: string }>
      >(
        `SELECT destroyed_at, destroyed_by, destroyed_by_username, reason FROM personal_data_keys WHERE subject_id = $1`,
        [subjectId],
      );
      return {
        subjectId,
        refs,
        erasedAt: earlier.destroyed_at.toISOString(),
        erasedBy: { id: earlier.destroyed_by, username: earlier.destroyed_by_username },
        reason: earlier.reason,
        alreadyErased: true,
      };
    });
  }

  /** The access log of a lead's personal data, oldest first. */
  async readsOf(leadId: string): Promise<PersonalDataRead[]> {
    const id = requireUuid(leadId, 'leadId');
    const rows = await this.dataSource.query<
      Array<{
        id: string;
        ref: string;
        kind: PersonalDataKind | null;
        lead_id: string | null;
        reader_id: string;
        reader_username: string;
        reader_role: string;
        purpose: string;
        outcome: ReadOutcome;
        read_at: Date;
      }>
    >(
      `SELECT r.id::text AS id, r.ref, d.kind, r.lead_id, r.reader_id, r.reader_username, r.reader_role, r.purpose, r.outcome, r.read_at
         FROM personal_data_reads r LEFT JOIN personal_data d ON d.ref = r.ref
        WHERE r.lead_id = $1
        ORDER BY r.id`,
      [id],
    );
    return rows.map((r) => ({
      id: r.id,
      ref: r.ref,
      kind: r.kind,
      leadId: r.lead_id,
      reader: { id: r.reader_id, username: r.reader_username, role: r.reader_role },
      purpose: r.purpose,
      outcome: r.outcome,
      readAt: r.read_at.toISOString(),
    }));
  }
}
