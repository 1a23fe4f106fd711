import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal data of leads, encrypted per subject (see ../crypto.ts), and the log of who read it.
 * Erasure sets a key to NULL; the CHECK makes sure it is never NULL without saying when, by whom and
 * why, and a trigger refuses to put a key back once destroyed. The read log is append-only.
 */
export class CreatePersonalData1732800001000 implements MigrationInterface {
  name = 'CreatePersonalData1732800001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE personal_data_keys (
        subject_id            uuid PRIMARY KEY,
        key                   bytea NULL,
        created_at            timestamptz NOT NULL DEFAULT now(),
        destroyed_at          timestamptz NULL,
        destroyed_by          text NULL,
        destroyed_by_username text NULL,
        reason                text NULL,
        CONSTRAINT personal_data_keys_live_or_erased CHECK (
          (key IS NOT NULL AND destroyed_at IS NULL)
          OR (key IS NULL AND destroyed_at IS NOT NULL AND destroyed_by IS NOT NULL AND reason IS NOT NULL)
        )
      )`);
    await queryRunner.query(`
      CREATE FUNCTION personal_data_keys_stay_destroyed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.key IS NULL THEN
          RAISE EXCEPTION 'personal data key % was destroyed on % and cannot be changed', OLD.subject_id, OLD.destroyed_at;
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER personal_data_keys_stay_destroyed BEFORE UPDATE ON personal_data_keys
      FOR EACH ROW EXECUTE FUNCTION personal_data_keys_stay_destroyed()`);

    await queryRunner.query(`
      CREATE TABLE personal_data (
        ref        uuid PRIMARY KEY,
        subject_id uuid NOT NULL REFERENCES personal_data_keys (subject_id),
        kind       text NOT NULL CHECK (kind IN ('lead_subject', 'informant')),
        ciphertext bytea NOT NULL,
        iv         bytea NOT NULL CHECK (octet_length(iv) = 12),
        tag        bytea NOT NULL CHECK (octet_length(tag) = 16),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX personal_data_subject_idx ON personal_data (subject_id)`);

    await queryRunner.query(`
      CREATE TABLE personal_data_reads (
        id              bigserial PRIMARY KEY,
        ref             uuid NOT NULL,
        lead_id         uuid NULL,
        reader_id       text NOT NULL,
        reader_username text NOT NULL,
        reader_role     text NOT NULL,
        purpose         text NOT NULL,
        outcome         text NOT NULL CHECK (outcome IN ('revealed', 'redacted', 'erased', 'missing')),
        read_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX personal_data_reads_lead_idx ON personal_data_reads (lead_id, id)`);
    await queryRunner.query(`CREATE INDEX personal_data_reads_ref_idx ON personal_data_reads (ref, id)`);
    await queryRunner.query(`
      CREATE FUNCTION personal_data_reads_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'personal_data_reads is append-only: % refused', TG_OP;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER personal_data_reads_append_only BEFORE UPDATE OR DELETE ON personal_data_reads
      FOR EACH ROW EXECUTE FUNCTION personal_data_reads_append_only()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE personal_data_reads`);
    await queryRunner.query(`DROP FUNCTION personal_data_reads_append_only()`);
    await queryRunner.query(`DROP TABLE personal_data`);
    await queryRunner.query(`DROP TABLE personal_data_keys`);
    await queryRunner.query(`DROP FUNCTION personal_data_keys_stay_destroyed()`);
  }
}
