import type { TestApp } from './test-app.js';
import { ADMIN_PASSWORD } from './test-app.js';

export type Role = 'official' | 'inspector' | 'unit_liaison' | 'auditor' | 'admin';

export interface Actor {
  token: string;
  id: string;
  username: string;
  role: Role;
  post(path: string, body?: unknown, headers?: Record<string, string>): import('supertest').Test;
  get(path: string, headers?: Record<string, string>): import('supertest').Test;
}

export function actor(t: TestApp, token: string, user: { id: string; username: string; role: Role }): Actor {
  return {
    token,
    ...user,
    post: (path, body = {}, headers = {}) =>
      t.http
        .post(path)
        .set('Authorization', `Bearer ${token}`)
        .set(headers)
        .send(body as object),
    get: (path, headers = {}) => t.http.get(path).set('Authorization', `Bearer ${token}`).set(headers),
  };
}

export async function login(t: TestApp, username: string, password: string): Promise<Actor> {
  const res = await t.http.post('/api/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return actor(t, res.body.accessToken, res.body.user);
}

export const loginAdmin = (t: TestApp) => login(t, 'admin', ADMIN_PASSWORD);

/** Creates a user through the API (as admin) and signs them in. */
export async function createUser(
  t: TestApp,
  admin: Actor,
  username: string,
  role: Role,
  departmentId?: string,
): Promise<Actor> {
  const password = `${username}-password`;
  const res = await admin.post('/api/users', { username, password, role, ...(departmentId ? { departmentId } : {}) });
  if (res.status !== 201) throw new Error(`create user ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return login(t, username, password);
}
