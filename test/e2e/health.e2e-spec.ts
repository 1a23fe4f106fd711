import { startTestApp, type TestApp } from '../support/test-app.js';

describe('health and errors over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports the database, the mode and the store head without signing in', async () => {
    const res = await t.http.get('/api/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', mode: 'external', database: { status: 'up' }, store: { headPosition: 0 } });
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
      expect.arrayContaining(['/api/rounds', '/api/findings/{id}/verify', '/api/leads/{id}/dispose', '/api/auth/login', '/api/health']),
    );
  });
});
