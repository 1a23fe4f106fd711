import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Frozen SQL: later changes to roles or rules get a migration of their own. */
export class CreateUsers1732800000000 implements MigrationInterface {
  name = 'CreateUsers1732800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL,
        department_id uuid NULL,
        display_name text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        disabled boolean NOT NULL DEFAULT false,
        CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z0-9._-]{3,50}$'),
        CONSTRAINT users_password_hash_format CHECK (password_hash LIKE 'scrypt$%'),
        CONSTRAINT users_role_known CHECK (role IN ('inspector', 'official', 'unit_liaison', 'auditor', 'admin')),
        CONSTRAINT users_liaison_has_department CHECK (role <> 'unit_liaison' OR department_id IS NOT NULL)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username))`);
    await queryRunner.query(`CREATE INDEX users_role_idx ON users (role)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS users`);
  }
}
