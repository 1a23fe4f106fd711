import { Module } from '@nestjs/common';

/** Sign-in, users and the role guard (being built). */
@Module({})
export class AuthModule {}
