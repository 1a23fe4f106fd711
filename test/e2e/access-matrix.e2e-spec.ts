import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { RequestMethod } from '@nestjs/common';
import { routesOf } from '../../apps/api/src/openapi/document.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createUser, loginAdmin, type Actor } from '../support/actors.js';
import { onEsdb } from '../support/event-store-kind.js';

/**
 * Who may do what, as one table: every endpoint of the app (taken from its routes, so that a route added
 * without a row here fails this test) × every kind of caller, with the status each one gets. Each route is
 * asked about a seeded case of its resource: a round with a monitoring point aimed at unit A (with a person
 * target of unit A) and one aimed at unit B, a finding assigned to unit A, a lead with a subject's post and an
 * identifying detail. Reads are real requests; commands and operations are sent a body with a field no
 * endpoint accepts, so that a caller who passes the role check gets the 400 of validation and nothing changes.
 */

const CALLERS = ['admin', 'official', 'inspector', 'liaisonA', 'liaisonB', 'auditor', 'none'] as const;
type Caller = (typeof CALLERS)[number];
type Row = Record<Caller, number>;

/** `status` for the given callers, 403 for every other signed-in caller, 401 without a token. */
function only(callers: readonly Caller[], status: number, exceptions: Partial<Row> = {}): Row {
  const row = Object.fromEntries(CALLERS.map((c) => [c, c === 'none' ? 401 : callers.includes(c) ? status : 403]));
  return { ...(row as Row), ...exceptions };
}
const everyone = (status: number): Row => Object.fromEntries(CALLERS.map((c) => [c, status])) as Row;

const SIGNED_IN: Caller[] = ['admin', 'official', 'inspector', 'liaisonA', 'liaisonB', 'auditor'];
const CASE_READERS: Caller[] = ['official', 'inspector', 'liaisonA', 'liaisonB', 'auditor'];
const OVERSIGHT: Caller[] = ['official', 'auditor'];
const LIAISONS: Caller[] = ['liaisonA', 'liaisonB'];

/** The expected status of every caller on every endpoint, by operation id. */
const MATRIX: Record<string, Row> = {
  HealthController_health: everyone(200),
  // /metrics: an admin or official token, or METRICS_TOKEN; any other caller is not a scraper (401).
  MetricsController_scrape: { ...everyone(401), admin: 200, official: 200 },
  AuthController_login: everyone(400),
  AuthController_me: only(SIGNED_IN, 200),
  AuthController_changePassword: only(SIGNED_IN, 400),
  UsersController_create: only(['admin'], 400),
  UsersController_list: only(['admin'], 200),
  UsersController_update: only(['admin'], 400),
  UsersController_resetPassword: only(['admin'], 400),
  UsersController_changes: only(['admin'], 200),
  PersonalDataController_erase: only(['official'], 400),
  PersonalDataController_reads: only(OVERSIGHT, 200),

  DepartmentsController_register: only(['admin', 'official'], 400),
  DepartmentsController_rename: only(['admin', 'official'], 400),
  DepartmentsController_get: only(SIGNED_IN, 200),

  RoundsController_plan: only(['official'], 400),
  RoundsController_addField: only(['official', 'inspector'], 400),
  RoundsController_addPoint: only(['official', 'inspector'], 400),
  RoundsController_station: only(['official'], 400),
  RoundsController_report: only(['official'], 400),
  RoundsController_deliverFeedback: only(['official'], 400),
  RoundsController_startRectification: only(['official'], 400),
  RoundsController_evaluate: only(['official'], 400),
  RoundsController_archive: only(['official'], 400),
  RoundsController_get: only(CASE_READERS, 200),
  RoundsController_historyOf: only(OVERSIGHT, 200),

  FindingsController_record: only(['inspector'], 400),
  FindingsController_assign: only(['official'], 400),
  FindingsController_acknowledge: only(LIAISONS, 400),
  FindingsController_plan: only(LIAISONS, 400),
  FindingsController_progress: only(LIAISONS, 400),
  FindingsController_requestClosure: only(LIAISONS, 400),
  FindingsController_verify: only(['official'], 400),
  FindingsController_reopen: only(['official'], 400),
  FindingsController_dismiss: only(['official'], 400),
  FindingsController_followUp: only(['official', 'inspector'], 400),
  FindingsController_supervise: only(['official'], 400),
  FindingsController_requestExtension: only(LIAISONS, 400),
  FindingsController_decideExtension: only(['official'], 400),
  // No notice was issued: 404; another unit's finding is not there for its liaison either.
  FindingsController_notice: only(['official', ...LIAISONS], 404),
  // Not multipart: 400; the hash asked for was never uploaded: 404.
  EvidenceController_upload: only(['official', 'inspector', ...LIAISONS], 400),
  EvidenceController_download: only(CASE_READERS, 404),
  // Another unit's finding does not exist for a liaison: 404, not 403.
  FindingsController_get: only(CASE_READERS, 200, { liaisonB: 404 }),
  FindingsController_historyOf: only(OVERSIGHT, 200),

  LeadsController_record: only(['inspector'], 400),
  LeadsController_triage: only(['official'], 400),
  LeadsController_transfer: only(['official'], 400),
  LeadsController_receive: only(['official'], 400),
  LeadsController_dispose: only(['official'], 400),
  LeadsController_outcome: only(['official'], 400),
  LeadsController_close: only(['official'], 400),
  LeadsController_followUp: only(['official', 'inspector'], 400),
  LeadsController_get: only(OVERSIGHT, 200),
  LeadsController_historyOf: only(OVERSIGHT, 200),

  AdminProjectionsController_rebuild: only(['admin', 'official'], 200),
  AuditController_events: only(OVERSIGHT, 200),
  AuditController_verify: only(OVERSIGHT, 200),
  DashboardController_overview: only(OVERSIGHT, 200),
  DashboardController_departments: only([...OVERSIGHT, ...LIAISONS], 200),
  DashboardController_fields: only(OVERSIGHT, 200),
  DashboardController_trend: only(OVERSIGHT, 200),
  DashboardController_redList: only(OVERSIGHT, 200),
  ListsController_findings: only(CASE_READERS, 200),
  ListsController_leads: only([...OVERSIGHT, 'inspector'], 200),
  ListsController_departments: only(SIGNED_IN, 200),
  ListsController_rounds: only(CASE_READERS, 200),
  ExportsController_ledger: only(OVERSIGHT, 200),
  // The seeded round's bundle (the caller's own store); a body that is no bundle is refused with 400.
  // The hand-over carries the PostgreSQL log's chains: with the log in EventStoreDB it answers
  // 409 HANDOVER_NEEDS_POSTGRES.
  HandoverController_exportBundle: only(['official', 'inspector'], onEsdb ? 409 : 200),
  HandoverController_importBundle: only(['official'], onEsdb ? 409 : 400),
  // A kit of the seeded round (no users named); a body that is no kit is refused with 400.
  HandoverController_exportKit: only(['official'], onEsdb ? 409 : 200),
  HandoverController_importKit: only(['admin'], onEsdb ? 409 : 400),
  HandoverController_storeReceipt: only(['official'], 400),
  HandoverController_purge: only(['admin'], 400),
};

const REDACTED = '［已隐去］';
const PERSON = '城东小学后勤主任（赵某）';
const SUBJECT = '钱国栋';
const POST = '城东小学总务主任';
const DETAIL = '钱国栋之妻经营的配送公司承接了食堂配送';

describe('access matrix: every role × every endpoint', () => {
  let t: TestApp;
  const as = {} as Record<Exclude<Caller, 'none'>, Actor>;
  const ids = {} as Record<'deptA' | 'deptB' | 'round' | 'finding' | 'lead' | 'pointA' | 'pointB' | 'ref', string>;
  let position = 0;

  beforeAll(async () => {
    t = await startTestApp();
    as.admin = await loginAdmin(t);
    const dept = async (name: string) => (await as.admin.post('/api/departments', { name, kind: 'bureau' })).body;
    const a = await dept('区教育局');
    const b = await dept('区民政局');
    [ids.deptA, ids.deptB] = [a.departmentId, b.departmentId];
    as.official = await createUser(t, as.admin, 'official1', 'official');
    as.inspector = await createUser(t, as.admin, 'inspector1', 'inspector');
    as.liaisonA = await createUser(t, as.admin, 'liaison.a', 'unit_liaison', ids.deptA);
    as.liaisonB = await createUser(t, as.admin, 'liaison.b', 'unit_liaison', ids.deptB);
    as.auditor = await createUser(t, as.admin, 'auditor1', 'auditor');
    const ok = (res: { status: number; body: Record<string, unknown> }) => {
      if (res.status >= 300) throw new Error(`seeding failed: ${res.status} ${JSON.stringify(res.body)}`);
      position = Math.max(position, Number(res.body.position ?? 0));
      return res.body as Record<string, string>;
    };
    const round = {
      title: '校园食品安全专项',
      kind: 'special',
      scope: '中小学食堂',
      startsOn: '2024-11-01',
      endsOn: '2024-11-30',
    };
    ids.round = ok(await as.official.post('/api/rounds', round)).roundId;
    const fieldId = ok(await as.official.post(`/api/rounds/${ids.round}/fields`, { name: '校园食品安全' })).fieldId;
    ids.pointA = ok(
      await as.inspector.post(`/api/rounds/${ids.round}/monitoring-points`, {
        fieldId,
        title: '食材采购查验',
        targets: [
          { kind: 'department', name: '区教育局', departmentId: ids.deptA },
          { kind: 'person', name: PERSON, departmentId: ids.deptA },
          { kind: 'post', name: '食堂采购员' },
        ],
      }),
    ).pointId;
    ids.pointB = ok(
      await as.inspector.post(`/api/rounds/${ids.round}/monitoring-points`, {
        fieldId,
        title: '低保审核',
        targets: [{ kind: 'department', name: '区民政局', departmentId: ids.deptB }],
      }),
    ).pointId;
    ok(await as.official.post(`/api/rounds/${ids.round}/station`, {}));
    const finding = {
      monitoringPointId: ids.pointA,
      departmentId: ids.deptA,
      title: '进货台账缺失',
      description: '抽查2所学校',
    };
    ids.finding = ok(await as.inspector.post(`/api/rounds/${ids.round}/findings`, finding)).findingId;
    const assignment = { type: 'deadline', departmentId: ids.deptA, responsiblePerson: '王建国', dueOn: '2024-12-31' };
    ok(await as.official.post(`/api/findings/${ids.finding}/assign`, assignment));
    const lead = {
      monitoringPointId: ids.pointA,
      source: 'petition',
      summary: '反映食堂配送存在利益输送',
      summaryDetail: DETAIL,
      subjects: [{ name: SUBJECT, post: POST, departmentId: ids.deptA }],
    };
    ids.lead = ok(await as.inspector.post(`/api/rounds/${ids.round}/leads`, lead)).leadId;
    ids.ref = (await as.official.get(`/api/leads/${ids.lead}`)).body.subjects[0].ref;
  });
  afterAll(() => t?.close());

  it('has an expected status for every endpoint of the app, and for no endpoint it does not have', () => {
    const operations = routesOf(t.app).map((r) => r.operationId);
    expect(operations.length).toBeGreaterThan(0);
    expect(Object.keys(MATRIX).sort()).toEqual([...operations].sort());
  });

  it('answers every caller on every endpoint with the status of the table', async () => {
    const paramsOf = (path: string): string =>
      path
        .replace(/^\/rounds\/:id/, `/rounds/${ids.round}`)
        .replace(/^\/findings\/:id/, `/findings/${ids.finding}`)
        .replace(/^\/leads\/:id/, `/leads/${ids.lead}`)
        .replace(/^\/departments\/:id/, `/departments/${ids.deptA}`)
        .replace(/^\/users\/:id/, `/users/${as.auditor.id}`)
        .replace(':ref', ids.ref)
        .replace(':n', '1')
        .replace(':sha256', '0'.repeat(64));
    const query = (path: string) =>
      /^\/(dashboard|exports|findings$|leads$)/.test(path) ? `?roundId=${ids.round}` : '';
    const actual: Record<string, Row> = {};
    for (const route of routesOf(t.app)) {
      const path = paramsOf(route.path);
      const url = path === '/metrics' ? path : `/api${path}${query(route.path)}`;
      const row = {} as Row;
      for (const caller of CALLERS) {
        const auth: Record<string, string> = caller === 'none' ? {} : { authorization: `Bearer ${as[caller].token}` };
        const headers = { ...auth, 'x-min-position': String(position) };
        const res =
          route.method === RequestMethod.GET
            ? await t.http.get(url).set(headers)
            : route.method === RequestMethod.PATCH
              ? await t.http.patch(url).set(headers).send({ notAnAcceptedField: true })
              : await t.http.post(url).set(headers).send({ notAnAcceptedField: true });
        row[caller] = res.status;
      }
      actual[route.operationId] = row;
    }
    expect(actual).toEqual(MATRIX);
    // Nothing the matrix sent changed a case: the commands were all refused.
    expect((await as.official.get(`/api/findings/${ids.finding}`)).body.revision).toBe(2);
    expect((await as.official.get(`/api/leads/${ids.lead}`)).body.revision).toBe(1);
  });

  it("shows officials person targets, subjects' posts and the identifying detail, and logs each read", async () => {
    const round = (await as.official.get(`/api/rounds/${ids.round}`).expect(200)).body;
    const pointA = round.monitoringPoints.find((p: { pointId: string }) => p.pointId === ids.pointA);
    expect(pointA.targets).toContainEqual(
      expect.objectContaining({ kind: 'person', name: PERSON, departmentId: ids.deptA }),
    );
    const lead = (await as.official.get(`/api/leads/${ids.lead}`).expect(200)).body;
    expect(lead.subjects[0]).toMatchObject({ name: SUBJECT, post: POST, departmentId: ids.deptA });
    expect(lead.summaryDetail).toEqual({ text: DETAIL });
    const db = new pg.Client({ connectionString: t.url });
    await db.connect();
    try {
      const reads = await db.query<{ purpose: string; reader_username: string; outcome: string }>(
        `SELECT r.purpose, r.reader_username, r.outcome FROM personal_data_reads r JOIN personal_data d USING (ref)
          WHERE d.kind = 'monitoring_target'`,
      );
      expect(reads.rows).toContainEqual({ purpose: 'view round', reader_username: 'official1', outcome: 'revealed' });
    } finally {
      await db.end();
    }
  });

  it('keeps the values out of the log: person targets, names, posts and the detail are vault refs', async () => {
    const events = (await as.official.get(`/api/audit/events?limit=1000`).expect(200)).body.items;
    const raw = JSON.stringify(events);
    for (const value of [PERSON, SUBJECT, POST, DETAIL]) expect(raw).not.toContain(value);
    const point = events.find((e: { type: string; data: { pointId: string } }) => e.data.pointId === ids.pointA);
    expect(point.data.targets[1]).toEqual({ kind: 'person', ref: expect.any(String), departmentId: ids.deptA });
  });

  it("redacts person targets, subjects' posts and the identifying detail for auditors", async () => {
    const round = (await as.auditor.get(`/api/rounds/${ids.round}`).expect(200)).body;
    const lead = (await as.auditor.get(`/api/leads/${ids.lead}`).expect(200)).body;
    for (const body of [round, lead]) {
      for (const value of [PERSON, SUBJECT, POST, DETAIL]) expect(JSON.stringify(body)).not.toContain(value);
    }
    const pointA = round.monitoringPoints.find((p: { pointId: string }) => p.pointId === ids.pointA);
    expect(pointA.targets).toContainEqual(expect.objectContaining({ kind: 'person', name: REDACTED, redacted: true }));
    expect(lead.subjects[0]).toMatchObject({ name: REDACTED, post: REDACTED, redacted: true });
    expect(lead.summaryDetail).toEqual({ text: REDACTED, redacted: true });
  });

  it("shows a liaison only their own unit's monitoring points, without person targets", async () => {
    const mine = (await as.liaisonA.get(`/api/rounds/${ids.round}`).expect(200)).body;
    expect(mine.monitoringPoints.map((p: { pointId: string }) => p.pointId)).toEqual([ids.pointA]);
    expect(mine.monitoringPoints[0].targets.map((t: { kind: string }) => t.kind)).toEqual(['department', 'post']);
    expect(JSON.stringify(mine)).not.toContain(PERSON);
    const other = (await as.liaisonB.get(`/api/rounds/${ids.round}`).expect(200)).body;
    expect(other.monitoringPoints.map((p: { pointId: string }) => p.pointId)).toEqual([ids.pointB]);
    const listed = async (who: Actor) =>
      (await who.get('/api/rounds', { 'x-min-position': String(position) }).expect(200)).body.items[0].monitoringPoints;
    expect([await listed(as.official), await listed(as.liaisonA), await listed(as.liaisonB)]).toEqual([2, 1, 1]);
    const notMine = await as.liaisonB.get(`/api/findings/${ids.finding}`);
    const unknown = await as.liaisonB.get(`/api/findings/${randomUUID()}`);
    expect([notMine.status, notMine.body.code]).toEqual([unknown.status, unknown.body.code]);
  });
});
