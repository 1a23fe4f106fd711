import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The person a follow-up visit (回访) met is personal data: kept in the vault like a lead's informant. */
export class FollowUpVisitee1732800004100 implements MigrationInterface {
  name = 'FollowUpVisitee1732800004100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE personal_data DROP CONSTRAINT IF EXISTS personal_data_kind_check;
      ALTER TABLE personal_data ADD CONSTRAINT personal_data_kind_check
        CHECK (kind IN ('lead_subject', 'informant', 'monitoring_target', 'lead_detail', 'follow_up_visitee'));`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE personal_data DROP CONSTRAINT IF EXISTS personal_data_kind_check;
      ALTER TABLE personal_data ADD CONSTRAINT personal_data_kind_check
        CHECK (kind IN ('lead_subject', 'informant', 'monitoring_target', 'lead_detail'));`);
  }
}
