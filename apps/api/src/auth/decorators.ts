import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from '@app/domain';
import type { AuthUser } from './auth-user.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on every route that is not `@Public()`. */
    user?: AuthUser;
  }
}

export const IS_PUBLIC_KEY = 'xuncha:auth:public';
export const ROLES_KEY = 'xuncha:auth:roles';
export const ALLOW_PENDING_PASSWORD_CHANGE_KEY = 'xuncha:auth:allow-pending-password-change';

/** The route (or every route of the controller) answers without a token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** A user who must choose a new password may still call this route (only the password change itself). */
export const AllowPendingPasswordChange = (): MethodDecorator & ClassDecorator => SetMetadata(ALLOW_PENDING_PASSWORD_CHANGE_KEY, true);

/**
 * Only these roles may call the route; on a handler it replaces the controller's list. Others get
 * 403 `FORBIDDEN_ROLE`. Without `@Roles`, any signed-in user may call it.
 */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** The signed-in user (`undefined` only on a `@Public()` route). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser | undefined => {
  return context.switchToHttp().getRequest<FastifyRequest>().user;
});
