import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  mayDo,
  mayOperate,
  mayRead,
  type CommandType,
  type OperationName,
  type QueryName,
  type Role,
} from '@app/domain';
import type { AuthUser } from './auth-user.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on every route that is not `@Public()`. */
    user?: AuthUser;
  }
}

export const IS_PUBLIC_KEY = 'xuncha:auth:public';
export const PERMISSION_KEY = 'xuncha:auth:permission';

/** What a route does, by its name in the domain's permission tables (`mayDo`, `mayRead`, `mayOperate`). */
export type Permission =
  | { kind: 'command'; name: CommandType }
  | { kind: 'query'; name: QueryName }
  | { kind: 'operation'; name: OperationName };
export const ALLOW_PENDING_PASSWORD_CHANGE_KEY = 'xuncha:auth:allow-pending-password-change';

/** The route (or every route of the controller) answers without a token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** The route sends this domain command: the roles of `mayDo[command]` may call it. */
export const Sends = (name: CommandType): MethodDecorator => SetMetadata(PERMISSION_KEY, { kind: 'command', name });

/** The route answers this query: the roles of `mayRead[query]` may call it. */
export const Reads = (name: QueryName): MethodDecorator => SetMetadata(PERMISSION_KEY, { kind: 'query', name });

/** The route runs this operation: the roles of `mayOperate[operation]` may call it. */
export const Operates = (name: OperationName): MethodDecorator =>
  SetMetadata(PERMISSION_KEY, { kind: 'operation', name });

/** The roles the domain allows for a route's permission; others get 403 `FORBIDDEN_ROLE`. */
export function rolesOf(permission: Permission): readonly Role[] {
  switch (permission.kind) {
    case 'command':
      return mayDo[permission.name];
    case 'query':
      return mayRead[permission.name];
    case 'operation':
      return mayOperate[permission.name];
  }
}

/** A user who must choose a new password may still call this route (only the password change itself). */
export const AllowPendingPasswordChange = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ALLOW_PENDING_PASSWORD_CHANGE_KEY, true);

/** The signed-in user (`undefined` only on a `@Public()` route). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser | undefined => {
  return context.switchToHttp().getRequest<FastifyRequest>().user;
});
