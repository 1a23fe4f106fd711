import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ROLES, departmentStream, type Role } from '@app/domain';
import type { EventStore } from '@app/event-store';
import { EVENT_STORE } from '../infrastructure/tokens.js';
import { ApplicationError, type FieldError } from '../application/errors.js';
import type { AuthUser } from './auth-user.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword, type HashOptions } from './password.js';
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
  /** The password is known to someone else (a demo user): the user must choose their own first. */
  mustChangePassword?: boolean;
}

/** What an admin may change on an account; each change ends the user's sessions. */
export interface UpdateUserInput {
  role?: Role;
  departmentId?: string | null;
  disabled?: boolean;
}

/** Who changed an account (an admin, or the user for their own password). */
export interface UserChangeActor {
  id: string;
  username: string;
}

export interface UserChange {
  action: 'update' | 'reset_password' | 'change_password';
  actor: { id: string | null; username: string };
  changes: Record<string, unknown>;
  recordedAt: string;
}

/** A user as the API shows them: never the password hash. */
export interface UserView {
  id: string;
  username: string;
  role: Role;
  departmentId: string | null;
  displayName: string | null;
  disabled: boolean;
  /** Signs in with credentials an admin (or the demo) set, and must choose their own first. */
  temporaryCredentials: boolean;
  createdAt: string;
}

export interface UserStatus {
  disabled: boolean;
  role: Role;
  departmentId: string | null;
  /** Tokens with another `tv` are refused. */
  tokenVersion: number;
  mustChangePassword: boolean;
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
    temporaryCredentials: user.mustChangePassword,
    createdAt: user.createdAt.toISOString(),
  };
}

export function toAuthUser(user: Pick<UserEntity, 'id' | 'username' | 'role' | 'departmentId'>): AuthUser {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    ...(user.departmentId ? { departmentId: user.departmentId } : {}),
  };
}

/** Users: created by an admin (or at first start, or by the demo loader), read by the guard. */
@Injectable()
export class UsersService {
  private readonly statusCache = new Map<string, { status: UserStatus | null; expires: number }>();
  /** Raised by every forget, so a status read that overlapped a change is not cached. */
  private generation = 0;

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
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :id', { id })
      .getOne();
    return user ? { user, passwordHash: user.passwordHash } : null;
  }

  /**
   * Sets a new password and ends every session of the user (their token version goes up). With
   * `mustChangePassword` (an admin's reset) the user must choose their own at the next sign-in.
   */
  async setPassword(
    id: string,
    password: string,
    options: { mustChangePassword?: boolean; by?: UserChangeActor } = {},
  ): Promise<void> {
    const passwordHash = await hashPassword(password);
    const mustChangePassword = options.mustChangePassword ?? false;
    await this.users.manager.transaction(async (tx) => {
      await tx.query(
        `UPDATE users SET password_hash = $2, must_change_password = $3, token_version = token_version + 1 WHERE id = $1`,
        [id, passwordHash, mustChangePassword],
      );
      const action = options.by && options.by.id !== id ? 'reset_password' : 'change_password';
      await this.recordChange(tx, id, options.by ?? null, action, { mustChangePassword });
    });
    this.forgetStatus(id);
  }

  /**
   * Replaces a hash made with older cost parameters after a successful sign-in; sessions stay. Only
   * when the stored hash is still the one that was checked (a concurrent change of password wins).
   */
  async rehashPassword(id: string, checkedHash: string, password: string, options: HashOptions = {}): Promise<void> {
    const passwordHash = await hashPassword(password, options);
    await this.users.query(`UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`, [
      id,
      checkedHash,
      passwordHash,
    ]);
  }

  /**
   * An admin changes an account's role, unit or whether it is disabled: 400 with field errors for
   * bad input (nothing changes), 404 for an unknown user. Any actual change ends the user's sessions
   * and is recorded with the admin's name.
   */
  async update(by: UserChangeActor, id: string, input: UpdateUserInput): Promise<UserView> {
    const user = UUID_PATTERN.test(id) ? await this.users.findOneBy({ id }) : null;
    if (!user) throw new ApplicationError('USER_NOT_FOUND', `No user ${id}`);
    const errors: FieldError[] = [];
    const role = input.role ?? user.role;
    const departmentId = input.departmentId === undefined ? (user.departmentId ?? null) : input.departmentId;
    const disabled = input.disabled ?? user.disabled;
    if (!(ROLES as readonly unknown[]).includes(role)) {
      errors.push({ field: 'role', rule: 'isIn', message: `role must be one of ${ROLES.join(', ')}` });
    }
    if (typeof disabled !== 'boolean')
      errors.push({ field: 'disabled', rule: 'isBoolean', message: 'disabled must be true or false' });
    if (departmentId === null) {
      if (role === 'unit_liaison') {
        errors.push({
          field: 'departmentId',
          rule: 'required',
          message: 'a unit_liaison must be bound to the department they speak for',
        });
      }
    } else if (typeof departmentId !== 'string' || !UUID_PATTERN.test(departmentId)) {
      errors.push({ field: 'departmentId', rule: 'isUuid', message: 'departmentId must be a UUID or null' });
    } else if (departmentId !== user.departmentId && !(await this.departmentExists(departmentId))) {
      errors.push({ field: 'departmentId', rule: 'exists', message: `no department ${departmentId} is registered` });
    }
    if (by.id === id && disabled)
      errors.push({ field: 'disabled', rule: 'notSelf', message: 'an admin cannot disable their own account' });
    if (by.id === id && role !== 'admin') {
      errors.push({
        field: 'role',
        rule: 'notSelf',
        message: 'an admin cannot take the admin role from their own account',
      });
    }
    if (errors.length > 0) {
      throw new ApplicationError(
        'VALIDATION_FAILED',
        `Invalid input: ${[...new Set(errors.map((e) => e.field))].join(', ')}`,
        errors,
      );
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (role !== user.role) changes.role = { from: user.role, to: role };
    if (departmentId !== (user.departmentId ?? null))
      changes.departmentId = { from: user.departmentId ?? null, to: departmentId };
    if (disabled !== user.disabled) changes.disabled = { from: user.disabled, to: disabled };
    if (Object.keys(changes).length > 0) {
      await this.users.manager.transaction(async (tx) => {
        await tx.query(
          `UPDATE users SET role = $2, department_id = $3, disabled = $4, token_version = token_version + 1 WHERE id = $1`,
          [id, role, departmentId, disabled],
        );
        await this.recordChange(tx, id, by, 'update', changes);
      });
      this.forgetStatus(id);
    }
    return toUserView(await this.users.findOneByOrFail({ id }));
  }

  /** What was changed on an account, newest first. */
  async changes(id: string): Promise<UserChange[]> {
    if (!UUID_PATTERN.test(id) || !(await this.users.existsBy({ id })))
      throw new ApplicationError('USER_NOT_FOUND', `No user ${id}`);
    const rows: {
      action: UserChange['action'];
      actor_id: string | null;
      actor_username: string;
      changes: Record<string, unknown>;
      recorded_at: Date;
    }[] = await this.users.query(
      `SELECT action, actor_id, actor_username, changes, recorded_at FROM user_changes WHERE user_id = $1 ORDER BY id DESC LIMIT 200`,
      [id],
    );
    return rows.map((r) => ({
      action: r.action,
      actor: { id: r.actor_id, username: r.actor_username },
      changes: r.changes,
      recordedAt: new Date(r.recorded_at).toISOString(),
    }));
  }

  private async recordChange(
    tx: { query(sql: string, params: unknown[]): Promise<unknown> },
    userId: string,
    by: UserChangeActor | null,
    action: UserChange['action'],
    changes: Record<string, unknown>,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO user_changes (user_id, actor_id, actor_username, action, changes) VALUES ($1, $2, $3, $4, $5)`,
      [userId, by?.id ?? null, by?.username ?? 'system', action, JSON.stringify(changes)],
    );
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
      errors.push({
        field: 'username',
        rule: 'format',
        message: 'username must be 3 to 50 characters of A-Z, a-z, 0-9, ".", "_" and "-"',
      });
    }
    if (
      typeof input.password !== 'string' ||
      input.password.length < MIN_PASSWORD_LENGTH ||
      input.password.length > MAX_PASSWORD_LENGTH
    ) {
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
        errors.push({
          field: 'departmentId',
          rule: 'required',
          message: 'a unit_liaison must be bound to the department they speak for',
        });
      }
    } else if (typeof departmentId !== 'string' || !UUID_PATTERN.test(departmentId)) {
      errors.push({ field: 'departmentId', rule: 'isUuid', message: 'departmentId must be a UUID' });
    } else if (!(await this.departmentExists(departmentId))) {
      errors.push({ field: 'departmentId', rule: 'exists', message: `no department ${departmentId} is registered` });
    }
    if (input.displayName != null && (typeof input.displayName !== 'string' || input.displayName.length > 100)) {
      errors.push({
        field: 'displayName',
        rule: 'maxLength',
        message: 'displayName must be a string of at most 100 characters',
      });
    }
    if (errors.length > 0) {
      throw new ApplicationError(
        'VALIDATION_FAILED',
        `Invalid input: ${[...new Set(errors.map((e) => e.field))].join(', ')}`,
        errors,
      );
    }

    const id = randomUUID();
    // ON CONFLICT rather than catching the unique violation: a failed statement would be logged
    // with its parameters, the password hash among them.
    const inserted: unknown[] = await this.users.query(
      `INSERT INTO users (id, username, password_hash, role, department_id, display_name, must_change_password)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        id,
        input.username,
        await hashPassword(input.password),
        input.role,
        departmentId,
        input.displayName?.trim() || null,
        input.mustChangePassword === true,
      ],
    );
    if (inserted.length === 0) {
      throw new ApplicationError('USERNAME_TAKEN', `The username ${input.username} is already taken`, [
        { field: 'username', rule: 'unique', message: 'username is already taken (usernames ignore case)' },
      ]);
    }
    const created = await this.users.findOneByOrFail({ id });
    this.forgetStatus(created.id);
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
   * checks a token against. Cached for {@link USER_STATUS_TTL_MS}; every change made through this
   * service drops the entry at once, so in this process a change takes effect on the next request
   * (another process sharing the database sees it within the TTL).
   */
  async status(id: string): Promise<UserStatus | null> {
    const now = Date.now();
    const cached = this.statusCache.get(id);
    if (cached && cached.expires > now) return cached.status;
    const generation = this.generation;
    const user = UUID_PATTERN.test(id) ? await this.users.findOneBy({ id }) : null;
    const status: UserStatus | null = user
      ? {
          disabled: user.disabled,
          role: user.role,
          departmentId: user.departmentId ?? null,
          tokenVersion: user.tokenVersion,
          mustChangePassword: user.mustChangePassword,
        }
      : null;
    // A change made while this read was under way must not be hidden by caching what it read.
    if (generation !== this.generation) return status;
    if (this.statusCache.size >= STATUS_CACHE_LIMIT) this.statusCache.clear();
    this.statusCache.set(id, { status, expires: now + USER_STATUS_TTL_MS });
    return status;
  }

  /** Drops the cached status, e.g. after disabling a user or changing their role. */
  forgetStatus(id: string): void {
    this.generation++;
    this.statusCache.delete(id);
  }

  private async departmentExists(departmentId: string): Promise<boolean> {
    const events = await this.store.readStream(departmentStream(departmentId), { toRevision: 1 });
    return events.length > 0;
  }
}
