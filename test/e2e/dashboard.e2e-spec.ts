import pg from 'pg';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createUser, loginAdmin, type Actor } from '../support/actors.js';
import { officeToday, ReadModelDb } from '../../apps/api/src/dashboard/read-model-db.js';

/**
 * Dashboards and lists over HTTP, filled by the real projector from commands sent through the API.
 * Every read sends X-Min-Position (the position of the last command) so it sees its own writes.
 * Due dates are relative to today in Asia/Shanghai, as the server counts them.
 */
describe('dashboards and lists over HTTP', () => {
  let t: TestApp;
  let admin: Actor, official: Actor, inspector: Actor, liaisonA: Actor, liaisonB: Actor, auditor: Actor;
  let deptA: string, deptB: string, roundId: string, field1: string, field2: string, point1: string, point2: string;
  const findings: string[] = [];
  let last = 0;

  const day = (offset: number) => {
    const d = new Date(`${officeToday()}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + offset);
    return d.toISOString().slice(0, 10);
  };

  /** Sends a command, expects success and remembers its position. */
  async function send(who: Actor, path: string, body: object = {}) {
    const res = await who.post(path, body);
    if (res.status !== 200 && res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    last = Math.max(last, res.body.position);
    return res.body;
  }

  /** A mobile round planned by the official, from `startDay` to `endDay` days from today. */
  const planRound = async (title: string, scope: string, startDay: number, endDay: number): Promise<string> =>
    (
      await send(official, '/api/rounds', {
        title,
        kind: 'mobile',
        scope,
        startsOn: day(startDay),
        endsOn: day(endDay),
      })
    ).roundId;

  const read = (who: Actor, path: string) => who.get(path, { 'X-Min-Position': String(last) });

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t);
    deptA = (await send(admin, '/api/departments', { name: '区教育局', kind: 'bureau' })).departmentId;
    deptB = (await send(admin, '/api/departments', { name: '区民政局', kind: 'bureau' })).departmentId;
    official = await createUser(t, admin, 'official1', 'official');
    inspector = await createUser(t, admin, 'inspector1', 'inspector');
    liaisonA = await createUser(t, admin, 'liaison.edu', 'unit_liaison', deptA);
    liaisonB = await createUser(t, admin, 'liaison.civil', 'unit_liaison', deptB);
    auditor = await createUser(t, admin, 'auditor1', 'auditor');

    roundId = await planRound('平城区机动式巡察', '困难群众救助领域和基层执法领域', -30, 60);
    field1 = (await send(official, `/api/rounds/${roundId}/fields`, { name: '校园食品安全' })).fieldId;
    field2 = (await send(official, `/api/rounds/${roundId}/fields`, { name: '社会救助' })).fieldId;
    point1 = (
      await send(inspector, `/api/rounds/${roundId}/monitoring-points`, {
        fieldId: field1,
        title: '学校食堂食材采购',
        targets: [{ kind: 'department', name: '区教育局', departmentId: deptA }],
      })
    ).pointId;
    point2 = (
      await send(inspector, `/api/rounds/${roundId}/monitoring-points`, {
        fieldId: field2,
        title: '低保审核',
        targets: [{ kind: 'department', name: '区民政局', departmentId: deptB }],
      })
    ).pointId;
    await send(official, `/api/rounds/${roundId}/station`);

    const record = async (pointId: string, departmentId: string, title: string) =>
      findings.push(
        (
          await send(inspector, `/api/rounds/${roundId}/findings`, {
            monitoringPointId: pointId,
            departmentId,
            title,
            description: `${title}，详见底稿。`,
          })
        ).findingId,
      );
    await record(point1, deptA, '夜市摊点肉制品来源不明');
    await record(point1, deptA, '学校食堂食材采购台账不全');
    await record(point2, deptB, '低保审核把关不严');
    await record(point2, deptB, '临时救助台账缺失');
    const [f1, f2, f3] = findings;
    // f1: 立行立改, closed; f2: overdue by 3 days; f3: 15 days left (green); f4 stays recorded.
    await send(official, `/api/findings/${f1}/assign`, {
      type: 'immediate',
      departmentId: deptA,
      responsiblePerson: '王建国',
      dueOn: day(5),
    });
    await send(liaisonA, `/api/findings/${f1}/request-closure`, {
      evidence: ['现场整改照片.jpg'],
      signedOffBy: '科长 赵强',
    });
    await send(official, `/api/findings/${f1}/verify`, { accepted: true });
    await send(official, `/api/findings/${f2}/assign`, {
      type: 'deadline',
      departmentId: deptA,
      responsiblePerson: '王建国',
      dueOn: day(-3),
    });
    await send(official, `/api/findings/${f3}/assign`, {
      type: 'deadline',
      departmentId: deptB,
      responsiblePerson: '李红',
      dueOn: day(15),
    });

    const lead = await send(inspector, `/api/rounds/${roundId}/leads`, {
      monitoringPointId: point1,
      source: 'petition',
      summary: '群众反映食堂采购存在问题',
      subjects: [{ name: '张伟', post: '食堂管理员', departmentId: deptA }],
      informant: { name: '李秀英', contact: '13800000000' },
    });
    await send(official, `/api/leads/${lead.leadId}/triage`, { decision: 'transfer' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers the round overview once the projector has caught up with the last command', async () => {
    const res = await read(official, `/api/dashboard/overview?roundId=${roundId}`).expect(200);
    expect(Number(res.headers['x-projection-position'])).toBeGreaterThanOrEqual(last);
    expect(res.body).toMatchObject({
      fields: 2,
      monitoringPoints: 2,
      findings: 4,
      leads: 1,
      immediate: { assigned: 1, closed: 1 },
      rectification: { assigned: 3, closed: 1, inProgress: 2, overdue: 1, completionRate: 0.3333 },
      leadsByState: { recorded: 0, triaged: 1 },
    });
    expect((await read(auditor, `/api/dashboard/overview?roundId=${roundId}`)).status).toBe(200);
  });

  it('answers per-department figures with overdue and warning colours for today', async () => {
    const rows = (await read(official, `/api/dashboard/departments?roundId=${roundId}`).expect(200)).body;
    expect(rows).toHaveLength(2);
    expect(rows.find((r: { departmentId: string }) => r.departmentId === deptA)).toMatchObject({
      name: '区教育局',
      assigned: 2,
      closed: 1,
      overdue: 1,
      warning: { red: 1, yellow: 0, green: 0 },
      immediate: { assigned: 1, closed: 1 },
      completionRate: 0.5,
      avgDaysToClose: 0,
    });
    expect(rows.find((r: { departmentId: string }) => r.departmentId === deptB)).toMatchObject({
      name: '区民政局',
      findings: 2,
      assigned: 1,
      byState: { recorded: 1, assigned: 1 },
      overdue: 0,
      warning: { green: 1, yellow: 0, red: 0 },
    });
    const stricter = (await read(official, `/api/dashboard/departments?roundId=${roundId}&greenDays=30&yellowDays=15`))
      .body;
    expect(stricter.find((r: { departmentId: string }) => r.departmentId === deptB).warning).toEqual({
      green: 0,
      yellow: 1,
      red: 0,
    });
  });

  it('shows a unit liaison only their own department', async () => {
    const mine = (await read(liaisonA, `/api/dashboard/departments?roundId=${roundId}`).expect(200)).body;
    expect(mine.map((r: { departmentId: string }) => r.departmentId)).toEqual([deptA]);
    const other = await read(liaisonA, `/api/dashboard/departments?departmentId=${deptB}`);
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('NOT_YOUR_DEPARTMENT');
    expect((await read(liaisonA, `/api/dashboard/overview?roundId=${roundId}`)).status).toBe(403);

    const listed = (await read(liaisonB, `/api/findings?roundId=${roundId}`).expect(200)).body;
    // f4 was found in 区民政局 but is not assigned to anyone yet: nothing for its liaison to act on.
    expect(listed.items.map((i: { findingId: string }) => i.findingId)).toEqual([findings[2]]);
    expect((await read(liaisonB, `/api/findings?departmentId=${deptA}`)).status).toBe(403);
  });

  it('answers per-field figures and the weekly trend', async () => {
    const fields = (await read(official, `/api/dashboard/fields?roundId=${roundId}`).expect(200)).body;
    expect(fields).toEqual([
      expect.objectContaining({
        fieldId: field1,
        name: '校园食品安全',
        monitoringPoints: 1,
        findings: 2,
        leads: 1,
        closed: 1,
        completionRate: 0.5,
      }),
      expect.objectContaining({
        fieldId: field2,
        name: '社会救助',
        monitoringPoints: 1,
        findings: 2,
        leads: 0,
        closed: 0,
        completionRate: 0,
      }),
    ]);
    const trend = (await read(official, `/api/dashboard/trend?roundId=${roundId}&bucket=week`).expect(200)).body;
    const total = (key: string) => trend.reduce((sum: number, b: Record<string, number>) => sum + b[key], 0);
    expect(trend[0].bucketStart).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect([total('findingsRecorded'), total('rectificationsClosed'), total('leadsRecorded')]).toEqual([4, 1, 1]);
  });

  it('lists findings with filters, overdue and warning for today, and paging', async () => {
    const [f1, f2, f3, f4] = findings;
    const ids = async (query: string) =>
      (await read(inspector, `/api/findings?roundId=${roundId}&${query}`).expect(200)).body.items.map(
        (i: { findingId: string }) => i.findingId,
      );
    expect(await ids('overdue=true')).toEqual([f2]);
    expect(await ids('overdue=false')).toEqual([f4, f3, f1]);
    expect(await ids('status=recorded')).toEqual([f4]);
    expect(await ids('type=immediate')).toEqual([f1]);
    expect(await ids(`departmentId=${deptB}`)).toEqual([f4, f3]);
    expect(await ids(`fieldId=${field1}`)).toEqual([f2, f1]);
    expect(await ids(`q=${encodeURIComponent('食堂')}`)).toEqual([f2]);
    expect(await ids('warning=green')).toEqual([f3]);
    const page = (await read(official, `/api/findings?roundId=${roundId}&page=2&pageSize=3`).expect(200)).body;
    expect(page).toMatchObject({ total: 4, page: 2, pageSize: 3, items: [{ findingId: f1 }] });
    const overdue = (await read(official, `/api/findings?roundId=${roundId}&overdue=true`)).body.items[0];
    expect(overdue).toMatchObject({
      status: 'assigned',
      dueOn: day(-3),
      daysLeft: -3,
      overdue: true,
      warning: 'red',
      departmentName: '区教育局',
    });
  });

  it('lists leads for officials and auditors, and an inspector their own, without names', async () => {
    const res = await read(auditor, `/api/leads?roundId=${roundId}`).expect(200);
    expect(res.body).toMatchObject({
      total: 1,
      items: [{ status: 'triaged', source: 'petition', fieldId: field1, subjectCount: 1 }],
    });
    expect(JSON.stringify(res.body)).not.toMatch(/张伟|李秀英|13800000000/);
    expect((await read(official, '/api/leads?status=triaged')).body.total).toBe(1);
    // The inspector recorded it: their own list holds it, with the same neutral summary.
    const own = (await read(inspector, `/api/leads?roundId=${roundId}`).expect(200)).body;
    expect(own.items.map((l: { leadId: string }) => l.leadId)).toEqual(
      res.body.items.map((l: { leadId: string }) => l.leadId),
    );
    expect(JSON.stringify(own)).not.toMatch(/张伟|李秀英|13800000000/);
    expect((await read(liaisonA, '/api/leads')).status).toBe(403);
  });

  it('lists departments for every signed-in role and rounds for all but admin', async () => {
    for (const who of [admin, official, inspector, liaisonA, auditor]) {
      const res = await read(who, '/api/departments').expect(200);
      expect(res.body).toMatchObject({ total: 2, page: 1 });
      expect(res.body.items.map((d: { departmentId: string }) => d.departmentId).sort()).toEqual([deptA, deptB].sort());
    }
    const rounds = (await read(inspector, '/api/rounds').expect(200)).body;
    expect(rounds).toMatchObject({
      total: 1,
      items: [{ roundId, status: 'stationed', fields: 2, monitoringPoints: 2 }],
    });
    expect((await read(admin, '/api/rounds')).status).toBe(403);
    expect((await read(admin, '/api/findings')).status).toBe(403);
    expect((await t.http.get('/api/dashboard/overview')).status).toBe(401);
  });

  it('refuses malformed query parameters with one error per field', async () => {
    const res = await official.get(`/api/findings?pageSize=500&overdue=maybe&roundId=xyz&status=lost&extra=1`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['pageSize', 'overdue', 'roundId', 'status', 'extra']));
    expect((await official.get('/api/dashboard/trend?bucket=day')).status).toBe(400);
    expect((await official.get('/api/dashboard/departments?greenDays=5&yellowDays=10')).body).toMatchObject({
      status: 400,
      errors: [{ field: 'yellowDays' }],
    });
    expect((await official.get('/api/rounds?page=abc')).status).toBe(400);
  });

  it("keeps a round's answers while another round changes, and answers the round's own changes at once", async () => {
    const answers = t.app.get(ReadModelDb).answers;
    const overview = async () => (await read(official, `/api/dashboard/overview?roundId=${roundId}`).expect(200)).body;
    const before = await overview();
    const misses = answers.misses;
    // Another round is planned and given a field: the checkpoint moves, this round's version does not.
    const other = await planRound('平城区第二轮机动式巡察', '工程建设领域', -5, 50);
    await send(official, `/api/rounds/${other}/fields`, { name: '工程招投标' });
    const kept = await read(official, `/api/dashboard/overview?roundId=${roundId}`).expect(200);
    expect(Number(kept.headers['x-projection-position'])).toBeGreaterThanOrEqual(last);
    expect(kept.body).toEqual(before);
    expect(answers.misses).toBe(misses); // answered from memory, though the checkpoint moved
    // A kept answer goes out as the text it was serialised to once, as JSON, with its headers.
    expect(kept.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(kept.text).toBe(JSON.stringify(before));
    expect(kept.headers['cache-control']).toBe('no-store');
    expect(Number(kept.headers['content-length'])).toBe(Buffer.byteLength(kept.text));
    // The other round's own answer is its own.
    expect((await read(official, `/api/dashboard/overview?roundId=${other}`).expect(200)).body).toMatchObject({
      fields: 1,
      findings: 0,
    });
    // A change to this round is seen by the next read that asks for it.
    await send(official, `/api/rounds/${roundId}/fields`, { name: '基层执法' });
    expect(await overview()).toEqual({ ...before, fields: before.fields + 1 });
  });

  it('answers a round from read models of an earlier version, which keep no round versions (until their rebuild is swapped in)', async () => {
    const db = new pg.Client({ connectionString: t.url });
    await db.connect();
    try {
      await db.query('ALTER TABLE rm.read_versions RENAME TO read_versions_elsewhere');
      const res = await read(official, `/api/dashboard/overview?roundId=${roundId}`).expect(200);
      expect(Number(res.headers['x-projection-position'])).toBeGreaterThanOrEqual(last);
      expect(res.headers['x-projection-behind']).toBeUndefined();
      expect(res.body.fields).toBeGreaterThan(0);
    } finally {
      await db.query('ALTER TABLE rm.read_versions_elsewhere RENAME TO read_versions').catch(() => undefined);
      await db.end();
    }
  });
});
