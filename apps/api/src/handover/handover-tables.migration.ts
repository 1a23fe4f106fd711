import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hand-over's own configuration (not case history, which is in the log): at the office the field kits it issued
 * and the laptop key each was bound to by the first bundle; on a laptop the kit it was set up with, the bundles it
 * exported and the receipts the office answered.
 */
export class HandoverTables1764600000000 implements MigrationInterface {
  name = 'HandoverTables1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE handover_kits (
        kit_id uuid PRIMARY KEY,
        round_id uuid NOT NULL,
        enrolment_secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        laptop_fingerprint text NULL,
        bound_at timestamptz NULL
      )`);
    await q.query('CREATE INDEX handover_kits_round_idx ON handover_kits (round_id)');
    await q.query(`
      CREATE TABLE field_kits (
        kit_id uuid PRIMARY KEY,
        round_id uuid NOT NULL UNIQUE,
        office_public_key text NOT NULL,
        office_fingerprint text NOT NULL,
        enrolment_secret text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE handover_exports (
        id bigserial PRIMARY KEY,
        round_id uuid NOT NULL,
        bundle_sha256 text NOT NULL,
        events integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX handover_exports_round_idx ON handover_exports (round_id, id)');
    await q.query(`
      CREATE TABLE handover_receipts (
        bundle_sha256 text PRIMARY KEY,
        round_id uuid NOT NULL,
        receipt jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS handover_receipts, handover_exports, field_kits, handover_kits');
  }
}
