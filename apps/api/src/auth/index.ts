import type { EntityClass, MigrationClass } from '../infrastructure/typeorm.options.js';
import { CreateUsers1732800000000 } from './migrations/1732800000000-create-users.js';
import { UserSessions1732800004100 } from './migrations/1732800004100-user-sessions.js';
import { UserEntity } from './user.entity.js';

export const authEntities: EntityClass[] = [UserEntity];
export const authMigrations: MigrationClass[] = [CreateUsers1732800000000, UserSessions1732800004100];

export type { AuthUser } from './auth-user.js';
export { AuthModule, JWT_SECRET } from './auth.module.js';
export { AuthGuard } from './auth.guard.js';
export { AuthService, TOKEN_TTL_SECONDS, type LoginResult, type TokenClaims } from './auth.service.js';
export {
  CurrentUser,
  IS_PUBLIC_KEY,
  Operates,
  PERMISSION_KEY,
  Public,
  Reads,
  rolesOf,
  Sends,
  type Permission,
} from './decorators.js';
export { resolveJwtSecret, JwtSecretError, type ResolvedJwtSecret } from './jwt-secret.js';
export { MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from './password.js';
export {
  USERNAME_PATTERN,
  UsersService,
  type CreateUserInput,
  type UserPage,
  type UserStatus,
  type UserView,
} from './users.service.js';
export { BOOTSTRAP_ADMIN_USERNAME } from './admin-bootstrap.service.js';
export { CreateUsers1732800000000, UserEntity, UserSessions1732800004100 };
