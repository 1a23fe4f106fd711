import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ROLES, type Role } from '@app/domain';
import { ApplicationError } from '../application/errors.js';
import type { AuthUser } from './auth-user.js';
import { verifyAgainstDummy, verifyPassword } from './password.js';
import { UsersService, toAuthUser } from './users.service.js';

export const TOKEN_TTL_SECONDS = 12 * 60 * 60;

/** What a token says; `sub` is the user id. */
export interface TokenClaims {
  sub: string;
  username: string;
  role: Role;
  departmentId?: string;
}

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: AuthUser;
}

const invalidCredentials = () => new ApplicationError('INVALID_CREDENTIALS', 'Unknown username or wrong password');

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
  ) {}

  /** The same answer, after the same work, for an unknown user, a wrong password and a disabled account. */
  async login(username: string, password: string): Promise<LoginResult> {
    const found = await this.users.findForSignIn(username);
    if (!found) {
      await verifyAgainstDummy(password);
      throw invalidCredentials();
    }
    const ok = await verifyPassword(password, found.passwordHash);
    if (!ok || found.user.disabled) throw invalidCredentials();
    const user = toAuthUser(found.user);
    return { accessToken: await this.issueToken(user), tokenType: 'Bearer', expiresIn: TOKEN_TTL_SECONDS, user };
  }

  async changePassword(current: AuthUser, currentPassword: string, newPassword: string): Promise<void> {
    const found = await this.users.findCredentialsById(current.id);
    if (!found) throw new ApplicationError('UNAUTHENTICATED', 'This account no longer exists');
    if (!(await verifyPassword(currentPassword, found.passwordHash))) {
      throw new ApplicationError('VALIDATION_FAILED', 'Invalid input: currentPassword', [
        { field: 'currentPassword', rule: 'incorrect', message: 'currentPassword is not your current password' },
      ]);
    }
    await this.users.setPassword(current.id, newPassword);
  }

  issueToken(user: AuthUser): Promise<string> {
    const claims: TokenClaims = {
      sub: user.id,
      username: user.username,
      role: user.role,
      ...(user.departmentId ? { departmentId: user.departmentId } : {}),
    };
    return this.jwt.signAsync(claims);
  }

  /** The user a token stands for, or `undefined` when it is malformed, forged or expired. */
  async verifyToken(token: string): Promise<AuthUser | undefined> {
    let claims: Partial<TokenClaims>;
    try {
      claims = await this.jwt.verifyAsync<Partial<TokenClaims>>(token);
    } catch {
      return undefined;
    }
    const { sub, username, role, departmentId } = claims;
    if (typeof sub !== 'string' || typeof username !== 'string' || !(ROLES as readonly unknown[]).includes(role)) return undefined;
    if (departmentId !== undefined && departmentId !== null && typeof departmentId !== 'string') return undefined;
    return { id: sub, username, role: role as Role, ...(departmentId ? { departmentId } : {}) };
  }
}
