import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

const PROBLEM = /application\/problem\+json/;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON: an access token on success, a problem's code (and its extra members) on refusal. */
  body: { accessToken?: string; code?: string; [member: string]: unknown };
}

/** A sign-in sent from a given loopback address (127.0.0.0/8 is all local on Linux). */
function signInFrom(port: number, localAddress: string, username: string, password: string): Promise<Answer> {
  const payload = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('sign-in throttling (the default of 10 attempts a minute)', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    // '' = unset: the default limit, not the harness's generous one.
    t = await startTestApp({ LOGIN_ATTEMPTS_PER_MINUTE: '' });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    const admin = await signInFrom(port, '127.0.0.9', 'admin', ADMIN_PASSWORD);
    const created = await fetch(`http://127.0.0.1:${port}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.body.accessToken ?? ''}` },
      body: JSON.stringify({ username: 'zhao.lei', password: 'zhao-lei-password', role: 'inspector' }),
    });
    expect(created.status).toBe(201);
  }, 60_000);
  afterAll(async () => t?.close());

  it('answers 429 RATE_LIMITED with Retry-After once one username had its attempts, from any address', async () => {
    // The admin's sign-in in beforeAll was the first of the ten attempts 'admin' has this minute.
    for (let i = 1; i < 10; i++) {
      const res = await signInFrom(port, '127.0.0.2', 'admin', `wrong-password-${i}`);
      expect(res.status).toBe(401);
    }
    const limited = await signInFrom(port, '127.0.0.2', 'admin', 'wrong-password-x');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(PROBLEM);
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', limitedBy: 'username' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);

    // The limit is the username's: the right password from a fresh address is refused too.
    const elsewhere = await signInFrom(port, '127.0.0.3', 'admin', ADMIN_PASSWORD);
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.body.code).toBe('RATE_LIMITED');
    expect(elsewhere.headers['retry-after']).toMatch(/^\d+$/);
  }, 60_000);

  it('limits one address whatever the usernames, while another address still signs in', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await signInFrom(port, '127.0.0.4', `nobody-${i}`, 'some-password');
      expect(res.status).toBe(401);
    }
    const limited = await signInFrom(port, '127.0.0.4', 'zhao.lei', 'zhao-lei-password');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED', limitedBy: 'address' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    const other = await signInFrom(port, '127.0.0.5', 'zhao.lei', 'zhao-lei-password');
    expect(other.status).toBe(200);
    expect(other.body.accessToken).toEqual(expect.any(String));
  }, 60_000);
});

describe('sessions end when the account changes; admins manage accounts', () => {
  let t: TestApp;
  let admin: string;
  let adminId: string;
  let userId: string;
  let departmentId: string;

  const signIn = async (username: string, password: string) => {
    const res = await t.http.post('/api/auth/login').send({ username, password }).expect(200);
    return res.body as { accessToken: string; mustChangePassword: boolean; user: { id: string } };
  };
  const me = (token: string) => t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`);
  const patch = (token: string, id: string, body: object) =>
    t.http.patch(`/api/users/${id}`).set('Authorization', `Bearer ${token}`).send(body);

  beforeAll(async () => {
    t = await startTestApp();
    const signed = await signIn('admin', ADMIN_PASSWORD);
    admin = signed.accessToken;
    adminId = signed.user.id;
    departmentId = randomUUID();
    await eventStoreOf(t.app).appendToStream(`department-${departmentId}`, [
      {
        type: 'DepartmentRegistered',
        data: { departmentId, name: '区民政局', kind: 'bureau', occurredAt: new Date().toISOString() },
        metadata: { actor: { id: 'test', username: 'test', role: 'admin' } },
      },
    ]);
    const created = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ username: 'qian.yu', password: 'qian-yu-password', role: 'inspector' })
      .expect(201);
    userId = created.body.id;
  }, 60_000);
  afterAll(async () => t?.close());

  it('ends the sessions of a user whose role or unit an admin changes, at once', async () => {
    const before = (await signIn('qian.yu', 'qian-yu-password')).accessToken;
    await me(before).expect(200);
    const changed = await patch(admin, userId, { role: 'unit_liaison', departmentId }).expect(200);
    expect(changed.body).toMatchObject({ id: userId, role: 'unit_liaison', departmentId, disabled: false });
    const refused = await me(before).expect(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');
    const after = (await signIn('qian.yu', 'qian-yu-password')).accessToken;
    await me(after).expect(200);
    await patch(admin, userId, { role: 'inspector', departmentId: null }).expect(200);
    await me(after).expect(401);
  });

  it('locks out a disabled user at once and lets them back in when enabled', async () => {
    const token = (await signIn('qian.yu', 'qian-yu-password')).accessToken;
    await patch(admin, userId, { disabled: true }).expect(200);
    await me(token).expect(401);
    const login = await t.http
      .post('/api/auth/login')
      .send({ username: 'qian.yu', password: 'qian-yu-password' })
      .expect(401);
    expect(login.body.code).toBe('INVALID_CREDENTIALS');
    await patch(admin, userId, { disabled: false }).expect(200);
    await me(token).expect(401); // the old token stays dead
    await me((await signIn('qian.yu', 'qian-yu-password')).accessToken).expect(200);
  });

  it('ends every session of a user who changes their own password', async () => {
    const first = (await signIn('qian.yu', 'qian-yu-password')).accessToken;
    const second = (await signIn('qian.yu', 'qian-yu-password')).accessToken;
    await t.http
      .post('/api/auth/password')
      .set('Authorization', `Bearer ${first}`)
      .send({ currentPassword: 'qian-yu-password', newPassword: 'qian-yu-password-2' })
      .expect(204);
    await me(first).expect(401);
    await me(second).expect(401);
    await me((await signIn('qian.yu', 'qian-yu-password-2')).accessToken).expect(200);
  });

  it('lets an admin reset a password, which the user must replace before anything else', async () => {
    const old = (await signIn('qian.yu', 'qian-yu-password-2')).accessToken;
    await t.http
      .post(`/api/users/${userId}/password`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ newPassword: 'temporary-123' })
      .expect(204);
    await me(old).expect(401);
    const signed = await signIn('qian.yu', 'temporary-123');
    expect(signed.mustChangePassword).toBe(true);
    const blocked = await me(signed.accessToken).expect(403);
    expect(blocked.body.code).toBe('PASSWORD_CHANGE_REQUIRED');
    await t.http.get('/api/departments').set('Authorization', `Bearer ${signed.accessToken}`).expect(403);
    const same = await t.http
      .post('/api/auth/password')
      .set('Authorization', `Bearer ${signed.accessToken}`)
      .send({ currentPassword: 'temporary-123', newPassword: 'temporary-123' })
      .expect(400);
    expect(same.body.errors).toEqual([expect.objectContaining({ field: 'newPassword', rule: 'differs' })]);
    await t.http
      .post('/api/auth/password')
      .set('Authorization', `Bearer ${signed.accessToken}`)
      .send({ currentPassword: 'temporary-123', newPassword: 'my-own-choice-1' })
      .expect(204);
    await me(signed.accessToken).expect(401);
    const fresh = await signIn('qian.yu', 'my-own-choice-1');
    expect(fresh.mustChangePassword).toBe(false);
    await me(fresh.accessToken).expect(200);
  });

  it('records which admin changed what', async () => {
    const res = await t.http.get(`/api/users/${userId}/changes`).set('Authorization', `Bearer ${admin}`).expect(200);
    const actions = res.body.items.map(
      (c: { action: string; actor: { username: string } }) => `${c.action} ${c.actor.username}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['update admin', 'reset_password admin', 'change_password qian.yu']),
    );
    const roleChange = res.body.items.find((c: { changes: Record<string, unknown> }) => 'role' in c.changes);
    expect(roleChange.changes.role).toEqual({ from: 'unit_liaison', to: 'inspector' });
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|temporary-123/);
  });

  it('refuses bad changes with 400 field errors and changes nothing', async () => {
    const token = (await signIn('qian.yu', 'my-own-choice-1')).accessToken;
    const role = await patch(admin, userId, { role: 'boss' }).expect(400);
    expect(role.headers['content-type']).toMatch(PROBLEM);
    expect(role.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);
    const liaison = await patch(admin, userId, { role: 'unit_liaison' }).expect(400);
    expect(liaison.body.errors).toEqual([expect.objectContaining({ field: 'departmentId', rule: 'required' })]);
    const dept = await patch(admin, userId, { departmentId: randomUUID() }).expect(400);
    expect(dept.body.errors).toEqual([expect.objectContaining({ field: 'departmentId', rule: 'exists' })]);
    const flag = await patch(admin, userId, { disabled: 'yes' }).expect(400);
    expect(flag.body.errors).toEqual([expect.objectContaining({ field: 'disabled' })]);
    const self = await patch(admin, adminId, { disabled: true }).expect(400);
    expect(self.body.errors).toEqual([expect.objectContaining({ field: 'disabled', rule: 'notSelf' })]);
    const short = await t.http
      .post(`/api/users/${userId}/password`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ newPassword: 'short' })
      .expect(400);
    expect(short.body.errors).toEqual([expect.objectContaining({ field: 'newPassword' })]);
    await patch(admin, randomUUID(), { disabled: true }).expect(404);
    await me(token).expect(200); // nothing changed, so the session lives on
    const forbidden = await patch(token, userId, { role: 'admin' }).expect(403);
    expect(forbidden.body.code).toBe('FORBIDDEN_ROLE');
  });

  it('rehashes a password stored with older scrypt parameters at the next sign-in', async () => {
    const db = new pg.Client({ connectionString: t.url });
    await db.connect();
    try {
      // scrypt N=2^14 r=8 p=1 of 'legacy-password' made the way the first version did.
      const { scryptSync, randomBytes } = await import('node:crypto');
      const salt = randomBytes(16);
      const key = scryptSync('legacy-password', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
      const legacy = ['scrypt', 2 ** 14, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
      await db.query(`INSERT INTO users (id, username, password_hash, role) VALUES ($1, 'old.timer', $2, 'auditor')`, [
        randomUUID(),
        legacy,
      ]);
      await me((await signIn('old.timer', 'legacy-password')).accessToken).expect(200);
      const { rows } = await db.query<{ password_hash: string }>(
        `SELECT password_hash FROM users WHERE username = 'old.timer'`,
      );
      expect(rows[0].password_hash).not.toBe(legacy);
      expect(rows[0].password_hash).toMatch(/^scrypt\$32768\$8\$3\$/);
      await me((await signIn('old.timer', 'legacy-password')).accessToken).expect(200);
    } finally {
      await db.end();
    }
  });
});
