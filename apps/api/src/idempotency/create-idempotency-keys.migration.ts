import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdempotencyKeys1732800002000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1732800002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id       text        NOT NULL,
        key           text        NOT NULL,
        request_hash  text        NOT NULL,
        status        text        NOT NULL CHECK (status IN ('pending', 'done')),
        status_code   int         NULL,
        response      jsonb       NULL,
        headers       jsonb       NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        completed_at  timestamptz NULL,
        PRIMARY KEY (user_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idempotency_keys');
  }
}
