import { loginAdmin } from '../support/actors.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('health and errors over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports the database, the mode and the store head to an admin, only "up" without signing in', async () => {
    const admin = await loginAdmin(t);
    const res = await admin.get('/api/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      mode: 'external',
      database: { status: 'up' },
      store: { headPosition: 0 },
    });
    expect((await t.http.get('/api/health').expect(200)).body).toEqual({ status: 'up' });
  });

  it('answers unknown paths with problem+json and a request id', async () => {
    const res = await t.http.get('/api/no-such-thing').set('X-Request-Id', 'req-123').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not Found' });
  });
});

describe('OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('documents the command and query paths at /api/docs', async () => {
    const ui = await t.http.get('/api/docs').redirects(1);
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
    const doc = (await t.http.get('/api/docs/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/rounds',
        '/api/findings/{id}/verify',
        '/api/leads/{id}/dispose',
        '/api/auth/login',
        '/api/health',
      ]),
    );
  });
});

describe('the dashboard files', () => {
  let t: TestApp;
  const dir = `${process.env.TMPDIR ?? '/tmp'}/xuncha-web-${process.pid}`;
  beforeAll(async () => {
    const fs = await import('node:fs/promises');
    await fs.mkdir(`${dir}/assets`, { recursive: true });
    await fs.writeFile(`${dir}/index.html`, '<!doctype html><title>巡察看板</title><div id="app"></div>');
    await fs.writeFile(`${dir}/assets/app.js`, 'console.log(1)');
    process.env.WEB_DIST = dir;
    t = await startTestApp();
  });
  afterAll(async () => {
    delete process.env.WEB_DIST;
    await t?.close();
    await (await import('node:fs/promises')).rm(dir, { recursive: true, force: true });
  });

  it('serves the web app at /, its assets, and index.html for client-side routes, but problems under /api', async () => {
    expect((await t.http.get('/').expect(200)).text).toContain('巡察看板');
    expect((await t.http.get('/assets/app.js').expect(200)).text).toContain('console.log');
    const route = await t.http.get('/findings/1234').expect(200);
    expect(route.headers['content-type']).toMatch(/text\/html/);
    expect(route.text).toContain('巡察看板');
    expect((await t.http.get('/api/nope').expect(404)).headers['content-type']).toMatch(/problem\+json/);
  });
});
