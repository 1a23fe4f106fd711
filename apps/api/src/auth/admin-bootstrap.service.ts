import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '@app/database';
import { ApplicationError } from '../application/errors.js';
import { APP_CONFIG } from '../infrastructure/tokens.js';
import { UsersService } from './users.service.js';

export const BOOTSTRAP_ADMIN_USERNAME = 'admin';

/**
 * At the first start there is nobody to create users: make `admin` with ADMIN_PASSWORD, or with a
 * generated password shown once in the log. Two instances starting at once cannot both create it:
 * the username is unique, and the loser says nothing.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.adminExists()) return;
    const generated = this.config.adminPassword === undefined;
    const password = this.config.adminPassword ?? randomBytes(18).toString('base64url');
    try {
      await this.users.create({
        username: BOOTSTRAP_ADMIN_USERNAME,
        password,
        role: 'admin',
        displayName: '系统管理员',
      });
    } catch (error) {
      if (error instanceof ApplicationError && error.code === 'USERNAME_TAKEN') {
        if (!(await this.users.adminExists())) {
          this.logger.warn(
            `No user has the role admin, and the username "${BOOTSTRAP_ADMIN_USERNAME}" is taken by a user of another role; fix the users table`,
          );
        }
        return;
      }
      throw error;
    }
    if (generated) {
      const lines = [
        `Created the administrator "${BOOTSTRAP_ADMIN_USERNAME}" with the generated password:`,
        '',
        `    ${password}`,
        '',
        'It is shown only this once. Sign in and change it (or set ADMIN_PASSWORD before the first start).',
      ];
      const width = Math.max(...lines.map((l) => l.length));
      const box = [
        '┌' + '─'.repeat(width + 2) + '┐',
        ...lines.map((l) => `│ ${l.padEnd(width)} │`),
        '└' + '─'.repeat(width + 2) + '┘',
      ];
      // Shown even at LOG_LEVEL=error: a password nobody saw would lock everyone out.
      if (Logger.isLevelEnabled('warn')) this.logger.warn('\n' + box.join('\n'));
      else this.logger.error('\n' + box.join('\n'));
    } else {
      this.logger.log(`Created the administrator "${BOOTSTRAP_ADMIN_USERNAME}" with the password from ADMIN_PASSWORD`);
    }
  }
}
