import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A claim on a key is a lease: `lease_until` says until when its holder is presumed alive, `claim_token`
 * which attempt holds it. A claim whose process died is taken over once its lease has run out.
 */
export class IdempotencyLease1764590000000 implements MigrationInterface {
  name = 'IdempotencyLease1764590000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys
      ADD COLUMN claim_token text NULL,
      ADD COLUMN lease_until timestamptz NOT NULL DEFAULT now()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE idempotency_keys DROP COLUMN claim_token, DROP COLUMN lease_until');
  }
}
