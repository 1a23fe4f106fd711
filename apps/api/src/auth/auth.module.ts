import { createSecretKey } from 'node:crypto';
import { Logger, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { APP_CONFIG, DATABASE, EVENT_STORE } from '../infrastructure/tokens.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService, TOKEN_TTL_SECONDS } from './auth.service.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { SignInThrottleGuard } from './sign-in-throttle.guard.js';
import { UserEntity } from './user.entity.js';
import { MonitoringAccess } from '../http/monitoring-access.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

export const JWT_SECRET = Symbol('JWT_SECRET');

/**
 * Resolved while the app is created, so a missing JWT_SECRET with an external database makes
 * `createApp` reject (and the process exit) instead of serving. It waits for the data source and the
 * event store only so that the refusal comes after their connections are up, never in the middle of
 * a migration.
 */
const jwtSecretProvider: Provider = {
  provide: JWT_SECRET,
  inject: [APP_CONFIG, DATABASE, getDataSourceToken(), EVENT_STORE],
  useFactory: async (config: AppConfig, database: DatabaseHandle): Promise<string> => {
    const resolved = await resolveJwtSecret({
      jwtSecret: config.jwtSecret,
      dataDir: config.dataDir,
      mode: database.mode,
    });
    const logger = new Logger('Auth');
    if (resolved.source === 'generated') logger.log(`Generated a JWT signing key in ${resolved.file}`);
    if (resolved.source === 'file') logger.debug(`Using the JWT signing key in ${resolved.file}`);
    return resolved.secret;
  },
};

const jwtServiceProvider: Provider = {
  provide: JwtService,
  inject: [JWT_SECRET],
  useFactory: (secret: string) =>
    new JwtService({
      // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a
      // public key on every verify (~0.8 ms, a quarter of a command's server time in bench:api).
      secret: createSecretKey(Buffer.from(secret, 'utf8')),
      signOptions: { algorithm: 'HS256', expiresIn: TOKEN_TTL_SECONDS },
      verifyOptions: { algorithms: ['HS256'] },
    }),
};

/** Sign-in, users and the guard every route passes (`@Public()` and `@Sends`/`@Reads`/`@Operates` steer it). */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  controllers: [AuthController, UsersController],
  providers: [
    jwtSecretProvider,
    jwtServiceProvider,
    UsersService,
    AuthService,
    AdminBootstrapService,
    SignInThrottleGuard,
    MonitoringAccess,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UsersService, AuthService, MonitoringAccess],
})
export class AuthModule {}
