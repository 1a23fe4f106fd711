import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  departmentDecider,
  departmentStream,
  findingDecider,
  findingStream,
  inspectionRoundDecider,
  leadDecider,
  leadStream,
  roundStream,
  type Command,
  type Decider,
  type Event,
} from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import { readModels } from '../src/read-models/index.js';
import { TABLES } from '../src/read-models/tables.js';
import {
  dashboardDepartments,
  dashboardFields,
  dashboardOverview,
  dashboardRedList,
  dashboardTrend,
} from '../src/queries/dashboard.queries.js';
import {
  listDepartments,
  listFindings,
  listLeads,
  listRounds,
  type FindingListQuery,
} from '../src/queries/list.queries.js';

/*
 * A scripted tour through the real deciders, folded by the read models into a throwaway schema,
 * once per batch size. Every figure below is worked out by hand from the script, for
 * TODAY = 2024-10-20 (Asia/Shanghai).
 */

const URL = process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TODAY = '2024-10-20';

const id = (prefix: string, n: number) =>
  `00000000-0000-4000-8000-${prefix.padStart(4, '0')}${String(n).padStart(8, '0')}`;
const D1 = id('d', 1); // 区教育局
const D2 = id('d', 2); // 区民政局
const D3 = id('d', 3); // 东城街道办事处, renamed
const R1 = id('a', 1);
const R2 = id('a', 2);
const [F1, F2, F3, F9] = [1, 2, 3, 9].map((n) => id('f', n));
const [P1, P2, P3, P4, P9] = [1, 2, 3, 4, 9].map((n) => id('b', n));
const A = (n: number) => id('c', n);
const L = (n: number) => id('e', n);
const B1 = id('c', 101);

/** Builds the log: each command is decided against the stream's folded state, like the app does. */
class Script {
  readonly events: RecordedEvent[] = [];
  private readonly states = new Map<string, unknown>();

  run<S, C extends Command, E extends Event>(
    decider: Decider<S, C, E>,
    stream: string,
    type: string,
    data: object,
    now: string,
  ): void {
    let state = (this.states.get(stream) as S | undefined) ?? decider.initialState();
    // The script names the command by its type string; the decider checks the data it gets.
    const produced = decider.decide({ type, data, metadata: { now } } as C, state);
    for (const event of produced) {
      state = decider.evolve(state, event);
      const position = this.events.length + 1;
      this.events.push({
        streamId: stream,
        revision: this.events.filter((e) => e.streamId === stream).length + 1,
        position,
        id: `00000000-0000-4000-9000-${String(position).padStart(12, '0')}`,
        type: event.type,
        // As the store answers it: parsed JSON.
        data: JSON.parse(JSON.stringify(event.data)),
        metadata: {
          actor: { id: 'u', username: 'script', role: 'official' },
          correlationId: 'c',
          causationId: 'c',
        },
        occurredAt: null,
        recordedAt: new Date(now),
        prevHash: '',
        hash: '',
      });
    }
    this.states.set(stream, state);
  }

  /** An event no read model knows (other models and future events share the log). */
  foreign(now: string): void {
    const position = this.events.length + 1;
    this.events.push({
      streamId: 'other-1',
      revision: 1,
      position,
      id: `00000000-0000-4000-9000-${String(position).padStart(12, '0')}`,
      type: 'SomethingElseHappened',
      data: { findingId: A(1), roundId: R1 },
      metadata: {
        actor: { id: 'u', username: 'x', role: 'admin' },
        correlationId: 'c',
        causationId: 'c',
      },
      occurredAt: null,
      recordedAt: new Date(now),
      prevHash: '',
      hash: '',
    });
  }
}

function tour(): RecordedEvent[] {
  const s = new Script();
  const dept = (d: string, type: string, data: object, now: string) =>
    s.run(departmentDecider, departmentStream(d), type, { departmentId: d, ...data }, now);
  const round = (r: string, type: string, data: object, now: string) =>
    s.run(inspectionRoundDecider, roundStream(r), type, { roundId: r, ...data }, now);
  const finding = (f: string, type: string, data: object, now: string) =>
    s.run(findingDecider, findingStream(f), type, { findingId: f, ...data }, now);
  const lead = (l: string, type: string, data: object, now: string) =>
    s.run(leadDecider, leadStream(l), type, { leadId: l, ...data }, now);

  dept(D1, 'RegisterDepartment', { name: '区教育局', kind: 'bureau' }, '2024-08-01T09:00:00+08:00');
  dept(D2, 'RegisterDepartment', { name: '区民政局', kind: 'bureau' }, '2024-08-01T09:01:00+08:00');
  dept(D3, 'RegisterDepartment', { name: '东城街道', kind: 'subdistrict' }, '2024-08-01T09:02:00+08:00');

  round(
    R1,
    'PlanRound',
    {
      kind: 'mobile',
      title: '平城区困难群众救助和基层执法领域机动式巡察',
      scope: '困难群众救助领域和基层执法领域',
      startsOn: '2024-08-26',
      endsOn: '2024-10-31',
    },
    '2024-08-20T10:00:00+08:00',
  );
  round(R1, 'AddFocusField', { fieldId: F1, name: '校园食品安全' }, '2024-08-20T10:01:00+08:00');
  round(R1, 'AddFocusField', { fieldId: F2, name: '社会救助' }, '2024-08-20T10:02:00+08:00');
  round(R1, 'AddFocusField', { fieldId: F3, name: '基层综合执法' }, '2024-08-20T10:03:00+08:00');
  round(
    R1,
    'AddMonitoringPoint',
    {
      pointId: P1,
      fieldId: F1,
      title: '学校食堂食材采购与查验',
      targets: [{ kind: 'department', name: '区教育局', departmentId: D1 }],
    },
    '2024-08-20T10:04:00+08:00',
  );
  round(
    R1,
    'AddMonitoringPoint',
    {
      pointId: P2,
      fieldId: F1,
      title: '食堂从业人员管理',
      targets: [{ kind: 'post', name: '食堂管理员' }],
    },
    '2024-08-20T10:05:00+08:00',
  );
  round(
    R1,
    'AddMonitoringPoint',
    {
      pointId: P3,
      fieldId: F2,
      title: '低保审核审批',
      targets: [{ kind: 'department', name: '区民政局', departmentId: D2 }],
    },
    '2024-08-20T10:06:00+08:00',
  );
  round(
    R1,
    'AddMonitoringPoint',
    {
      pointId: P4,
      fieldId: F3,
      title: '执法记录仪使用',
      targets: [{ kind: 'project', name: '执法规范化' }],
    },
    '2024-08-20T10:07:00+08:00',
  );
  round(R1, 'StationRound', { occurredAt: '2024-08-26T09:00:00+08:00' }, '2024-08-26T11:00:00+08:00');

  round(
    R2,
    'PlanRound',
    {
      kind: 'special',
      title: '医保基金专项巡察',
      scope: '医保基金',
      startsOn: '2024-09-10',
      endsOn: '2024-09-30',
    },
    '2024-09-01T10:00:00+08:00',
  );
  round(R2, 'AddFocusField', { fieldId: F9, name: '医疗救助' }, '2024-09-01T10:01:00+08:00');
  round(
    R2,
    'AddMonitoringPoint',
    {
      pointId: P9,
      fieldId: F9,
      title: '医疗救助资金发放',
      targets: [{ kind: 'department', name: '区医疗保障局' }],
    },
    '2024-09-01T10:02:00+08:00',
  );
  round(R2, 'StationRound', {}, '2024-09-10T09:00:00+08:00');

  const record = (
    f: string,
    point: string,
    field: string,
    dept_: string,
    title: string,
    description: string,
    now: string,
    round_ = R1,
  ) =>
    finding(
      f,
      'RecordFinding',
      {
        roundId: round_,
        fieldId: field,
        monitoringPointId: point,
        departmentId: dept_,
        title,
        description,
      },
      now,
    );
  const assign = (f: string, type: string, dept_: string, dueOn: string, now: string) =>
    finding(f, 'AssignRectification', { type, departmentId: dept_, responsiblePerson: '王建国', dueOn }, now);
  const ack = (f: string, now: string) => finding(f, 'AcknowledgeRectification', {}, now);
  const plan = (f: string, now: string) =>
    finding(f, 'SubmitRectificationPlan', { measures: '建立台账', target: '月底前完成' }, now);
  const progress = (f: string, percent: number, now: string) =>
    finding(f, 'ReportProgress', { note: '推进中', percent }, now);
  const requestClosure = (f: string, now: string) =>
    finding(f, 'RequestClosure', { evidence: ['整改报告.pdf'], signedOffBy: '局长 李明' }, now);
  const verify = (f: string, now: string, extra: object = {}) =>
    finding(f, 'VerifyRectification', { accepted: true, ...extra }, now);

  record(A(1), P1, F1, D1, '学校食堂食材采购台账不全', '抽查3所学校，食材索证索票不全。', '2024-08-27T10:00:00+08:00');
  record(A(2), P1, F1, D1, '夜市摊点肉制品来源不明', '现场检查发现来源不明肉制品。', '2024-08-27T11:00:00+08:00');
  record(A(3), P2, F1, D1, '从业人员健康证过期', '某校食堂2名从业人员健康证过期。', '2024-08-28T10:00:00+08:00');
  record(A(4), P2, F1, D2, '困难学生餐补发放滞后', '餐补发放延迟两个月。', '2024-08-28T11:00:00+08:00');
  record(A(5), P3, F2, D2, '低保审核把关不严', '抽查发现不符合条件人员纳入低保。', '2024-08-29T10:00:00+08:00');
  record(A(6), P3, F2, D3, '临时救助台账缺失', '街道临时救助未建台账。', '2024-08-29T11:00:00+08:00');
  record(A(7), P3, F2, D3, '经核实不属实的问题', '反映情况与事实不符。', '2024-08-30T10:00:00+08:00');
  record(A(8), P4, F3, D3, '执法记录仪使用不规范', '执法过程未全程记录。', '2024-08-30T11:00:00+08:00');
  record(A(9), P1, F1, D1, '食堂留样不规范', '留样时间不足48小时。', '2024-08-31T10:00:00+08:00');
  // 01:30 on Monday 2 September in 平城区, still Sunday in UTC: belongs to the week of 2 September.
  record(A(10), P3, F2, D2, '救助资金发放不及时', '资金拨付滞后。', '2024-09-01T17:30:00Z');
  record(A(12), P2, F1, D1, '电动车充电ABC隐患', '学校车棚私拉电线。', '2024-09-03T10:00:00+08:00');
  record(A(13), P1, F1, D1, '食材查验覆盖率低', '查验覆盖率不足100%。', '2024-09-03T11:00:00+08:00');
  record(A(14), P3, F2, D2, '特困人员供养标准执行不到位', '个别对象未足额发放。', '2024-09-04T10:00:00+08:00');
  record(B1, P9, F9, D1, '医疗救助重复报销', '同一票据重复报销。', '2024-09-11T10:00:00+08:00', R2);

  lead(
    L(1),
    'RecordLead',
    {
      roundId: R1,
      monitoringPointId: P1,
      source: 'petition',
      summary: '群众反映食堂采购存在利益输送',
      subjects: [{ ref: 'pd-1', post: '食堂管理员' }],
      informantRef: 'pd-2',
    },
    '2024-08-27T15:00:00+08:00',
  );
  lead(
    L(4),
    'RecordLead',
    {
      roundId: R1,
      monitoringPointId: P4,
      source: 'site_visit',
      summary: '执法队员执法不规范',
    },
    '2024-08-28T15:00:00+08:00',
  );
  lead(
    L(2),
    'RecordLead',
    {
      roundId: R1,
      monitoringPointId: P3,
      source: 'interview',
      summary: '低保审批中优亲厚友',
    },
    '2024-09-03T15:00:00+08:00',
  );
  lead(
    L(3),
    'RecordLead',
    { roundId: R1, source: 'documents', summary: '查阅资料发现账目异常' },
    '2024-09-04T15:00:00+08:00',
  );
  lead(
    L(9),
    'RecordLead',
    {
      roundId: R2,
      monitoringPointId: P9,
      source: 'petition',
      summary: '医保报销违规',
    },
    '2024-09-12T15:00:00+08:00',
  );
  s.foreign('2024-09-05T00:00:00Z');

  // A1: in progress, due 15 Oct — overdue on the 20th.
  assign(A(1), 'deadline', D1, '2024-10-15', '2024-08-28T09:00:00+08:00');
  ack(A(1), '2024-08-29T09:00:00+08:00');
  plan(A(1), '2024-08-30T09:00:00+08:00');
  progress(A(1), 50, '2024-09-15T09:00:00+08:00');
  // A2: 立行立改, closed the next day.
  assign(A(2), 'immediate', D1, '2024-08-30', '2024-08-28T10:00:00+08:00');
  requestClosure(A(2), '2024-08-29T10:00:00+08:00');
  verify(A(2), '2024-08-29T18:00:00+08:00');
  // A3: acknowledged, due today — yellow, not yet overdue.
  assign(A(3), 'deadline', D1, '2024-10-20', '2024-08-30T09:00:00+08:00');
  ack(A(3), '2024-08-31T09:00:00+08:00');
  // A4: due in 20 days — green.
  assign(A(4), 'deadline', D2, '2024-11-09', '2024-08-30T10:00:00+08:00');
  // A5: closed after a rejection, then reopened by 回头看.
  assign(A(5), 'deadline', D2, '2024-12-31', '2024-09-02T09:00:00+08:00');
  ack(A(5), '2024-09-03T09:00:00+08:00');
  plan(A(5), '2024-09-04T09:00:00+08:00');
  progress(A(5), 80, '2024-09-10T09:00:00+08:00');
  requestClosure(A(5), '2024-09-15T09:00:00+08:00');
  finding(
    A(5),
    'VerifyRectification',
    { accepted: false, reason: '佐证材料不足', dueOn: '2024-12-31' },
    '2024-09-20T09:00:00+08:00',
  );
  requestClosure(A(5), '2024-09-22T09:00:00+08:00');
  verify(A(5), '2024-09-25T09:00:00+08:00');
  finding(
    A(5),
    'ReopenRectification',
    { reason: '回头看发现问题反弹', dueOn: '2024-12-31' },
    '2024-10-08T09:00:00+08:00',
  );
  // A6: found at the subdistrict, assigned to 区民政局 as long-term, accepted as ongoing.
  assign(A(6), 'long_term', D2, '2024-10-20', '2024-09-02T10:00:00+08:00');
  ack(A(6), '2024-09-03T10:00:00+08:00');
  plan(A(6), '2024-09-04T10:00:00+08:00');
  requestClosure(A(6), '2024-10-09T10:00:00+08:00');
  verify(A(6), '2024-10-10T10:00:00+08:00', {
    ongoing: true,
    reason: '制度已建立，需持续执行',
  });
  // A7 dismissed; A8 stays recorded.
  finding(A(7), 'DismissFinding', { reason: '经核实不属实' }, '2024-09-01T09:00:00+08:00');
  // A9: 立行立改 waiting for verification since before its due date — overdue.
  assign(A(9), 'immediate', D1, '2024-09-01', '2024-08-31T11:00:00+08:00');
  requestClosure(A(9), '2024-08-31T16:00:00+08:00');
  // A10: closed at 04:00 on Monday 14 October in 平城区 (Sunday in UTC): 42 days after assignment.
  assign(A(10), 'deadline', D2, '2024-10-31', '2024-09-02T09:00:00+08:00');
  ack(A(10), '2024-09-03T09:00:00+08:00');
  plan(A(10), '2024-09-04T09:00:00+08:00');
  requestClosure(A(10), '2024-10-10T09:00:00+08:00');
  verify(A(10), '2024-10-13T20:00:00Z');
  // A12: 10 days left — yellow; A13: 11 days — green; A14: 21 days — no colour.
  assign(A(12), 'deadline', D1, '2024-10-30', '2024-09-05T09:00:00+08:00');
  assign(A(13), 'deadline', D1, '2024-10-31', '2024-09-05T09:00:00+08:00');
  assign(A(14), 'deadline', D2, '2024-11-10', '2024-09-05T09:00:00+08:00');
  // B1 in the other round: overdue there.
  assign(B1, 'deadline', D1, '2024-10-01', '2024-09-12T09:00:00+08:00');

  lead(L(1), 'TriageLead', { decision: 'transfer', note: '移交区纪委监委' }, '2024-08-28T09:00:00+08:00');
  lead(L(1), 'TransferLead', { receiver: 'discipline_commission' }, '2024-08-29T09:00:00+08:00');
  lead(L(1), 'AcknowledgeLeadReceipt', {}, '2024-08-30T09:00:00+08:00');
  lead(L(1), 'RecordDisposition', { method: 'shelved' }, '2024-09-02T09:00:00+08:00');
  lead(L(1), 'RecordDisposition', { method: 'preliminary_verification' }, '2024-09-10T09:00:00+08:00');
  const sanctions = [
    { kind: 'party', count: 2 },
    { kind: 'organizational', count: 1 },
  ];
  lead(
    L(1),
    'RecordOutcome',
    { outcome: 'case_opened', sanctions, recoveredFunds: 12345.67 },
    '2024-10-01T09:00:00+08:00',
  );
  lead(L(1), 'CloseLead', {}, '2024-10-08T09:00:00+08:00');
  lead(L(2), 'TriageLead', { decision: 'transfer' }, '2024-09-04T09:00:00+08:00');
  lead(
    L(2),
    'TransferLead',
    { receiver: 'functional_department', receiverDepartmentId: D2 },
    '2024-09-05T09:00:00+08:00',
  );
  lead(L(2), 'AcknowledgeLeadReceipt', {}, '2024-09-06T09:00:00+08:00');
  lead(L(2), 'RecordDisposition', { method: 'concluded' }, '2024-09-20T09:00:00+08:00');
  lead(L(4), 'TriageLead', { decision: 'refer_elsewhere' }, '2024-08-29T09:00:00+08:00');
  const visit = { visitedOn: '2024-09-01', visiteeRef: 'pd-visitee', note: '回访' };
  lead(L(4), 'RecordLeadFollowUp', { ...visit, satisfaction: 'satisfied' }, '2024-09-02T09:00:00+08:00');
  lead(L(4), 'RecordLeadFollowUp', { ...visit, satisfaction: 'dissatisfied' }, '2024-09-03T09:00:00+08:00');

  dept(D3, 'RenameDepartment', { name: '东城街道办事处' }, '2024-09-06T09:00:00+08:00');
  return s.events;
}

const EVENTS = tour();
const BATCH_SIZES = [1, 7, EVENTS.length] as const;

let client: pg.Client;
const prefix = `rm_test_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
const schemaFor = (size: number) => `${prefix}_b${size}`;

beforeAll(async () => {
  client = new pg.Client({ connectionString: URL });
  await client.connect();
  for (const size of BATCH_SIZES) {
    const schema = schemaFor(size);
    await client.query(`CREATE SCHEMA ${schema}`);
    for (const model of readModels) await client.query(model.ddl(schema));
    // As the projector does: every batch in one transaction, every model in turn.
    for (let i = 0; i < EVENTS.length; i += size) {
      const batch = EVENTS.slice(i, i + size);
      await client.query('BEGIN');
      for (const model of readModels) await model.applyBatch(batch, client, schema);
      await client.query('COMMIT');
    }
  }
});

afterAll(async () => {
  for (const size of BATCH_SIZES) await client?.query(`DROP SCHEMA IF EXISTS ${schemaFor(size)} CASCADE`);
  await client?.end();
});

async function dump(schema: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const name of Object.values(TABLES)) {
    // Counter rows that went back to zero may or may not exist depending on batching; they say nothing.
    const { rows } = await client.query(`SELECT * FROM ${schema}.${name} t ORDER BY 1, 2, 3`);
    out[name] = rows.filter(
      (row) =>
        !(name.includes('figures') || name.includes('counts') || name.includes('by_due')) ||
        Object.values(row).some((v) => typeof v === 'number' && v !== 0),
    );
  }
  return out;
}

it('folds to the same rows whatever the batch size', async () => {
  const reference = await dump(schemaFor(BATCH_SIZES[0]));
  expect(reference[TABLES.findings]).toHaveLength(14);
  for (const size of BATCH_SIZES.slice(1)) expect(await dump(schemaFor(size))).toEqual(reference);
});

describe.each(BATCH_SIZES)('read models fed in batches of %i events', (size) => {
  const schema = schemaFor(size);

  it('answers the round overview', async () => {
    expect(await dashboardOverview(client, schema, { roundId: R1 }, TODAY)).toEqual({
      fields: 3,
      monitoringPoints: 4,
      findings: 13,
      leads: 4,
      immediate: { assigned: 2, closed: 1 },
      rectification: {
        assigned: 11,
        closed: 2,
        inProgress: 8,
        ongoing: 1,
        overdue: 2,
        completionRate: 0.1818,
      },
      // L4, referred elsewhere, was closed at triage.
      leadsByState: {
        recorded: 1,
        triaged: 0,
        transferred: 0,
        received: 0,
        disposing: 0,
        concluded: 1,
        closed: 2,
      },
      leadsByDisposition: {
        talk_or_letter: 0,
        preliminary_verification: 1,
        shelved: 0,
        concluded: 1,
      },
      leadsByOutcome: {
        cleared: 0,
        reminder: 0,
        criticism: 0,
        admonition: 0,
        case_opened: 1,
        organizational_measure: 0,
        judicial_transfer: 0,
      },
      leadsBySource: {
        interview: 1,
        petition: 1,
        documents: 1,
        site_visit: 1,
        hotline_12345: 0,
      },
      // The two 回访 of L4.
      followUps: { satisfied: 1, basicallySatisfied: 0, dissatisfied: 1 },
      leadFigures: { transferredTotal: 2, overdueFeedback: 0 },
      sanctions: { party: 2, government: 0, organizational: 1 },
      recoveredFunds: 12345.67,
    });
  });

  it('lists every overdue rectification on the red list, longest overdue first, as of the day asked', async () => {
    const overview = await dashboardOverview(client, schema, { roundId: R1 }, TODAY);
    const red = await dashboardRedList(client, schema, { roundId: R1 }, TODAY);
    expect(red.on).toBe(TODAY);
    expect(red.findings).toHaveLength(overview.rectification.overdue);
    for (const item of red.findings) {
      expect(item.daysOverdue).toBeGreaterThan(0);
      expect(item.dueOn < TODAY).toBe(true);
      expect(item).toMatchObject({ notices: 0, extension: null, department: expect.any(String) });
    }
    const days = red.findings.map((f) => f.daysOverdue);
    expect([...days].sort((a, b) => b - a)).toEqual(days);
    expect(red.leads).toEqual([]);
    // A year on, every open rectification is overdue.
    const later = await dashboardRedList(client, schema, { roundId: R1 }, '2026-01-01');
    expect(later.findings).toHaveLength(overview.rectification.inProgress);
  });

  it('adds up every round when no round is named', async () => {
    const all = await dashboardOverview(client, schema, {}, TODAY);
    expect(all).toMatchObject({
      fields: 4,
      monitoringPoints: 5,
      findings: 14,
      leads: 5,
      rectification: { assigned: 12, overdue: 3, inProgress: 9 },
    });
  });

  it('answers one row per department with states, warnings and days to close', async () => {
    const rows = await dashboardDepartments(client, schema, { roundId: R1 }, TODAY);
    const byId = Object.fromEntries(rows.map((r) => [r.departmentId, r]));
    expect(rows).toHaveLength(3);
    expect(byId[D1]).toEqual({
      departmentId: D1,
      name: '区教育局',
      findings: 6,
      assigned: 6,
      byState: {
        recorded: 0,
        assigned: 2,
        acknowledged: 1,
        in_progress: 1,
        pending_verification: 1,
        closed: 1,
        ongoing: 0,
        dismissed: 0,
      },
      closed: 1,
      overdue: 2,
      warning: { green: 1, yellow: 2, red: 2 },
      immediate: { assigned: 2, closed: 1 },
      completionRate: 0.1667,
      avgDaysToClose: 1,
      reopened: 0,
      rejected: 0,
    });
    // A6 was found at the subdistrict but assigned to 区民政局: it counts there, with its state.
    expect(byId[D2]).toEqual({
      departmentId: D2,
      name: '区民政局',
      findings: 5,
      assigned: 5,
      byState: {
        recorded: 0,
        assigned: 2,
        acknowledged: 0,
        in_progress: 1,
        pending_verification: 0,
        closed: 1,
        ongoing: 1,
        dismissed: 0,
      },
      closed: 1,
      overdue: 0,
      warning: { green: 1, yellow: 0, red: 0 },
      immediate: { assigned: 0, closed: 0 },
      completionRate: 0.2,
      avgDaysToClose: 42,
      reopened: 1,
      rejected: 1,
    });
    expect(byId[D3]).toMatchObject({
      name: '东城街道办事处',
      findings: 2,
      assigned: 0,
      byState: { recorded: 1, dismissed: 1, assigned: 0 },
      completionRate: 0,
      avgDaysToClose: null,
      overdue: 0,
      warning: { green: 0, yellow: 0, red: 0 },
    });
  });

  it('computes warnings against the given day and thresholds, not the day of projection', async () => {
    const [later] = await dashboardDepartments(client, schema, { roundId: R1, departmentId: D1 }, '2024-10-26');
    // A3 (due 20th) and A12 (due 30th)… on the 26th: A1, A9, A3 overdue; A12 4 days, A13 5 days left.
    expect(later).toMatchObject({
      overdue: 3,
      warning: { red: 3, yellow: 2, green: 0 },
    });
    const [strict] = await dashboardDepartments(
      client,
      schema,
      {
        roundId: R1,
        departmentId: D1,
        thresholds: { greenDays: 30, yellowDays: 3 },
      },
      TODAY,
    );
    // Days left: A3 0, A12 10, A13 11 → yellow 1, green 2.
    expect(strict).toMatchObject({
      overdue: 2,
      warning: { red: 2, yellow: 1, green: 2 },
    });
    const [before] = await dashboardDepartments(client, schema, { roundId: R1, departmentId: D1 }, '2024-08-31');
    expect(before).toMatchObject({ overdue: 0, warning: { red: 0 } });
  });

  it('answers only the named department, and every round without a round', async () => {
    expect(await dashboardDepartments(client, schema, { roundId: R1, departmentId: D2 }, TODAY)).toEqual([
      expect.objectContaining({ departmentId: D2 }),
    ]);
    const [d1] = await dashboardDepartments(client, schema, { departmentId: D1 }, TODAY);
    expect(d1).toMatchObject({
      findings: 7,
      assigned: 7,
      overdue: 3,
      byState: { assigned: 3 },
    });
  });

  it('answers one row per focus field', async () => {
    expect(await dashboardFields(client, schema, { roundId: R1 }, TODAY)).toEqual([
      {
        fieldId: F1,
        roundId: R1,
        name: '校园食品安全',
        monitoringPoints: 2,
        findings: 7,
        leads: 1,
        assigned: 7,
        closed: 1,
        completionRate: 0.1429,
      },
      {
        fieldId: F2,
        roundId: R1,
        name: '社会救助',
        monitoringPoints: 1,
        findings: 5,
        leads: 1,
        assigned: 4,
        closed: 1,
        completionRate: 0.25,
      },
      {
        fieldId: F3,
        roundId: R1,
        name: '基层综合执法',
        monitoringPoints: 1,
        findings: 1,
        leads: 1,
        assigned: 0,
        closed: 0,
        completionRate: 0,
      },
    ]);
  });

  it('answers the weekly trend in office weeks, without holes', async () => {
    expect(await dashboardTrend(client, schema, { roundId: R1, bucket: 'week' }, TODAY)).toEqual([
      {
        bucketStart: '2024-08-26',
        findingsRecorded: 9,
        rectificationsClosed: 1,
        leadsRecorded: 2,
      },
      {
        bucketStart: '2024-09-02',
        findingsRecorded: 4,
        rectificationsClosed: 0,
        leadsRecorded: 2,
      },
      {
        bucketStart: '2024-09-09',
        findingsRecorded: 0,
        rectificationsClosed: 0,
        leadsRecorded: 0,
      },
      {
        bucketStart: '2024-09-16',
        findingsRecorded: 0,
        rectificationsClosed: 0,
        leadsRecorded: 0,
      },
      {
        bucketStart: '2024-09-23',
        findingsRecorded: 0,
        rectificationsClosed: 1,
        leadsRecorded: 0,
      },
      {
        bucketStart: '2024-09-30',
        findingsRecorded: 0,
        rectificationsClosed: 0,
        leadsRecorded: 0,
      },
      {
        bucketStart: '2024-10-07',
        findingsRecorded: 0,
        rectificationsClosed: 0,
        leadsRecorded: 0,
      },
      {
        bucketStart: '2024-10-14',
        findingsRecorded: 0,
        rectificationsClosed: 1,
        leadsRecorded: 0,
      },
    ]);
    expect(await dashboardTrend(client, schema, { roundId: R2 }, TODAY)).toEqual([
      {
        bucketStart: '2024-09-09',
        findingsRecorded: 1,
        rectificationsClosed: 0,
        leadsRecorded: 1,
      },
    ]);
  });

  describe('the findings list', () => {
    const ids = async (query: FindingListQuery, today = TODAY) =>
      (await listFindings(client, schema, { roundId: R1, pageSize: 200, ...query }, today)).items
        .map((i) => i.findingId)
        .sort();

    it('filters by status, type, department, assigned unit and field', async () => {
      expect(await ids({ status: 'in_progress' })).toEqual([A(1), A(5)]);
      expect(await ids({ type: 'immediate' })).toEqual([A(2), A(9)]);
      expect(await ids({ departmentId: D2 })).toEqual([A(4), A(5), A(6), A(10), A(14)].sort());
      expect(await ids({ departmentId: D3 })).toEqual([A(7), A(8)]);
      expect(await ids({ assignedDepartmentId: D3 })).toEqual([]);
      expect(await ids({ fieldId: F3 })).toEqual([A(8)]);
      expect(await ids({ roundId: R2 })).toEqual([B1]);
    });

    it('filters overdue and warning colours for the given day', async () => {
      expect(await ids({ overdue: true })).toEqual([A(1), A(9)]);
      expect(await ids({ overdue: false })).toHaveLength(11);
      expect(await ids({ warning: 'red' })).toEqual([A(1), A(9)]);
      expect(await ids({ warning: 'yellow' })).toEqual([A(3), A(12)]);
      expect(await ids({ warning: 'green' })).toEqual([A(4), A(13)]);
      expect(await ids({ overdue: true }, '2024-10-21')).toEqual([A(1), A(3), A(9)]);
    });

    it('searches title, description and category by substring, case-insensitively, taking % literally', async () => {
      expect(await ids({ q: '食堂' })).toEqual([A(1), A(3), A(9)]);
      expect(await ids({ q: 'abc' })).toEqual([A(12)]);
      expect(await ids({ q: '100%' })).toEqual([A(13)]);
      expect(await ids({ q: '%%' })).toEqual([]);
      expect(await ids({ q: '食堂', status: 'acknowledged' })).toEqual([A(3)]);
    });

    it('finds a Chinese word of two characters or more through the bigram index, with the same answers as the scan', async () => {
      const { rows } = await client.query(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexdef LIKE '%USING gin (%search_bigrams(search))%'`,
        [schema],
      );
      expect(rows).toHaveLength(1);
      // Each pair of adjacent characters is one key: code point × 2^21 + the next code point. A character beyond
      // the BMP (U+20000) is one character, as it is to JavaScript's spread.
      const bigrams = await client.query<{ a: string; b: string; c: string }>(
        `SELECT ${schema}.search_bigrams('台账a')::text AS a, ${schema}.search_bigrams('\u{20000}台')::text AS b,
                ${schema}.search_bigrams('台')::text AS c`,
      );
      expect(bigrams.rows[0]).toEqual({
        a: `{${0x53f0 * 2 ** 21 + 0x8d26},${0x8d26 * 2 ** 21 + 0x61}}`,
        b: `{${0x20000 * 2 ** 21 + 0x53f0}}`,
        c: '{}',
      });
      // Two characters, four, one (no pair: LIKE alone), Latin, a literal %; and 食堂食材索, whose four pairs all
      // occur in A(1) but not as one run: the index finds A(1), LIKE turns it away. Over all rounds listFindings
      // asks the bigram index for candidates; within one round it filters the round's rows with LIKE alone.
      const searches = ['食堂', '食材采购', '堂', 'abc', '100%', '食堂食材索', '救助'];
      const inRound = [[A(1), A(3), A(9)], [A(1)], [A(1), A(3), A(9)], [A(12)], [A(13)], [], [A(6), A(10)]];
      const statements: string[] = [];
      const recording = {
        query: (text: string, values: unknown[]) => (statements.push(text), client.query(text, values)),
      } as unknown as pg.ClientBase;
      const search = async (q: string, roundId?: string) => {
        statements.length = 0;
        const page = await listFindings(recording, schema, { roundId, pageSize: 200, q }, TODAY);
        const viaIndex = statements.every((text) => text.includes('search_bigrams(f.search) @>'));
        return { ids: page.items.map((i) => i.findingId).sort(), total: page.total, viaIndex };
      };
      const answers = async () => {
        const all = [];
        for (const q of searches) all.push({ round: await search(q, R1), allRounds: await search(q) });
        return all;
      };
      const scanned = await answers();
      expect(scanned.map((a) => a.round.ids)).toEqual(inRound);
      expect(scanned.map((a) => a.allRounds.ids)).toEqual(
        inRound.map((ids, i) => (i === 6 ? [...ids, B1].sort() : ids)),
      );
      for (const a of scanned)
        expect([a.round.total, a.allRounds.total]).toEqual([a.round.ids.length, a.allRounds.ids.length]);
      expect(scanned.map((a) => [a.round.viaIndex, a.allRounds.viaIndex])).toEqual(
        searches.map((q) => [false, [...q].length >= 2]),
      );
      const candidates = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.findings
          WHERE ${schema}.search_bigrams(search) @> ${schema}.search_bigrams('食堂食材索')`,
      );
      expect(candidates.rows[0].n).toBe(1);
      await client.query('BEGIN');
      try {
        await client.query('SET LOCAL enable_seqscan = off');
        await client.query('SET LOCAL enable_indexscan = off');
        const plan = await client.query(
          `EXPLAIN SELECT id FROM ${schema}.findings f
            WHERE ${schema}.search_bigrams(f.search) @> ${schema}.search_bigrams('食材采购') AND f.search LIKE '%食材采购%'`,
        );
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Bitmap Index Scan on \S*search_bigrams\S*/);
        expect(await answers()).toEqual(scanned);
      } finally {
        await client.query('ROLLBACK');
      }
    });

    it('pages newest first and reports the total', async () => {
      const third = await listFindings(client, schema, { roundId: R1, page: 3, pageSize: 5 }, TODAY);
      expect(third).toMatchObject({ total: 13, page: 3, pageSize: 5 });
      expect(third.items.map((i) => i.findingId)).toEqual([A(3), A(2), A(1)]);
      const first = await listFindings(client, schema, { roundId: R1 }, TODAY);
      expect(first).toMatchObject({ total: 13, page: 1, pageSize: 20 });
      expect(first.items[0].findingId).toBe(A(14));
      expect(await listFindings(client, schema, { roundId: R1, page: 9, pageSize: 5 }, TODAY)).toEqual({
        items: [],
        total: 13,
        page: 9,
        pageSize: 5,
      });
      expect((await listFindings(client, schema, { pageSize: 1000 }, TODAY)).pageSize).toBe(200);
    });

    it('answers each finding with its rectification, days left, overdue and warning', async () => {
      const items = (await listFindings(client, schema, { roundId: R1, pageSize: 200 }, TODAY)).items;
      const get = (f: string) => items.find((i) => i.findingId === f)!;
      expect(get(A(1))).toMatchObject({
        status: 'in_progress',
        type: 'deadline',
        dueOn: '2024-10-15',
        daysLeft: -5,
        overdue: true,
        warning: 'red',
        progressPercent: 50,
        departmentName: '区教育局',
        cycle: 1,
      });
      expect(get(A(3))).toMatchObject({
        daysLeft: 0,
        overdue: false,
        warning: 'yellow',
      });
      expect(get(A(13))).toMatchObject({ daysLeft: 11, warning: 'green' });
      expect(get(A(14))).toMatchObject({ daysLeft: 21, warning: 'none' });
      expect(get(A(2))).toMatchObject({
        status: 'closed',
        overdue: false,
        warning: 'none',
        closedAt: '2024-08-29T10:00:00.000Z',
        assignedAt: '2024-08-28T02:00:00.000Z',
      });
      expect(get(A(5))).toMatchObject({
        status: 'in_progress',
        cycle: 2,
        reopenedCount: 1,
        rejectedCount: 1,
        closedAt: null,
        warning: 'none',
      });
      expect(get(A(6))).toMatchObject({
        status: 'ongoing',
        departmentId: D2,
        recordedDepartmentId: D3,
        warning: 'none',
        ongoingSince: '2024-10-10T02:00:00.000Z',
      });
      expect(get(A(8))).toMatchObject({
        status: 'recorded',
        type: null,
        dueOn: null,
        daysLeft: null,
        overdue: false,
        warning: 'none',
        departmentName: '东城街道办事处',
      });
      expect(get(A(7))).toMatchObject({
        status: 'dismissed',
        dismissedAt: '2024-09-01T01:00:00.000Z',
      });
    });
  });

  it('lists leads without names, filtered by round, status and source', async () => {
    const all = await listLeads(client, schema, { roundId: R1 }, TODAY);
    expect(all.total).toBe(4);
    expect(all.items.map((l) => l.leadId)).toEqual([L(3), L(2), L(4), L(1)]);
    const closedOnes = (await listLeads(client, schema, { roundId: R1, status: 'closed' }, TODAY)).items;
    expect(closedOnes.map((l) => l.leadId).sort()).toEqual([L(1), L(4)].sort());
    expect(closedOnes.find((l) => l.leadId === L(4))).toMatchObject({ triageDecision: 'refer_elsewhere' });
    const closed = closedOnes.find((l) => l.leadId === L(1))!;
    expect(closed).toMatchObject({
      leadId: L(1),
      fieldId: F1,
      monitoringPointId: P1,
      source: 'petition',
      status: 'closed',
      subjectCount: 1,
      triageDecision: 'transfer',
      receiver: 'discipline_commission',
      disposition: 'preliminary_verification',
      dispositionChanges: 1,
      outcome: 'case_opened',
      disposedAt: '2024-09-02T01:00:00.000Z',
      closedAt: '2024-10-08T01:00:00.000Z',
    });
    expect(JSON.stringify(closed)).not.toMatch(/pd-\d|informant|subjects"/);
    expect((await listLeads(client, schema, { source: 'petition' }, TODAY)).items.map((l) => l.leadId).sort()).toEqual(
      [L(1), L(9)].sort(),
    );
    expect((await listLeads(client, schema, { roundId: R1, status: 'concluded' }, TODAY)).items[0]).toMatchObject({
      leadId: L(2),
      receiverDepartmentId: D2,
      fieldId: F2,
    });
    expect((await listLeads(client, schema, { roundId: R1, source: 'documents' }, TODAY)).items[0]).toMatchObject({
      leadId: L(3),
      fieldId: null,
      monitoringPointId: null,
    });
  });

  it('lists departments with their current names, and rounds latest first', async () => {
    const departments = await listDepartments(client, schema);
    expect(departments).toMatchObject({ total: 3, page: 1, pageSize: 200 });
    expect(departments.items).toEqual(
      expect.arrayContaining([
        {
          departmentId: D3,
          name: '东城街道办事处',
          kind: 'subdistrict',
          parentId: null,
          registeredAt: '2024-08-01T01:02:00.000Z',
        },
      ]),
    );
    const rounds = await listRounds(client, schema, {});
    expect(rounds.items.map((r) => r.roundId)).toEqual([R2, R1]);
    expect(rounds.items[1]).toEqual({
      roundId: R1,
      title: '平城区困难群众救助和基层执法领域机动式巡察',
      kind: 'mobile',
      status: 'stationed',
      scope: '困难群众救助领域和基层执法领域',
      team: null,
      startsOn: '2024-08-26',
      endsOn: '2024-10-31',
      fields: 3,
      monitoringPoints: 4,
      milestones: {
        planned: '2024-08-20T10:00:00+08:00',
        stationed: '2024-08-26T09:00:00+08:00',
      },
      lastPosition: expect.any(Number),
    });
    expect((await listRounds(client, schema, { kind: 'special', pageSize: 1 })).items.map((r) => r.roundId)).toEqual([
      R2,
    ]);
    // A unit liaison's view counts only the points aimed at their unit: 区教育局 has P1 in R1 and none in R2.
    const own = await listRounds(client, schema, { ownDepartmentId: D1 });
    expect(own.items.map((r) => [r.roundId, r.monitoringPoints])).toEqual([
      [R2, 0],
      [R1, 1],
    ]);
    expect(own.total).toBe(rounds.total);
  });
});

it('refuses a schema name that is not a plain identifier', () => {
  expect(() => readModels[0].ddl('rm; DROP TABLE x')).toThrow(/plain identifier/);
});
