import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions that end: `token_version` is in every token (`tv`) and raised by a password change, a
 * disable and a change of role or unit, so older tokens stop working. `must_change_password` holds
 * a user with a known password (the demo users, an admin's reset) to choosing their own first.
 * `user_changes` records which admin changed which account, when, and what.
 */
export class UserSessions1732800004100 implements MigrationInterface {
  name = 'UserSessions1732800004100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE users
        ADD COLUMN token_version integer NOT NULL DEFAULT 0,
        ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`
      CREATE TABLE user_changes (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id),
        actor_id uuid NULL,
        actor_username text NOT NULL,
        action text NOT NULL,
        changes jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_changes_action_known CHECK (action IN ('update', 'reset_password', 'change_password'))
      )`);
    await queryRunner.query(`CREATE INDEX user_changes_user_idx ON user_changes (user_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS user_changes`);
    await queryRunner.query(
      `ALTER TABLE users DROP COLUMN IF EXISTS must_change_password, DROP COLUMN IF EXISTS token_version`,
    );
  }
}
