import { Module } from '@nestjs/common';

/** Encrypted personal data of leads (being built). */
@Module({})
export class PersonalDataModule {}
