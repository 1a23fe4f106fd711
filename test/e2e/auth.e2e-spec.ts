import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import pg from 'pg';
import request from 'supertest';
import { loadConfig } from '@app/database';
import { closeApp, createApp, eventStoreOf } from '../../apps/api/src/app.factory.js';
import { AdminBootstrapService } from '../../apps/api/src/auth/admin-bootstrap.service.js';
import { UsersService } from '../../apps/api/src/auth/users.service.js';
import { ADMIN_PASSWORD, JWT_SECRET, startTestApp, type TestApp } from '../support/test-app.js';
import { emptyDatabase } from '../support/empty-database.js';

const PROBLEM = /application\/problem\+json/;

async function registerDepartment(t: TestApp, name = '区民政局'): Promise<string> {
  const id = randomUUID();
  await eventStoreOf(t.app).appendToStream(`department-${id}`, [
    {
      type: 'DepartmentRegistered',
      data: { departmentId: id, name, kind: 'bureau', occurredAt: new Date().toISOString() },
      metadata: { actor: { id: 'test', username: 'test', role: 'admin' } },
    },
  ]);
  return id;
}

async function login(t: TestApp, username: string, password: string): Promise<string> {
  const res = await t.http.post('/api/auth/login').send({ username, password }).expect(200);
  return res.body.accessToken as string;
}

describe('sign-in, users and the role guard', () => {
  let t: TestApp;
  let adminToken: string;
  let departmentId: string;

  beforeAll(async () => {
    t = await startTestApp();
    departmentId = await registerDepartment(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the health check public', async () => {
    await t.http.get('/api/health').expect(200);
  });

  it('lets the bootstrap admin sign in with ADMIN_PASSWORD', async () => {
    const res = await t.http.post('/api/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD }).expect(200);
    expect(res.body).toMatchObject({
      accessToken: expect.any(String),
      user: { id: expect.any(String), username: 'admin', role: 'admin' },
    });
    expect(res.body.user.departmentId).toBeUndefined();
    adminToken = res.body.accessToken;
    const claims = new JwtService({ secret: JWT_SECRET }).verify(adminToken, { algorithms: ['HS256'] });
    expect(claims).toMatchObject({ sub: res.body.user.id, username: 'admin', role: 'admin' });
    expect(claims.exp - claims.iat).toBe(12 * 60 * 60);
    const header = JSON.parse(Buffer.from(adminToken.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('HS256');
  });

  it('answers the current user on GET /api/auth/me', async () => {
    const res = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${adminToken}`).expect(200);
    expect(res.body).toMatchObject({ username: 'admin', role: 'admin' });
    expect(res.body.passwordHash).toBeUndefined();
  });

  it('answers a wrong password and an unknown user alike: 401 INVALID_CREDENTIALS', async () => {
    const wrong = await t.http
      .post('/api/auth/login')
      .send({ username: 'admin', password: 'not-the-password' })
      .expect(401);
    const unknown = await t.http
      .post('/api/auth/login')
      .send({ username: 'nobody', password: 'not-the-password' })
      .expect(401);
    for (const res of [wrong, unknown]) {
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    }
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(JSON.stringify(wrong.body)).not.toContain('not-the-password');
  });

  it('refuses calls without a valid token: 401 UNAUTHENTICATED', async () => {
    const forged = new JwtService({ secret: 'another-secret-another-secret-another' }).sign({
      sub: randomUUID(),
      username: 'admin',
      role: 'admin',
    });
    const expired = new JwtService({ secret: JWT_SECRET }).sign({
      sub: randomUUID(),
      username: 'admin',
      role: 'admin',
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: randomUUID(), username: 'admin', role: 'admin' }),
    ).toString('base64url')}.`;
    const attempts = [
      t.http.get('/api/users'),
      t.http.get('/api/users').set('Authorization', 'Bearer'),
      t.http
        .get('/api/users')
        .set('Authorization', `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`),
      t.http.get('/api/users').set('Authorization', 'Bearer not-a-jwt'),
      t.http.get('/api/users').set('Authorization', `Bearer ${forged}`),
      t.http.get('/api/users').set('Authorization', `Bearer ${expired}`),
      t.http.get('/api/users').set('Authorization', `Bearer ${unsigned}`),
      t.http.get('/api/auth/me'),
    ];
    for (const attempt of attempts) {
      const res = await attempt.expect(401);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    }
  });

  let inspectorId: string;

  it('lets the admin create an inspector and a unit liaison of a registered department', async () => {
    const inspector = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ username: 'li.ming', password: 'inspector-pass', role: 'inspector' })
      .expect(201);
    expect(inspector.body).toMatchObject({
      id: expect.any(String),
      username: 'li.ming',
      role: 'inspector',
      departmentId: null,
    });
    expect(JSON.stringify(inspector.body)).not.toMatch(/scrypt|inspector-pass/);
    inspectorId = inspector.body.id;

    const liaison = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ username: 'wang_fang-2', password: 'liaison-pass', role: 'unit_liaison', departmentId })
      .expect(201);
    expect(liaison.body).toMatchObject({ username: 'wang_fang-2', role: 'unit_liaison', departmentId });

    const signedIn = await t.http
      .post('/api/auth/login')
      .send({ username: 'wang_fang-2', password: 'liaison-pass' })
      .expect(200);
    expect(signedIn.body.user).toEqual({
      id: liaison.body.id,
      username: 'wang_fang-2',
      role: 'unit_liaison',
      departmentId,
    });
  });

  it('lists users for the admin, without password hashes', async () => {
    const res = await t.http.get('/api/users').set('Authorization', `Bearer ${adminToken}`).expect(200);
    expect(res.body.total).toBe(3);
    expect(res.body.items.map((u: { username: string }) => u.username).sort()).toEqual([
      'admin',
      'li.ming',
      'wang_fang-2',
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|password/i);
    const paged = await t.http
      .get('/api/users?page=2&pageSize=2')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    expect(paged.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(paged.body.items).toHaveLength(1);
    await t.http.get('/api/users?pageSize=201').set('Authorization', `Bearer ${adminToken}`).expect(400);
  });

  it('refuses other roles on admin routes: 403 FORBIDDEN_ROLE naming the role required', async () => {
    const token = await login(t, 'li.ming', 'inspector-pass');
    for (const attempt of [
      t.http.get('/api/users').set('Authorization', `Bearer ${token}`),
      t.http
        .post('/api/users')
        .set('Authorization', `Bearer ${token}`)
        .send({ username: 'x.y.z', password: 'whatever-1', role: 'admin' }),
    ]) {
      const res = await attempt.expect(403);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 403, code: 'FORBIDDEN_ROLE', requiredRoles: ['admin'] });
      expect(res.body.detail).toContain('admin');
    }
    const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({ id: inspectorId, username: 'li.ming', role: 'inspector' });
  });

  it.each([
    ['a too short username', { username: 'ab', password: 'long-enough', role: 'inspector' }, 'username'],
    ['a username with spaces', { username: 'li ming', password: 'long-enough', role: 'inspector' }, 'username'],
    ['a Chinese username', { username: '李明明', password: 'long-enough', role: 'inspector' }, 'username'],
    ['a short password', { username: 'short.pw', password: '1234567', role: 'inspector' }, 'password'],
    ['an unknown role', { username: 'bad.role', password: 'long-enough', role: 'superuser' }, 'role'],
    [
      'a department id that is no uuid',
      { username: 'bad.dept', password: 'long-enough', role: 'official', departmentId: 'd-1' },
      'departmentId',
    ],
    [
      'an unknown field',
      { username: 'extra.field', password: 'long-enough', role: 'inspector', isAdmin: true },
      'isAdmin',
    ],
  ])('refuses %s with 400 and a field error', async (_case, body, field) => {
    const res = await t.http.post('/api/users').set('Authorization', `Bearer ${adminToken}`).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses an unknown field with the rule unknown_field', async () => {
    const res = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ username: 'extra.field', password: 'long-enough', role: 'inspector', isAdmin: true })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'isAdmin', rule: 'unknown_field' })]);
  });

  it('requires a department for a unit liaison, and one that exists', async () => {
    const missing = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ username: 'liaison.nodept', password: 'long-enough', role: 'unit_liaison' })
      .expect(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'departmentId', rule: 'required' })]);

    const unknown = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ username: 'liaison.ghost', password: 'long-enough', role: 'unit_liaison', departmentId: randomUUID() })
      .expect(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'departmentId', rule: 'exists' })]);

    const official = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ username: 'official.ghost', password: 'long-enough', role: 'official', departmentId: randomUUID() })
      .expect(400);
    expect(official.body.errors).toEqual([expect.objectContaining({ field: 'departmentId', rule: 'exists' })]);
  });

  it('refuses a taken username, whatever its case: 409 USERNAME_TAKEN', async () => {
    for (const username of ['li.ming', 'LI.Ming', 'Admin']) {
      const res = await t.http
        .post('/api/users')
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ username, password: 'long-enough', role: 'auditor' })
        .expect(409);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 409, code: 'USERNAME_TAKEN' });
    }
  });

  it('signs in regardless of the username case', async () => {
    await login(t, 'LI.MING', 'inspector-pass');
  });

  it('refuses the token of a user who has been disabled or given another role', async () => {
    const token = await login(t, 'li.ming', 'inspector-pass');
    const users = t.app.get(UsersService);
    const db = new pg.Client({ connectionString: t.url });
    await db.connect();
    try {
      await db.query(`UPDATE users SET role = 'auditor' WHERE id = $1`, [inspectorId]);
      users.forgetStatus(inspectorId); // instead of waiting out the 30 s cache
      const changed = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
      expect(changed.body.code).toBe('UNAUTHENTICATED');
      await db.query(`UPDATE users SET role = 'inspector', disabled = true WHERE id = $1`, [inspectorId]);
      users.forgetStatus(inspectorId);
      await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
      const res = await t.http
        .post('/api/auth/login')
        .send({ username: 'li.ming', password: 'inspector-pass' })
        .expect(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    } finally {
      await db.query(`UPDATE users SET disabled = false WHERE id = $1`, [inspectorId]);
      users.forgetStatus(inspectorId);
      await db.end();
    }
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('lets a user change their own password', async () => {
    const token = await login(t, 'wang_fang-2', 'liaison-pass');
    const wrong = await t.http
      .post('/api/auth/password')
      .set('Authorization', `Bearer ${token}`)
      .send({ currentPassword: 'not-it-at-all', newPassword: 'new-liaison-pass' })
      .expect(400);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'currentPassword' })]);
    await t.http
      .post('/api/auth/password')
      .set('Authorization', `Bearer ${token}`)
      .send({ currentPassword: 'liaison-pass', newPassword: 'new-liaison-pass' })
      .expect(204);
    await t.http.post('/api/auth/login').send({ username: 'wang_fang-2', password: 'liaison-pass' }).expect(401);
    await login(t, 'wang_fang-2', 'new-liaison-pass');
  });

  it('creates no second admin when bootstrapped again (e.g. a second instance)', async () => {
    await t.app.get(AdminBootstrapService).onApplicationBootstrap();
    await Promise.all([1, 2, 3].map(() => t.app.get(AdminBootstrapService).onApplicationBootstrap()));
    const res = await t.http.get('/api/users').set('Authorization', `Bearer ${adminToken}`).expect(200);
    expect(res.body.items.filter((u: { role: string }) => u.role === 'admin')).toHaveLength(1);
  });
});

/** A database of our own, for starts that startTestApp cannot express (or that fail, leaving nothing to close). */

describe('the signing key and the first admin at start-up', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-auth-e2e-'));
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start on an external database without JWT_SECRET', async () => {
    const db = await emptyDatabase();
    try {
      const config = loadConfig({
        DATABASE_URL: db.url,
        JWT_SECRET: '',
        ADMIN_PASSWORD,
        LOG_LEVEL: 'error',
        DATA_DIR: dataDir,
        DEMO: 'off',
      });
      expect(config.jwtSecret).toBeUndefined();
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        await expect(createApp(config, { mode: 'external', url: db.url, stop: async () => undefined })).rejects.toThrow(
          'JWT_SECRET is required when DATABASE_URL points to an external database',
        );
      } finally {
        error.mockRestore();
      }
      await expect(fs.readdir(dataDir)).resolves.not.toContain('jwt-secret');
    } finally {
      await db.drop();
    }
  });

  it('with the embedded database: generates the key into DATA_DIR, keeps it across restarts, and prints a generated admin password once', async () => {
    const warnings: string[] = [];
    // At LOG_LEVEL=error the box goes out as an error, so that it is seen at all.
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((message: unknown) => void warnings.push(String(message)));
    const error = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => void warnings.push(String(message)));
    const db = await emptyDatabase();
    try {
      // The system PostgreSQL stands in for the embedded one: only the mode matters here.
      const database = { mode: 'embedded' as const, url: db.url, stop: async () => undefined };
      const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', DEMO: 'off' });
      expect(config.jwtSecret).toBeUndefined();
      expect(config.adminPassword).toBeUndefined();
      const first = await createApp(config, database);
      let token: string;
      let password: string;
      try {
        const box = warnings.find((w) => w.includes('generated password'));
        expect(box).toBeDefined();
        password = /^│\s+(\S+)\s+│$/m.exec(box!)![1];
        expect(password.length).toBeGreaterThanOrEqual(16);
        const res = await request(first.getHttpServer())
          .post('/api/auth/login')
          .send({ username: 'admin', password })
          .expect(200);
        token = res.body.accessToken;
      } finally {
        await closeApp(first);
      }
      const stat = await fs.stat(path.join(dataDir, 'jwt-secret'));
      expect(stat.mode & 0o777).toBe(0o600);

      warnings.length = 0;
      const second = await createApp(config, database);
      try {
        expect(warnings.filter((w) => w.includes('password'))).toEqual([]); // shown once only
        await request(second.getHttpServer()).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
        await request(second.getHttpServer()).post('/api/auth/login').send({ username: 'admin', password }).expect(200);
      } finally {
        await closeApp(second);
      }
    } finally {
      warn.mockRestore();
      error.mockRestore();
      await db.drop();
    }
  });
});
