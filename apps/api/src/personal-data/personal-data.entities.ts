import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const PERSONAL_DATA_KINDS = [
  'lead_subject',
  'informant',
  'monitoring_target',
  'lead_detail',
  'follow_up_visitee',
] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

/** What a read of personal data showed the reader; every read is recorded with one of these. */
export const READ_OUTCOMES = ['revealed', 'redacted', 'erased', 'missing'] as const;
export type ReadOutcome = (typeof READ_OUTCOMES)[number];

export const TABLES = {
  keys: 'personal_data_keys',
  data: 'personal_data',
  reads: 'personal_data_reads',
} as const;

/** One data key per subject, stored wrapped under the master key; NULL once destroyed (erased). */
@Entity({ name: TABLES.keys })
export class PersonalDataKeyEntity {
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'key', type: 'bytea', nullable: true })
  key: Buffer | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'destroyed_at', type: 'timestamptz', nullable: true })
  destroyedAt: Date | null;

  @Column({ name: 'destroyed_by', type: 'text', nullable: true })
  destroyedBy: string | null;

  @Column({ name: 'destroyed_by_username', type: 'text', nullable: true })
  destroyedByUsername: string | null;

  @Column({ name: 'reason', type: 'text', nullable: true })
  reason: string | null;
}

/** An encrypted value (a name, an informant's identity) that events point at by `ref`. */
@Entity({ name: TABLES.data })
export class PersonalDataEntity {
  @PrimaryColumn({ name: 'ref', type: 'uuid' })
  ref: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'kind', type: 'text' })
  kind: PersonalDataKind;

  @Column({ name: 'ciphertext', type: 'bytea' })
  ciphertext: Buffer;

  @Column({ name: 'iv', type: 'bytea' })
  iv: Buffer;

  @Column({ name: 'tag', type: 'bytea' })
  tag: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/** Append-only access log: who looked at which personal data, when, for which lead and why. */
@Entity({ name: TABLES.reads })
export class PersonalDataReadEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'bigint' })
  id: string;

  @Column({ name: 'ref', type: 'uuid' })
  ref: string;

  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId: string | null;

  @Column({ name: 'reader_id', type: 'text' })
  readerId: string;

  @Column({ name: 'reader_username', type: 'text' })
  readerUsername: string;

  @Column({ name: 'reader_role', type: 'text' })
  readerRole: string;

  @Column({ name: 'purpose', type: 'text' })
  purpose: string;

  @Column({ name: 'outcome', type: 'text' })
  outcome: ReadOutcome;

  @Column({ name: 'read_at', type: 'timestamptz', default: () => 'now()' })
  readAt: Date;
}

export const personalDataEntityClasses = [PersonalDataKeyEntity, PersonalDataEntity, PersonalDataReadEntity];
