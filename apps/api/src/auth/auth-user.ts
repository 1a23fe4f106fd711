import type { Role } from '@app/domain';

/** The signed-in user as the API knows them: from the JWT, checked on every request. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  departmentId?: string;
}
