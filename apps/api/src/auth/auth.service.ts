import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ROLES, type Role } from '@app/domain';
import { ApplicationError } from '../application/errors.js';
import type { AuthUser } from './auth-user.js';
import { HashingBusyError } from './hash-limiter.js';
import { SIGN_IN_HASH_WAIT_MS, needsRehash, verifyAgainstDummy, verifyPassword } from './password.js';
import { UsersService, toAuthUser } from './users.service.js';

export const TOKEN_TTL_SECONDS = 12 * 60 * 60;
/** How many verified tokens AuthService keeps (the oldest goes first). */
export const VERIFIED_TOKENS_KEPT = 1000;

/** What a token says; `sub` is the user id, `tv` the user's token version when it was issued. */
export interface TokenClaims {
  sub: string;
  username: string;
  role: Role;
  departmentId?: string;
  tv: number;
}

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: AuthUser;
  /** True: every call but `POST /api/auth/password` answers 403 `PASSWORD_CHANGE_REQUIRED` until it succeeds. */
  mustChangePassword: boolean;
}

/** A token that is well formed, signed by us and not expired; the guard still checks it against the user. */
export interface VerifiedToken {
  user: AuthUser;
  tokenVersion: number;
}

const invalidCredentials = () => new ApplicationError('INVALID_CREDENTIALS', 'Unknown username or wrong password');
const busy = () =>
  new ApplicationError(
    'SERVER_BUSY',
    'Too many sign-ins are being checked at once; try again shortly',
    undefined,
    {},
    1,
  );

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
  ) {}

  /**
   * The same answer, after the same work, for an unknown user, a wrong password and a disabled account.
   * The password check waits a bounded time for a hashing slot (then 503 `SERVER_BUSY`). A hash made
   * with older cost parameters is replaced by one with the current ones.
   */
  async login(username: string, password: string): Promise<LoginResult> {
    const found = await this.users.findForSignIn(username);
    try {
      if (!found) {
        await verifyAgainstDummy(password, { maxWaitMs: SIGN_IN_HASH_WAIT_MS });
        throw invalidCredentials();
      }
      const ok = await verifyPassword(password, found.passwordHash, { maxWaitMs: SIGN_IN_HASH_WAIT_MS });
      if (!ok || found.user.disabled) throw invalidCredentials();
      if (needsRehash(found.passwordHash)) {
        await this.users
          .rehashPassword(found.user.id, found.passwordHash, password, { maxWaitMs: SIGN_IN_HASH_WAIT_MS })
          .catch((error: unknown) => {
            if (!(error instanceof HashingBusyError))
              this.logger.warn(`Rehashing the password of ${found.user.username} failed: ${(error as Error).message}`);
          });
      }
    } catch (error) {
      if (error instanceof HashingBusyError) throw busy();
      throw error;
    }
    const user = toAuthUser(found.user);
    return {
      accessToken: await this.issueToken(user, found.user.tokenVersion),
      tokenType: 'Bearer',
      expiresIn: TOKEN_TTL_SECONDS,
      user,
      mustChangePassword: found.user.mustChangePassword,
    };
  }

  /** The user's own password; ends every session of theirs, this one too (sign in again with the new password). */
  async changePassword(current: AuthUser, currentPassword: string, newPassword: string): Promise<void> {
    const found = await this.users.findCredentialsById(current.id);
    if (!found) throw new ApplicationError('UNAUTHENTICATED', 'This account no longer exists');
    let ok: boolean;
    try {
      ok = await verifyPassword(currentPassword, found.passwordHash, { maxWaitMs: SIGN_IN_HASH_WAIT_MS });
    } catch (error) {
      if (error instanceof HashingBusyError) throw busy();
      throw error;
    }
    if (!ok) {
      throw new ApplicationError('VALIDATION_FAILED', 'Invalid input: currentPassword', [
        { field: 'currentPassword', rule: 'incorrect', message: 'currentPassword is not your current password' },
      ]);
    }
    if (newPassword.normalize('NFC') === currentPassword.normalize('NFC')) {
      throw new ApplicationError('VALIDATION_FAILED', 'Invalid input: newPassword', [
        { field: 'newPassword', rule: 'differs', message: 'newPassword must differ from the current password' },
      ]);
    }
    await this.users.setPassword(current.id, newPassword, { by: { id: current.id, username: current.username } });
  }

  issueToken(user: AuthUser, tokenVersion: number): Promise<string> {
    const claims: TokenClaims = {
      sub: user.id,
      username: user.username,
      role: user.role,
      ...(user.departmentId ? { departmentId: user.departmentId } : {}),
      tv: tokenVersion,
    };
    return this.jwt.signAsync(claims);
  }

  /**
   * Tokens verified lately, by their whole text (signature included): a text that verified once verifies the same way
   * until it expires, the secret being the process's. Checking the signature and decoding the claims was ~7% of the
   * server's CPU on a dashboard request. The guard still checks the user's status and token version every time.
   */
  private readonly verified = new Map<string, { token: VerifiedToken; exp: number }>();

  /** The user a token stands for, or `undefined` when it is malformed, forged, expired or has no `tv`. */
  async verifyToken(token: string): Promise<VerifiedToken | undefined> {
    const known = this.verified.get(token);
    if (known !== undefined) {
      // As jsonwebtoken decides: expired from the second `exp` on.
      if (Math.floor(Date.now() / 1000) < known.exp) return { ...known.token, user: { ...known.token.user } };
      this.verified.delete(token);
      return undefined;
    }
    let claims: Partial<TokenClaims> & { exp?: unknown };
    try {
      claims = await this.jwt.verifyAsync<Partial<TokenClaims>>(token);
    } catch {
      return undefined;
    }
    const { sub, username, role, departmentId, tv, exp } = claims;
    if (typeof sub !== 'string' || typeof username !== 'string' || !(ROLES as readonly unknown[]).includes(role))
      return undefined;
    if (departmentId !== undefined && departmentId !== null && typeof departmentId !== 'string') return undefined;
    if (typeof tv !== 'number' || !Number.isInteger(tv)) return undefined;
    const verified: VerifiedToken = {
      user: { id: sub, username, role: role as Role, ...(departmentId ? { departmentId } : {}) },
      tokenVersion: tv,
    };
    if (typeof exp === 'number') {
      this.verified.set(token, { token: verified, exp });
      if (this.verified.size > VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value as string);
    }
    return { ...verified, user: { ...verified.user } };
  }
}
