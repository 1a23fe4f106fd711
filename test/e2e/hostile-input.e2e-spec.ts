import { createUser, loginAdmin, type Actor } from '../support/actors.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const METRICS_TOKEN = 'scrape-secret-0123456789-0123456789-abc';

/** The inputs an attacker tried that answered 500, and what answers without a token. */
describe('hostile input', () => {
  let t: TestApp;
  let admin: Actor;
  let official: Actor;
  let auditor: Actor;
  let inspector: Actor;
  const head = async () => (await auditor.get('/api/audit/events?limit=1').expect(200)).body.headPosition as number;
  const refused = (
    res: { status: number; headers: Record<string, string>; body: { code?: string } },
    field?: string,
  ) => {
    expect([res.status, res.headers['content-type']]).toEqual([
      400,
      expect.stringMatching(/application\/problem\+json/),
    ]);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    if (field) expect((res.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain(field);
  };

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN });
    admin = await loginAdmin(t);
    official = await createUser(t, admin, 'official1', 'official');
    auditor = await createUser(t, admin, 'auditor1', 'auditor');
    inspector = await createUser(t, admin, 'inspector1', 'inspector');
  }, 60_000);
  afterAll(async () => t?.close());

  it('refuses NUL in query strings, the login and a name with a 400 naming the field', async () => {
    refused(await official.get('/api/findings?q=a%00b'), 'q');
    refused(await auditor.get('/api/audit/verify?streamId=finding-%00'), 'streamId');
    refused(await t.http.post('/api/auth/login').send({ username: 'ad\u0000min', password: 'x' }), 'username');
    const before = await head();
    refused(await official.post('/api/departments', { name: '区\u0000教育局', kind: 'bureau' }), 'name');
    expect(await head()).toBe(before);
  });

  it('refuses lone surrogates anywhere in a body, also in keys and nested values', async () => {
    refused(await official.post('/api/departments', { name: 'a\ud800b', kind: 'bureau' }), 'name');
    refused(await official.post('/api/departments', { name: 'ok', kind: 'bureau', ['\udc00']: 1 }), '\udc00');
    const lead = { source: 'petition', summary: 'x', subjects: [{ name: '张\udfff' }] };
    refused(await inspector.post(`/api/rounds/${crypto.randomUUID()}/leads`, lead), 'subjects[0].name');
    const raw = '{"name":"x\\udbff","kind":"bureau"}';
    const sent = t.http.post('/api/departments').set('Authorization', `Bearer ${official.token}`);
    refused(await sent.set('content-type', 'application/json').send(raw), 'name');
  });

  it('bounds numbers before they reach PostgreSQL', async () => {
    refused(await auditor.get('/api/audit/events?fromPosition=9223372036854775807'), 'fromPosition');
    refused(await auditor.get('/api/audit/events?fromPosition=1e400'), 'fromPosition');
    refused(await official.get('/api/findings?page=99999999999'), 'page');
    refused(await admin.get('/api/users?page=99999999999999999999'), 'page');
    refused(
      await official.post('/api/departments', { name: 'x', kind: 'bureau' }, { 'If-Match': '"9999999999999999"' }),
      'If-Match',
    );
  });

  it('refuses JSON nested too deep or with too long arrays before parsing it', async () => {
    const deep = '{"name":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + ',"kind":"bureau"}';
    const res = await t.http
      .post('/api/departments')
      .set('Authorization', `Bearer ${official.token}`)
      .set('content-type', 'application/json')
      .send(deep);
    refused(res, 'body');
    expect((res.body as { errors: Array<{ rule: string }> }).errors[0].rule).toBe('maxDepth');
    const wide = `{"username":[${'['.repeat(60_000)}${']'.repeat(60_000)}],"password":"x"}`;
    refused(await t.http.post('/api/auth/login').set('content-type', 'application/json').send(wide), 'body');
    const long = JSON.stringify({ username: Array.from({ length: 5000 }, () => 0), password: 'x' });
    const many = await t.http.post('/api/auth/login').set('content-type', 'application/json').send(long);
    refused(many, 'body');
    expect((many.body as { errors: Array<{ rule: string }> }).errors[0].rule).toBe('maxArrayLength');
    // Brackets inside strings do not count.
    const text = JSON.stringify({ name: '['.repeat(90), kind: 'bureau' });
    await t.http
      .post('/api/departments')
      .set('Authorization', `Bearer ${official.token}`)
      .set('content-type', 'application/json')
      .send(text)
      .expect(201);
  });

  it('refuses bidi overrides and terminal escapes in names, NFC-normalises them', async () => {
    const before = await head();
    const bidi = await official.post('/api/departments', { name: '区\u202e局\u001b[31m', kind: 'bureau' });
    refused(bidi, 'name');
    expect((bidi.body as { errors: Array<{ rule: string }> }).errors.map((e) => e.rule)).toContain('safeText');
    refused(await official.post('/api/departments', { name: 'a\u2066b', kind: 'bureau' }), 'name');
    refused(await official.post('/api/departments', { name: 'line\nbreak', kind: 'bureau' }), 'name');
    expect(await head()).toBe(before);
    const decomposed = 'Cafe\u0301';
    const created = await official.post('/api/departments', { name: decomposed, kind: 'bureau' }).expect(201);
    const id = created.body.departmentId ?? created.body.id;
    const read = await official.get(`/api/departments/${id}`).expect(200);
    expect(read.body.name).toBe('Caf\u00e9');
    // Free text keeps its line breaks.
    const round = {
      title: '回头看',
      kind: 'special',
      scope: '第一行\n第二行\t完',
      startsOn: '2024-11-01',
      endsOn: '2024-11-30',
    };
    await official.post('/api/rounds', round).expect(201);
  });

  it('answers /metrics only to the scrape secret or an admin/official token', async () => {
    expect((await t.http.get('/metrics').expect(401)).headers['content-type']).toMatch(/problem\+json/);
    await t.http.get('/metrics').set('Authorization', 'Bearer wrong-secret').expect(401);
    await auditor.get('/metrics').expect(401);
    expect((await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text).toContain(
      'projection_position',
    );
    await official.get('/metrics').expect(200);
  });

  it('says only up or down about health without a token', async () => {
    expect((await t.http.get('/api/health').expect(200)).body).toEqual({ status: 'up' });
    expect((await inspector.get('/api/health').expect(200)).body).toEqual({ status: 'up' });
    const details = (await admin.get('/api/health').expect(200)).body;
    expect(details).toMatchObject({
      status: 'ok',
      database: { status: 'up' },
      store: { headPosition: expect.any(Number) },
    });
    const scraped = await t.http.get('/api/health').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(scraped.body).toMatchObject({ status: 'ok', projection: { mode: 'in-process' } });
  });

  it('sends Cache-Control: no-store on API answers and problems', async () => {
    expect((await official.get('/api/departments').expect(200)).headers['cache-control']).toBe('no-store');
    expect((await t.http.get('/api/auth/me').expect(401)).headers['cache-control']).toBe('no-store');
    const login = await t.http.post('/api/auth/login').send({ username: 'admin', password: 'wrong-password' });
    expect(login.headers['cache-control']).toBe('no-store');
  });
});
