import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ROLES, departmentStream, type Role } from '@app/domain';
import type { EventStore } from '@app/event-store';
import { EVENT_STORE } from '../infrastructure/tokens.js';
import { ApplicationError, type FieldError } from '../application/errors.js';
import type { AuthUser } from './auth-user.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword } from './password.js';
import { UserEntity } from './user.entity.js';

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,50}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long the guard may trust a cached "this user is still active with this role". */
export const USER_STATUS_TTL_MS = 30_000;
const STATUS_CACHE_LIMIT = 10_000;

export interface CreateUserInput {
  username: string;
  password: string;
  role: Role;
  departmentId?: string | null;
  displayName?: string | null;
}

/** A user as the API shows them: never the password hash. */
export interface UserView {
  id: string;
  username: string;
  role: Role;
  departmentId: string | null;
  displayName: string | null;
  disabled: boolean;
  createdAt: string;
}

export interface UserStatus {
  disabled: boolean;
  role: Role;
  departmentId: string | null;
}

export interface UserPage {
  items: UserView[];
  total: number;
  page: number;
  pageSize: number;
}

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    departmentId: user.departmentId ?? null,
    displayName: user.displayName ?? null,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
  };
}

export function toAuthUser(user: Pick<UserEntity, 'id' | 'username' | 'role' | 'departmentId'>): AuthUser {
  return { id: user.id, username: user.username, role: user.role, ...(user.departmentId ? { departmentId: user.departmentId } : {}) };
}

/** Users: created by an admin (or at first start, or by the demo loader), read by the guard. */
@Injectable()
export class UsersService {
  private readonly statusCache = new Map<string, { status: UserStatus | null; expires: number }>();

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async findById(id: string): Promise<UserView | null> {
    if (!UUID_PATTERN.test(id)) return null;
    const user = await this.users.findOneBy({ id });
    return user ? toUserView(user) : null;
  }

  /** Case-insensitive, as usernames are unique regardless of case. */
  async findByUsername(username: string): Promise<UserView | null> {
    const found = await this.findForSignIn(username);
    return found ? toUserView(found.user) : null;
  }

  /** The user and their password hash; for the sign-in only. */
  async findForSignIn(username: string): Promise<{ user: UserEntity; passwordHash: string } | null> {
    if (typeof username !== 'string' || username.length > 100) return null;
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.username) = lower(:username)', { username })
      .getOne();
    return user ? { user, passwordHash: user.passwordHash } : null;
  }

  /** The user and their password hash, by id; for a password change only. */
  async findCredentialsById(id: string): Promise<{ user: UserEntity; passwordHash: string } | null> {
    if (!UUID_PATTERN.test(id)) return null;
    const user = await this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id }).getOne();
    return user ? { user, passwordHash: user.passwordHash } : null;
  }

  async setPassword(id: string, password: string): Promise<void> {
    await this.users.update({ id }, { passwordHash: await hashPassword(password) });
  }

  async adminExists(): Promise<boolean> {
    return this.users.existsBy({ role: 'admin' });
  }

  /**
   * Creates a user after checking every rule (so other modules may call it with unchecked input):
   * 400 `VALIDATION_FAILED` with field errors, 409 `USERNAME_TAKEN`.
   */
  async create(input: CreateUserInput): Promise<UserView> {
    const departmentId = input.departmentId ?? null;
    const errors: FieldError[] = [];
    if (typeof input.username !== 'string' || !USERNAME_PATTERN.test(input.username)) {
      errors.push({ field: 'username', rule: 'format', message: 'username must be 3 to 50 characters of A-Z, a-z, 0-9, ".", "_" and "-"' });
    }
    if (typeof input.password !== 'string' || input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) {
      errors.push({
        field: 'password',
        rule: 'length',
        message: `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`,
      });
    }
    if (!(ROLES as readonly unknown[]).includes(input.role)) {
      errors.push({ field: 'role', rule: 'isIn', message: `role must be one of ${ROLES.join(', ')}` });
    }
    if (departmentId === null) {
      if (input.role === 'unit_liaison') {
        errors.push({ field: 'departmentId', rule: 'required', message: 'a unit_liaison must be bound to the department they speak for' });
      }
    } else if (typeof departmentId !== 'string' || !UUID_PATTERN.test(departmentId)) {
      errors.push({ field: 'departmentId', rule: 'isUuid', message: 'departmentId must be a UUID' });
    } else if (!(await this.departmentExists(departmentId))) {
      errors.push({ field: 'departmentId', rule: 'exists', message: `no department ${departmentId} is registered` });
    }
    if (input.displayName != null && (typeof input.displayName !== 'string' || input.displayName.length > 100)) {
      errors.push({ field: 'displayName', rule: 'maxLength', message: 'displayName must be a string of at most 100 characters' });
    }
    if (errors.length > 0) {
      throw new ApplicationError('VALIDATION_FAILED', `Invalid input: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors);
    }

    const id = randomUUID();
    // ON CONFLICT rather than catching the unique violation: a failed statement would be logged
    // with its parameters, the password hash among them.
    const inserted: unknown[] = await this.users.query(
      `INSERT INTO users (id, username, password_hash, role, department_id, display_name)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [id, input.username, await hashPassword(input.password), input.role, departmentId, input.displayName?.trim() || null],
    );
    if (inserted.length === 0) {
      throw new ApplicationError('USERNAME_TAKEN', `The username ${input.username} is already taken`, [
        { field: 'username', rule: 'unique', message: 'username is already taken (usernames ignore case)' },
      ]);
    }
    const created = await this.users.findOneByOrFail({ id });
    this.statusCache.delete(created.id);
    return toUserView(created);
  }

  async list(page = 1, pageSize = 50): Promise<UserPage> {
    const [rows, total] = await this.users.findAndCount({
      order: { username: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items: rows.map(toUserView), total, page, pageSize };
  }

  /**
   * Whether the user still exists, is enabled, and has which role and department — what the guard
   * checks a token against. Cached for {@link USER_STATUS_TTL_MS}, so a disabled user is locked out
   * within that time without a query on every request.
   */
  async status(id: string): Promise<UserStatus | null> {
    const now = Date.now();
    const cached = this.statusCache.get(id);
    if (cached && cached.expires > now) return cached.status;
    const user = UUID_PATTERN.test(id) ? await this.users.findOneBy({ id }) : null;
    const status = user ? { disabled: user.disabled, role: user.role, departmentId: user.departmentId ?? null } : null;
    if (this.statusCache.size >= STATUS_CACHE_LIMIT) this.statusCache.clear();
    this.statusCache.set(id, { status, expires: now + USER_STATUS_TTL_MS });
    return status;
  }

  /** Drops the cached status, e.g. after disabling a user or changing their role. */
  forgetStatus(id: string): void {
    this.statusCache.delete(id);
  }

  private async departmentExists(departmentId: string): Promise<boolean> {
    const events = await this.store.readStream(departmentStream(departmentId), { toRevision: 1 });
    return events.length > 0;
  }
}
