import { startTestApp, type TestApp } from '../support/test-app.js';
import { createUser, loginAdmin, type Actor } from '../support/actors.js';
import { CommandRunner } from '../../apps/api/src/cases/application/command-runner.js';
import { AppLogger } from '../../apps/api/src/logging/app-logger.js';

const SUBJECT = '欧阳慕青';
const SUBJECT_POST = '城管执法中队长';
const INFORMANT = '司马晓岚';
const CONTACT = '13912345678';
const BAD_INPUT_NAME = '上官若曦';
const CRASH_NAME = '诸葛明远';
const SECRETS = [SUBJECT, SUBJECT_POST, INFORMANT, CONTACT, BAD_INPUT_NAME, CRASH_NAME];

/** Every line the app writes at debug level, as JSON with a request id, and none with personal data in it. */
describe('structured logs: JSON lines with the request id, no personal data ever', () => {
  let t: TestApp;
  let official: Actor, inspector: Actor;
  let roundId: string, pointId: string, dept: string;
  const captured: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const previousFormat = process.env.LOG_FORMAT;

  beforeAll(async () => {
    process.env.LOG_FORMAT = 'json';
    process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      captured.push(String(chunk));
      return writes.out(chunk, ...rest);
    };
    process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      captured.push(String(chunk));
      return writes.err(chunk, ...rest);
    };
    t = await startTestApp({ LOG_LEVEL: 'debug' });
    const admin = await loginAdmin(t);
    dept = (await admin.post('/api/departments', { name: '区城管局', kind: 'bureau' })).body.departmentId;
    official = await createUser(t, admin, 'official.logs', 'official');
    inspector = await createUser(t, admin, 'inspector.logs', 'inspector');
    roundId = (
      await official.post('/api/rounds', {
        title: '城管执法专项',
        kind: 'special',
        scope: '执法',
        startsOn: '2024-09-01',
        endsOn: '2024-09-30',
      })
    ).body.roundId;
    const fieldId = (await official.post(`/api/rounds/${roundId}/fields`, { name: '基层执法' })).body.fieldId;
    pointId = (
      await official.post(`/api/rounds/${roundId}/monitoring-points`, {
        fieldId,
        title: '执法规范',
        targets: [{ kind: 'department', name: '区城管局', departmentId: dept }],
      })
    ).body.pointId;
    await official.post(`/api/rounds/${roundId}/station`);
  });

  afterAll(async () => {
    await t?.close();
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    if (previousFormat === undefined) delete process.env.LOG_FORMAT;
    else process.env.LOG_FORMAT = previousFormat;
  });

  it('records, reads and fails with names in play, and no captured line holds any of them', async () => {
    const lead = await inspector.post(`/api/rounds/${roundId}/leads`, {
      monitoringPointId: pointId,
      source: 'petition',
      summary: '群众反映执法不规范',
      subjects: [{ name: SUBJECT, post: SUBJECT_POST, departmentId: dept }],
      informant: { name: INFORMANT, contact: CONTACT },
    });
    expect(lead.status).toBe(201);
    const read = await official.get(`/api/leads/${lead.body.leadId}`);
    expect(JSON.stringify(read.body)).toContain(SUBJECT);
    expect((await official.get(`/api/leads/${lead.body.leadId}/history`)).status).toBe(200);
    expect((await official.get(`/api/leads?q=${encodeURIComponent(SUBJECT)}`)).status).toBeLessThan(500);

    // Bad input with a name in it: 400, nothing logged of the body.
    const bad = await inspector.post(`/api/rounds/${roundId}/leads`, {
      source: 'rumour',
      summary: BAD_INPUT_NAME,
      subjects: [{ name: BAD_INPUT_NAME, post: 7 }],
      informant: { name: BAD_INPUT_NAME, contact: BAD_INPUT_NAME },
    });
    expect(bad.status).toBe(400);
    const malformed = await t.http
      .post(`/api/rounds/${roundId}/leads`)
      .set('Authorization', `Bearer ${inspector.token}`)
      .set('content-type', 'application/json')
      .send(`{"summary": "${BAD_INPUT_NAME}", `);
    expect(malformed.status).toBe(400);

    // An unexpected error in a handler while a lead with names is being recorded.
    const runner = t.app.get(CommandRunner);
    const original = runner.run.bind(runner);
    runner.run = async () => {
      throw new TypeError('boom inside a command handler');
    };
    try {
      const crash = await inspector.post(`/api/rounds/${roundId}/leads`, {
        monitoringPointId: pointId,
        source: 'petition',
        summary: '另一条线索',
        subjects: [{ name: CRASH_NAME, post: '科员', departmentId: dept }],
        informant: { name: CRASH_NAME, contact: CRASH_NAME },
      });
      expect(crash.status).toBe(500);
    } finally {
      runner.run = original;
    }

    const text = captured.join('');
    expect(text).toContain('boom inside a command handler'); // the crash itself was logged…
    for (const secret of SECRETS) expect(text).not.toContain(secret); // …and no name, post or contact ever
    expect(text).not.toContain(inspector.token);
  });

  it('writes JSON lines, each request line with its request id, and honours LOG_LEVEL', async () => {
    const res = await official.get('/api/rounds').set('x-request-id', 'req-logging-test-1');
    expect(res.status).toBe(200);
    const lines = captured
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.length).toBeGreaterThan(5);
    const access = parsed.filter((p) => p.context === 'HTTP');
    expect(access.every((p) => typeof p.requestId === 'string' && p.level && p.time)).toBe(true);
    expect(access).toContainEqual(
      expect.objectContaining({ requestId: 'req-logging-test-1', route: '/api/rounds', status: 200 }),
    );
    const crash = parsed.find((p) => String(p.stack ?? p.msg).includes('boom inside a command handler'));
    expect(crash).toMatchObject({ level: 'error' });
    expect(typeof crash!.requestId).toBe('string');

    const lines2: string[] = [];
    const warnOnly = new AppLogger('warn', 'json', (l) => lines2.push(l));
    warnOnly.log('not shown');
    warnOnly.debug('not shown');
    warnOnly.warn({ msg: 'shown', authorization: 'Bearer x', password: 'p', body: { name: SUBJECT } }, 'Ctx');
    expect(lines2).toHaveLength(1);
    expect(JSON.parse(lines2[0])).toMatchObject({
      level: 'warn',
      msg: 'shown',
      context: 'Ctx',
      authorization: '[redacted]',
      password: '[redacted]',
      body: '[redacted]',
    });
    const pretty: string[] = [];
    new AppLogger('log', 'pretty', (l) => pretty.push(l)).log({ msg: 'hello', body: SUBJECT }, 'Ctx');
    expect(pretty[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} LOG +\[Ctx\] hello body=\[redacted\]\n$/);
  });
});
