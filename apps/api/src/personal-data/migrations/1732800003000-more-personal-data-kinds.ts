import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Person targets of monitoring points and the identifying detail of a lead's account are kept in the vault too. */
export class MorePersonalDataKinds1732800003000 implements MigrationInterface {
  name = 'MorePersonalDataKinds1732800003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE personal_data DROP CONSTRAINT IF EXISTS personal_data_kind_check;
      ALTER TABLE personal_data ADD CONSTRAINT personal_data_kind_check
        CHECK (kind IN ('lead_subject', 'informant', 'monitoring_target', 'lead_detail'));`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE personal_data DROP CONSTRAINT IF EXISTS personal_data_kind_check;
      ALTER TABLE personal_data ADD CONSTRAINT personal_data_kind_check
        CHECK (kind IN ('lead_subject', 'informant'));`);
  }
}
