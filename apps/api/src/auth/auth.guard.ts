import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApplicationError } from '../application/errors.js';
import { AuthService } from './auth.service.js';
import {
  ALLOW_PENDING_PASSWORD_CHANGE_KEY,
  IS_PUBLIC_KEY,
  PERMISSION_KEY,
  rolesOf,
  type Permission,
} from './decorators.js';
import { UsersService } from './users.service.js';

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i;

/**
 * Installed as APP_GUARD: every route needs a valid bearer token unless `@Public()`, and one of the
 * roles the domain's tables allow for the command, query or operation the route names (`@Sends`,
 * `@Reads`, `@Operates`); a route that names none is refused. The token's claims are trusted, but a
 * token is refused once its user was deleted or disabled, or their token version (`tv`) went up: a
 * password change, a disable, a change of role or unit. The status is cached for 30 s, and every
 * change made in this process drops the cached entry at once. A user who must change their password
 * may only call the routes marked `@AllowPendingPasswordChange()` (403 `PASSWORD_CHANGE_REQUIRED`).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets)) return true;
    if (context.getType() !== 'http') return false;

    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const unauthenticated = (detail: string) => new ApplicationError('UNAUTHENTICATED', detail);

    const header = request.headers.authorization;
    if (!header) throw unauthenticated('Sign in first: send Authorization: Bearer <token>');
    const match = BEARER.exec(header);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
    const verified = await this.auth.verifyToken(match[1]);
    if (!verified) throw unauthenticated('The token is invalid or has expired; sign in again');
    const { user } = verified;

    const status = await this.users.status(user.id);
    if (!status || status.disabled) throw unauthenticated('This account no longer exists or has been disabled');
    if (
      status.tokenVersion !== verified.tokenVersion ||
      status.role !== user.role ||
      (status.departmentId ?? undefined) !== user.departmentId
    ) {
      throw unauthenticated('The account was changed since this token was issued; sign in again');
    }
    request.user = user;
    const pendingAllowed = this.reflector.getAllAndOverride<boolean | undefined>(
      ALLOW_PENDING_PASSWORD_CHANGE_KEY,
      targets,
    );
    if (status.mustChangePassword && !pendingAllowed) {
      throw new ApplicationError('PASSWORD_CHANGE_REQUIRED', 'Choose a new password first: POST /api/auth/password');
    }

    const permission = this.reflector.get<Permission | undefined>(PERMISSION_KEY, context.getHandler());
    if (!permission) throw new ApplicationError('FORBIDDEN_ROLE', 'This route declares no permission');
    const roles = rolesOf(permission);
    if (!roles.includes(user.role)) {
      const detail = `This requires the role ${roles.join(' or ')}; you are ${user.role}`;
      throw new ApplicationError('FORBIDDEN_ROLE', detail, undefined, { requiredRoles: roles });
    }
    return true;
  }
}
