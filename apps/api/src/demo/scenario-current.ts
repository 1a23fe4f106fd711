import type { DomainCommand, RectificationType } from '@app/domain';
import type { LeadPersonalData } from '../cases/application/command-handlers.js';

/*
 * The demo's present (docs/domain.md "Demo"): the 2024 tour ended long ago, so beside it the demo holds a
 * 回头看 of the same fields, stationed four weeks before the day the demo is loaded. Its deadlines fall in
 * every warning colour relative to that day — one overdue (红), one within 10 days (黄), one within 20 days
 * (绿) — a transferred lead still waiting for the receiver's feedback, and 回访, among them the resident of
 * the reference tour's 因病致贫 finding, who was added to social assistance.
 *
 * Plain data: every step is a command (without its metadata), its actor and its time, computed from the
 * load day. The loader sends them through the same bus as the API. Other modules add steps of their own
 * (督办 notices, extensions: issue 13) with `extendCurrentScenario`, naming cases by `scenario.id(kind, key)`.
 */

/** A command as the scenario builds it; the loader adds the metadata (who, when). */
export type UnsentCommand = DomainCommand extends infer C ? (C extends unknown ? Omit<C, 'metadata'> : never) : never;

export interface CurrentStep {
  at: Date;
  /** Demo username. */
  by: string;
  what: string;
  command: UnsentCommand;
  /** Names and contacts in clear, to the vault (RecordLead subjects and informant, 回访 visitee). */
  personal?: LeadPersonalData;
}

export interface CurrentScenario {
  /** The load day, YYYY-MM-DD in office time. */
  today: string;
  roundId: string;
  title: string;
  /** The id of a case or part of the current round by its key (`finding`/`lead`/`field`/`point`). */
  id(kind: string, key: string): string;
  /** The day `days` from the load day (negative: before). */
  day(days: number): string;
  /** The instant at office time `hhmm` on the day `days` from the load day. */
  at(days: number, hhmm: string): Date;
  steps: CurrentStep[];
}

export type CurrentScenarioExtension = (scenario: CurrentScenario) => CurrentStep[];

const extensions: CurrentScenarioExtension[] = [];

/** Steps another module adds to the current round (after its own, merged in time order by the loader). */
export function extendCurrentScenario(extension: CurrentScenarioExtension): void {
  extensions.push(extension);
}

export const CURRENT_ROUND_TITLE = '平城区困难群众救助领域整改“回头看”';

/** Department keys of the reference scenario. */
const MINZHENG = 'minzheng';
const NANJIAO = 'nanjiao';
const YIBAO = 'yibao';
const XIJIE = 'xijie';

export function buildCurrentScenario(
  today: string,
  id: (kind: string, key: string) => string,
  department: (key: string) => string,
): CurrentScenario {
  const base = Date.parse(`${today}T00:00:00+08:00`);
  const day = (days: number) => new Date(base + days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  const at = (days: number, hhmm: string) => new Date(`${day(days)}T${hhmm}:00+08:00`);
  const roundId = id('round', 'current');
  const steps: CurrentStep[] = [];
  const step = (
    days: number,
    hhmm: string,
    by: string,
    what: string,
    command: UnsentCommand,
    personal?: LeadPersonalData,
  ) => steps.push({ at: at(days, hhmm), by, what, command, ...(personal ? { personal } : {}) });

  step(-30, '09:00', 'official', 'planning the current round', {
    type: 'PlanRound',
    data: {
      roundId,
      kind: 'special',
      title: CURRENT_ROUND_TITLE,
      scope: '对2024年机动式巡察反馈的困难群众救助领域问题整改情况开展“回头看”，检验整改成效。',
      startsOn: day(-28),
      endsOn: day(30),
      team: '区委第三巡察组',
    },
  });
  const fields = [
    ['jiuzhu', '社会救助'],
    ['yiliao', '医疗救助'],
  ] as const;
  for (const [i, [key, name]] of fields.entries()) {
    step(-30, `10:0${i}`, 'official', `adding the field ${name}`, {
      type: 'AddFocusField',
      data: { roundId, fieldId: id('field', key), name },
    });
  }
  const points = [
    ['dibao', 'jiuzhu', '低保对象动态管理整改成效', MINZHENG, '区民政局'],
    ['linshi', 'jiuzhu', '临时救助审批时限整改成效', NANJIAO, '南郊街道办事处'],
    ['yiliao', 'yiliao', '医疗救助一站式结算整改成效', YIBAO, '区医疗保障局'],
  ] as const;
  for (const [i, [key, field, title, dept, name]] of points.entries()) {
    step(-30, `11:0${i}`, 'inspector.li', `adding the point ${title}`, {
      type: 'AddMonitoringPoint',
      data: {
        roundId,
        pointId: id('point', key),
        fieldId: id('field', field),
        title,
        targets: [{ kind: 'department', name, departmentId: department(dept) }],
      },
    });
  }
  step(-28, '09:00', 'official', 'stationing the current round', { type: 'StationRound', data: { roundId } });

  /** A finding recorded, assigned and acknowledged; its deadline `due` days from the load day. */
  const finding = (
    key: string,
    point: string,
    dept: string,
    title: string,
    description: string,
    type: RectificationType,
    due: number,
    recordedOn: number,
  ) => {
    const findingId = id('finding', key);
    const pointOf = points.find((p) => p[0] === point)!;
    step(recordedOn, '10:00', 'inspector.li', `recording ${key}`, {
      type: 'RecordFinding',
      data: {
        findingId,
        roundId,
        fieldId: id('field', pointOf[1]),
        monitoringPointId: id('point', point),
        departmentId: department(dept),
        title,
        description,
      },
    });
    step(recordedOn + 1, '09:30', 'official', `assigning ${key}`, {
      type: 'AssignRectification',
      data: {
        findingId,
        type,
        departmentId: department(dept),
        coDepartmentIds: [],
        responsiblePerson: '分管副局长',
        dueOn: day(due),
      },
    });
    step(recordedOn + 2, '10:00', `liaison.${dept}`, `acknowledging ${key}`, {
      type: 'AcknowledgeRectification',
      data: { findingId },
    });
    return findingId;
  };

  // 红: overdue five days ago, still in progress.
  const red = finding(
    'overdue',
    'dibao',
    MINZHENG,
    '低保对象动态退出仍不及时',
    '回头看抽查幸福里社区低保档案40份，仍有3户家庭收入超标准未按期退出。',
    'deadline',
    -5,
    -25,
  );
  step(-21, '15:00', `liaison.${MINZHENG}`, 'planning overdue', {
    type: 'SubmitRectificationPlan',
    data: { findingId: red, measures: '逐户复核收入，按季度开展动态调整。', target: '超标准家庭全部退出。' },
  });
  // 黄: six days left.
  finding(
    'yellow',
    'linshi',
    NANJIAO,
    '临时救助审批仍有超时限',
    '回头看查阅2024年第四季度临时救助审批12件，有2件超过规定时限。',
    'deadline',
    6,
    -24,
  );
  // 绿: fifteen days left.
  finding(
    'green',
    'yiliao',
    YIBAO,
    '医疗救助一站式结算未覆盖全部定点医院',
    '回头看发现区内2家定点医院尚未接入一站式结算，困难群众仍需垫付。',
    'long_term',
    15,
    -23,
  );
  // Due in a month and a half; the unit asks for more time (督办 and extensions: scenario-current-supervision.ts).
  finding(
    'later',
    'dibao',
    MINZHENG,
    '低保资金发放台账仍不完整',
    '回头看抽查2024年低保资金发放台账，有2个社区未按月登记发放明细。',
    'long_term',
    45,
    -20,
  );
  // 立行立改, closed; 回访 of the resident of the reference tour who was added to social assistance.
  const closed = finding(
    'assisted',
    'dibao',
    MINZHENG,
    '因病致贫家庭纳入救助后救助金未按月发放',
    '回头看走访2024年纳入救助的因病致贫家庭，1户救助金有2个月未按时发放。',
    'immediate',
    -12,
    -22,
  );
  step(-18, '16:00', `liaison.${MINZHENG}`, 'asking closure of assisted', {
    type: 'RequestClosure',
    data: { findingId: closed, evidence: ['救助金补发凭证.pdf'], signedOffBy: '局长 李建华' },
  });
  step(-17, '10:00', 'official', 'verifying assisted', {
    type: 'VerifyRectification',
    data: { findingId: closed, accepted: true },
  });
  step(
    -3,
    '15:00',
    'inspector.li',
    'visiting the assisted resident',
    {
      type: 'RecordFindingFollowUp',
      data: {
        findingId: closed,
        visitedOn: day(-3),
        visiteeRef: '',
        satisfaction: 'satisfied',
        note: '患病后家庭生活困难的居民已纳入社会救助，救助金已补发并按月到账，本人表示满意。',
      },
    },
    { visitee: { name: '张桂兰', contact: '136****0417' } },
  );

  // A lead transferred three weeks ago and not yet answered by the receiver.
  // ── supervision (issue 13): its feedbackDueOn, set in the past, makes it 超期未反馈 ──
  const waiting = id('lead', 'waiting');
  step(
    -26,
    '16:00',
    'inspector.li',
    'recording the waiting lead',
    {
      type: 'RecordLead',
      data: {
        leadId: waiting,
        roundId,
        monitoringPointId: id('point', 'dibao'),
        source: 'hotline_12345',
        summary: '12345热线反映社区低保评议仍存在优亲厚友问题',
        subjects: [],
      },
    },
    { subjects: [{ name: '赵某', post: '社区居委会委员', departmentId: department(XIJIE) }] },
  );
  step(-25, '10:00', 'official', 'triaging the waiting lead', {
    type: 'TriageLead',
    data: { leadId: waiting, decision: 'transfer', note: '移交区纪委监委核查。' },
  });
  step(-24, '10:00', 'official', 'transferring the waiting lead', {
    type: 'TransferLead',
    // A 回头看 asks for feedback within three weeks: the receiver is now past it (超期未反馈).
    data: { leadId: waiting, receiver: 'discipline_commission', feedbackDueOn: day(-3) },
  });

  // A lead disposed of and visited: the informant was satisfied with the answer.
  const visited = id('lead', 'visited');
  step(
    -27,
    '11:00',
    'inspector.li',
    'recording the visited lead',
    {
      type: 'RecordLead',
      data: {
        leadId: visited,
        roundId,
        monitoringPointId: id('point', 'linshi'),
        source: 'interview',
        summary: '个别谈话反映临时救助申请材料要求过多',
        subjects: [],
      },
    },
    { informant: { name: '刘某', contact: '138****6621' } },
  );
  const leadSteps: [number, UnsentCommand, string][] = [
    [-26, { type: 'TriageLead', data: { leadId: visited, decision: 'transfer' } }, 'triaging'],
    [-25, { type: 'TransferLead', data: { leadId: visited, receiver: 'discipline_commission' } }, 'transferring'],
    [-23, { type: 'AcknowledgeLeadReceipt', data: { leadId: visited } }, 'receiving'],
    [-22, { type: 'RecordDisposition', data: { leadId: visited, method: 'talk_or_letter' } }, 'disposing'],
    [-12, { type: 'RecordOutcome', data: { leadId: visited, outcome: 'reminder', note: '谈话提醒。' } }, 'concluding'],
  ];
  for (const [days, command, what] of leadSteps) step(days, '10:00', 'official', `${what} the visited lead`, command);
  step(
    -4,
    '16:00',
    'inspector.li',
    'visiting the informant',
    {
      type: 'RecordLeadFollowUp',
      data: {
        leadId: visited,
        visitedOn: day(-4),
        visiteeRef: '',
        satisfaction: 'basically_satisfied',
        note: '申请材料已精简为3项，反映人认为基本解决，希望办理时限再缩短。',
      },
    },
    { visitee: { name: '刘某', contact: '138****6621' } },
  );

  const scenario: CurrentScenario = { today, roundId, title: CURRENT_ROUND_TITLE, id, day, at, steps };
  for (const extension of extensions) steps.push(...extension(scenario));
  steps.sort((a, b) => a.at.getTime() - b.at.getTime());
  return scenario;
}
