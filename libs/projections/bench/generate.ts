/**
 * A deterministic (seeded) history of 机动式巡察 work for the projections benchmark: departments,
 * rounds with 9 focus fields and ~43 monitoring points, findings through their rectification
 * lifecycle and leads through their dispositions. Every event comes out of the domain's deciders
 * (`decide(command, state)` on the stream's folded state, cross-stream rules checked as the API's
 * handlers do), so every event is one the app could have written.
 *
 * Two stages:
 * 1. `plan` lays out every command as a Step (when, which stream, how to build the command),
 *    stream by stream, each stream's steps strictly later than its previous one; steps after the
 *    "as of" date are not taken (so recent work is still open). The steps are taken in time order
 *    and cut at the wanted number of events (a prefix of a valid history is a valid history):
 *    `planWorld` plans them all first (small worlds, the tests), `streamWorld` round by round as
 *    they are taken, in the same order (the benchmark: 10 million steps planned at once took ~5 GB).
 * 2. `materialize` turns a slice of steps, in that order, into commands, decides them and folds
 *    the streams' states: the events to append.
 */
import {
  departmentDecider,
  departmentStream,
  ensureFindingMayBeRecorded,
  ensureLeadMayBeRecorded,
  findingDecider,
  findingStream,
  inspectionRoundDecider,
  leadDecider,
  leadStream,
  roleMayDo,
  roundStream,
  type Command,
  type CommandType,
  type Decider,
  type DepartmentKind,
  type Event,
  type FindingCommand,
  type FindingState,
  type LeadCommand,
  type LeadDisposition,
  type LeadOutcome,
  type LeadReceiver,
  type LeadSource,
  type LeadState,
  type LeadTriageDecision,
  type MonitoringTargetInput as MonitoringTarget,
  type RectificationType,
  type Role,
  type RoundCommand,
  type RoundState,
} from '@app/domain';
import { createHash } from 'node:crypto';
import type { NewEvent } from '@app/event-store';

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** A UUID-shaped id derived from another (name-based, as UUID v5 would be): the same input, the same id. */
export function derivedId(from: string, purpose: string): string {
  const x = createHash('sha1').update(`${purpose}:${from}`).digest('hex');
  const variant = '89ab'[parseInt(x[16], 16) & 0x3];
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-5${x.slice(13, 16)}-${variant}${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** mulberry32: [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }
  /** Weighted pick: `[value, weight]` pairs. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of pairs) if ((r -= w) < 0) return v;
    return pairs[pairs.length - 1][0];
  }
  /** A version-4-shaped uuid from this generator. */
  uuid(): string {
    let x = '';
    for (let i = 0; i < 4; i++) {
      const n = (this.next() * 4294967296) >>> 0;
      x += HEX[n >>> 24] + HEX[(n >>> 16) & 0xff] + HEX[(n >>> 8) & 0xff] + HEX[n & 0xff];
    }
    const variant = '89ab'[parseInt(x[16], 16) & 0x3];
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-${variant}${x.slice(17, 20)}-${x.slice(20, 32)}`;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// ---------------------------------------------------------------------------------------------
// Calendar (office time, Asia/Shanghai = UTC+8)

const DAY = 86_400_000;
const MINUTE = 60_000;
const OFFSET = 8 * 3_600_000;
/** Midnight UTC of a YYYY-MM-DD date. */
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
/** The office date (YYYY-MM-DD) of an instant. */
const officeDate = (t: number) => new Date(t + OFFSET).toISOString().slice(0, 10);
/** Some time during office hours (09:00–18:00 Shanghai) on the office day containing `t`, plus `days`. */
function workTime(rng: Rng, t: number, days = 0): number {
  const day = dayMs(officeDate(t)) + days * DAY;
  return day - OFFSET + 9 * 3_600_000 + Math.floor(rng.next() * 9 * 3_600_000);
}

// ---------------------------------------------------------------------------------------------
// Text

const DEPARTMENTS: readonly (readonly [string, DepartmentKind])[] = [
  ['区教育局', 'bureau'],
  ['区民政局', 'bureau'],
  ['区住房和城乡建设局', 'bureau'],
  ['区农业农村局', 'bureau'],
  ['区市场监督管理局', 'bureau'],
  ['区卫生健康委员会', 'bureau'],
  ['区人力资源和社会保障局', 'bureau'],
  ['区财政局', 'bureau'],
  ['区自然资源局', 'bureau'],
  ['区生态环境局', 'bureau'],
  ['区交通运输局', 'bureau'],
  ['区水利局', 'bureau'],
  ['区城市管理局', 'bureau'],
  ['区应急管理局', 'bureau'],
  ['区医疗保障局', 'bureau'],
  ['城关街道办事处', 'subdistrict'],
  ['西湖街道办事处', 'subdistrict'],
  ['东山街道办事处', 'subdistrict'],
  ['青山镇人民政府', 'other'],
  ['桃园社区居民委员会', 'community'],
  ['白沙镇人民政府', 'other'],
  ['区文化和旅游局', 'bureau'],
];

const FIELDS = [
  '困难群众救助',
  '基层执法',
  '校园食品安全',
  '惠民惠农资金',
  '工程项目建设',
  '国有资产管理',
  '选人用人',
  '作风建设',
  '信访问题办理',
  '安全生产',
  '生态环境保护',
  '医保基金使用',
  '乡村振兴',
  '物业管理',
  '专项债券资金',
];

const POINT_TOPICS = [
  '审批程序执行情况',
  '资金拨付与使用',
  '台账管理规范性',
  '政策落实到位情况',
  '监督检查开展情况',
  '群众反映集中问题',
  '制度建设与执行',
  '合同签订与履约',
  '公示公开情况',
  '专项整治推进情况',
];

const FINDING_TITLES = [
  '台账记录不全，底数不清',
  '审批手续缺失，程序不规范',
  '专项资金拨付进度滞后',
  '补贴发放名单公示不到位',
  '执法记录不完整，过程留痕不足',
  '合同管理不规范，履约监督缺位',
  '制度执行不严格，存在变通操作',
  '整改责任未压实，推进缓慢',
  '资产登记台账与实物不符',
  '群众反映问题办理不及时',
];
const FINDING_DETAILS = [
  '抽查档案20份，其中4份缺少入户调查记录，审核把关不严。',
  '现场查看发现项目进度与台账记录不一致，相关说明材料缺失。',
  '部分支出缺少审批手续，经办人员对制度要求理解不到位。',
  '随机调取执法记录仪视频，多起执法过程未全程记录。',
  '补贴对象名单未按规定公示，群众对发放结果存在异议。',
  '资金使用未严格执行预算，存在超范围列支情况。',
];
const CATEGORIES = ['落实党的路线方针政策', '落实全面从严治党责任', '落实组织路线', '群众身边腐败和作风问题'];
const MEASURES = [
  '建立健全台账，逐项核对补齐',
  '完善审批流程，明确责任人和时限',
  '开展专项清理，逐户复核',
  '修订内部管理制度并组织培训',
];
const TARGETS = ['按期完成整改并建立长效机制', '三个月内全部整改到位', '年底前形成制度成果'];
const NOTES = [
  '已召开专题会议部署整改，明确责任人和完成时限。',
  '已完成自查自纠，形成问题清单和整改台账。',
  '已对相关经办人员开展约谈，补齐审批手续。',
  '已修订内部管理制度，报党组会审议通过。',
  '整改工作按计划推进，部分事项已完成。',
];
const REJECTIONS = ['佐证材料不充分，请补充', '整改不到位，问题仍然存在', '未见制度建设成果，请完善'];
const REOPEN_REASONS = ['回头看发现问题反弹', '群众再次反映同类问题', '专项检查发现整改不彻底'];
const DISMISS_REASONS = ['经核实不属于巡察发现问题', '已由其他渠道处理，不再重复整改'];
const LEAD_SUMMARIES = [
  '反映某村干部在低保评定中优亲厚友。',
  '反映某项目负责人在工程招投标中存在违规操作。',
  '反映某单位违规发放津补贴。',
  '反映某干部长期不在岗、吃空饷。',
  '反映惠民资金被截留挪用。',
  '反映执法人员吃拿卡要。',
];
const POSTS = ['村党支部书记', '项目负责人', '科长', '副主任', '财务人员', '所长'];
const PEOPLE = ['王建国', '李明', '赵强', '陈静', '刘洋', '张伟', '杨磊', '周敏'];

// ---------------------------------------------------------------------------------------------
// Streams and steps

type AnyDecider = Decider<unknown, Command, Event>;

export interface Stream {
  readonly id: string;
  readonly category: 'department' | 'round' | 'finding' | 'lead';
  readonly decider: AnyDecider;
  state: unknown;
  /** Revision after the last event decided (materialized). */
  decided: number;
  /** Revision after the last append that succeeded: the expected revision of the next one. */
  appended: number;
  /** Steps planned for this stream, and taken (materialized) so far. */
  planned: number;
  taken: number;
}

export interface Actor {
  id: string;
  username: string;
  role: Role;
}

export interface Step {
  /** When (ms since epoch). */
  t: number;
  /** Creation order: ties in `t` keep it. */
  seq: number;
  stream: Stream;
  actor: Actor;
  /** Builds the command; may check cross-stream rules (throws when the plan is wrong). */
  command: () => Command;
}

export interface WorldOptions {
  seed: number;
  events: number;
  departments: number;
  roundsPerDepartment: number;
  fieldsPerRound: number;
  pointsPerRound: number;
  /** First round planned on (YYYY-MM-DD); nothing happens after `asOf`. */
  start: string;
  asOf: string;
  /**
   * Findings and leads per round as a multiple of 1,450 and 420; by default the smallest multiple from 1 up that
   * plans `events` steps. A test sets it below 1 for many rounds in few events.
   */
  scale?: number;
}

export interface RoundInfo {
  roundId: string;
  hostDepartmentId: string;
  title: string;
  stream: Stream;
}

export interface World {
  steps: Step[];
  departments: { id: string; name: string; stream: Stream }[];
  rounds: RoundInfo[];
  streams: Stream[];
  /** Findings and leads planned per round (after scaling to reach `events`). */
  findingsPerRound: number;
  leadsPerRound: number;
  /** Events planned up to `asOf`, before the cut at `events`. */
  plannedUntilAsOf: number;
  /** The time of the last step kept. */
  lastStepAt: number;
}

const decider = <S, C extends Command, E extends Event>(d: Decider<S, C, E>) => d as unknown as AnyDecider;

function newStream(category: Stream['category'], id: string, d: AnyDecider): Stream {
  return { id, category, decider: d, state: d.initialState(), decided: 0, appended: 0, planned: 0, taken: 0 };
}

/** Orders steps by time, ties by creation. */
const byTime = (a: Step, b: Step) => a.t - b.t || a.seq - b.seq;

/** Plans steps; when streamed, hands them out in time order as far as no step still to be planned can come before. */
export class Planner {
  /** Steps planned and not yet drained: `sorted` in time order, `fresh` as planned since. */
  private sorted: Step[] = [];
  private fresh: Step[] = [];
  private seq = 0;
  /** Last planned time per stream (strictly increasing). */
  private readonly last = new Map<Stream, number>();
  /** Steps before this time have been handed out: a step planned earlier would be out of order. */
  private floor = Number.NEGATIVE_INFINITY;
  /** Steps planned in all (up to `asOf`). */
  planned = 0;

  constructor(private readonly asOf: number) {}

  /** Plans a step at `t` (or just after the stream's previous one); false when it falls after `asOf`. */
  add(stream: Stream, t: number, actor: Actor, command: () => Command): number | undefined {
    const prev = this.last.get(stream);
    const at = prev !== undefined && t <= prev ? prev + MINUTE + (this.seq % 17) * 1000 : t;
    if (at > this.asOf) {
      this.last.set(stream, Number.POSITIVE_INFINITY); // nothing later on this stream either
      return undefined;
    }
    if (at < this.floor)
      throw new Error(
        `bench plan error: a step at ${new Date(at).toISOString()} planned after the steps up to ${new Date(this.floor).toISOString()} were handed out`,
      );
    this.last.set(stream, at);
    stream.planned++;
    this.planned++;
    this.fresh.push({ t: at, seq: this.seq++, stream, actor, command });
    return at;
  }

  /**
   * The steps planned so far that come before `bound`, in time order (`Infinity`: all of them), and forgets them.
   * From then on a step planned before `bound` is refused.
   */
  drain(bound: number): Step[] {
    if (this.fresh.length) {
      this.fresh.sort(byTime);
      this.sorted = this.sorted.length ? mergeSorted(this.sorted, this.fresh) : this.fresh;
      this.fresh = [];
    }
    let n = 0;
    while (n < this.sorted.length && this.sorted[n].t < bound) n++;
    const out = n === this.sorted.length ? this.sorted : this.sorted.slice(0, n);
    this.sorted = n === this.sorted.length ? [] : this.sorted.slice(n);
    if (bound > this.floor) this.floor = bound;
    return out;
  }

  /** Forgets the planned times of streams (their plans are complete). */
  forgetStreams(): void {
    this.last.clear();
  }
}

function mergeSorted(a: Step[], b: Step[]): Step[] {
  const out = new Array<Step>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = byTime(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

const meta = (actor: Actor) => ({ userId: actor.id, role: actor.role });

/** A command; its `now` is set when it is materialized (the step's time). */
function cmd<C extends Command>(type: C['type'], data: C['data'], actor: Actor, _now: 0): C {
  return { type, data, metadata: { now: '', ...meta(actor) } } as unknown as C;
}

function shuffled<T>(rng: Rng, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** What a plan lays out besides its steps (filled in as it goes). */
interface Plan {
  departments: World['departments'];
  rounds: RoundInfo[];
  /** Every stream planned (only when kept: a streamed plan lets them go as they are done). */
  streams: Stream[] | undefined;
  findingsPerRound: number;
  leadsPerRound: number;
}

const emptyPlan = (keepStreams: boolean): Plan => ({
  departments: [],
  rounds: [],
  streams: keepStreams ? [] : undefined,
  findingsPerRound: 0,
  leadsPerRound: 0,
});

/** The end of the office day `asOf`: nothing is planned after it. */
const asOfInstant = (options: WorldOptions) => dayMs(options.asOf) + DAY - OFFSET - 1;

/** The start of the office day containing `t` (what `workTime` answers is never earlier). */
const officeDayStart = (t: number) => dayMs(officeDate(t)) - OFFSET;

/**
 * One full plan into `p`; `scale` multiplies the findings and leads per round. Rounds are planned in the order
 * they start, and every step of a round comes at or after its start; before planning each round the plan yields
 * the time before which no step will be planned any more, so that the steps up to it can be handed out (streamed)
 * while later rounds are still to be planned. Its randomness does not depend on what is done between yields.
 */
function* plan(options: WorldOptions, scale: number, p: Planner, out: Plan): Generator<number, void, undefined> {
  const rng = new Rng(options.seed);
  const keep = (s: Stream) => {
    out.streams?.push(s);
    return s;
  };
  const user = (role: Role, name: string): Actor => ({ id: rng.uuid(), username: name, role });
  const admin = user('admin', 'admin');
  const officials = [1, 2, 3].map((i) => user('official', `official${i}`));
  const inspectors = [1, 2, 3, 4, 5, 6].map((i) => user('inspector', `inspector${i}`));

  // ── departments
  const t0 = dayMs(options.start) - 20 * DAY;
  const departments = Array.from({ length: options.departments }, (_, i) => {
    const [base, kind] = DEPARTMENTS[i % DEPARTMENTS.length];
    const name = i < DEPARTMENTS.length ? base : `${base}（${Math.floor(i / DEPARTMENTS.length) + 1}）`;
    const id = rng.uuid();
    const stream = keep(newStream('department', departmentStream(id), decider(departmentDecider)));
    p.add(stream, workTime(rng, t0, Math.floor(i / 5)), admin, () =>
      cmd('RegisterDepartment', { departmentId: id, name, kind }, admin, 0),
    );
    return { id, name, stream, liaisons: [1, 2].map((k) => user('unit_liaison', `liaison.d${i + 1}.${k}`)) };
  });
  out.departments = departments;
  // Two departments are renamed along the way (机构改革).
  for (const [i, newName] of [
    [3, '区农业农村局（区乡村振兴局）'],
    [12, '区城市管理综合行政执法局'],
  ] as const) {
    const d = departments[i];
    if (!d) continue;
    p.add(d.stream, workTime(rng, dayMs(options.start), 200 + i * 20), admin, () =>
      cmd('RenameDepartment', { departmentId: d.id, name: newName }, admin, 0),
    );
  }

  // ── rounds: each department hosts a few, staggered over the period
  const nRounds = options.departments * options.roundsPerDepartment;
  const span = dayMs(options.asOf) - dayMs(options.start);
  const spacing = (span * 0.93) / nRounds;
  const rounds = out.rounds;
  const nFindings = Math.max(1, Math.round(1450 * scale));
  const nLeads = Math.max(1, Math.round(420 * scale));
  out.findingsPerRound = nFindings;
  out.leadsPerRound = nLeads;

  for (let r = 0; r < nRounds; r++) {
    // Every stream planned so far is complete (a round's steps are all on its own streams; the departments' were
    // planned above), and this round and every later one start no earlier than this:
    p.forgetStreams();
    yield officeDayStart(dayMs(options.start) + Math.floor(r * spacing));
    const host = departments[(r * 7) % departments.length];
    const roundId = rng.uuid();
    const stream = keep(newStream('round', roundStream(roundId), decider(inspectionRoundDecider)));
    const official = rng.pick(officials);
    const inspector = rng.pick(inspectors);
    const year = new Date(dayMs(options.start) + r * spacing).getUTCFullYear();
    const title = `${year}年区委第${(r % 4) + 1}轮巡察对${host.name}开展机动式巡察`;
    const planned = workTime(rng, dayMs(options.start) + Math.floor(r * spacing));
    const stationedAt = workTime(rng, planned, rng.int(7, 14));
    const reportedAt = workTime(rng, stationedAt, rng.int(30, 45));
    const feedbackAt = workTime(rng, reportedAt, rng.int(10, 20));
    const rectifyingAt = workTime(rng, feedbackAt, rng.int(3, 7));
    const evaluatedAt = workTime(rng, rectifyingAt, rng.int(180, 240));
    const archivedAt = workTime(rng, evaluatedAt, rng.int(20, 40));
    const startsOn = officeDate(stationedAt);
    const endsOn = officeDate(reportedAt + 60 * DAY);

    const kind = rng.weighted([
      ['mobile', 8],
      ['special', 1],
      ['regular', 1],
    ] as const);
    let t = p.add(stream, planned, official, () =>
      cmd<RoundCommand>(
        'PlanRound',
        { roundId, kind, title, scope: `${host.name}及其下属单位`, startsOn, endsOn, team: `第${(r % 6) + 1}巡察组` },
        official,
        0,
      ),
    );
    // Field names and points, decided now (the plan's randomness must not depend on the order steps run in).
    const fieldNames = shuffled(rng, FIELDS).slice(0, options.fieldsPerRound);
    const fields = fieldNames.map((name) => ({ fieldId: rng.uuid(), name }));
    for (const f of fields) {
      t = p.add(stream, (t ?? planned) + rng.int(5, 60) * MINUTE, official, () =>
        cmd<RoundCommand>('AddFocusField', { roundId, fieldId: f.fieldId, name: f.name }, official, 0),
      );
    }
    const points: { pointId: string; fieldId: string; field: string }[] = [];
    for (let k = 0; k < options.pointsPerRound; k++) {
      const f = fields[k % fields.length];
      const pointId = rng.uuid();
      const topic = POINT_TOPICS[(k + r) % POINT_TOPICS.length];
      const others = rng.chance(0.3) ? [rng.pick(departments)] : [];
      const targets: MonitoringTarget[] = [
        { kind: 'department', name: host.name, departmentId: host.id },
        ...others
          .filter((o) => o.id !== host.id)
          .map((o) => ({ kind: 'department' as const, name: o.name, departmentId: o.id })),
        ...(rng.chance(0.25) ? [{ kind: 'post' as const, name: rng.pick(POSTS) }] : []),
      ];
      points.push({ pointId, fieldId: f.fieldId, field: f.name });
      const title = `${f.name}：${topic}`;
      const who = rng.chance(0.5) ? official : inspector;
      t = p.add(stream, (t ?? planned) + rng.int(5, 90) * MINUTE, who, () =>
        cmd<RoundCommand>('AddMonitoringPoint', { roundId, pointId, fieldId: f.fieldId, title, targets }, who, 0),
      );
    }
    const milestones: [CommandType, number][] = [
      ['StationRound', stationedAt],
      ['ReportRound', reportedAt],
      ['DeliverRoundFeedback', feedbackAt],
      ['StartRoundRectification', rectifyingAt],
      ['EvaluateRound', evaluatedAt],
      ['ArchiveRound', archivedAt],
    ];
    for (const [type, at] of milestones)
      p.add(stream, at, official, () => cmd<RoundCommand>(type as RoundCommand['type'], { roundId }, official, 0));
    const round: RoundInfo = { roundId, hostDepartmentId: host.id, title, stream };
    rounds.push(round);

    // ── findings, recorded while stationed
    for (let i = 0; i < nFindings; i++) {
      const findingId = rng.uuid();
      const fs = keep(newStream('finding', findingStream(findingId), decider(findingDecider)));
      const point = rng.pick(points);
      const recordedIn = rng.chance(0.85) ? host : rng.pick(departments);
      const recAt = stationedAt + 2 * MINUTE + Math.floor(rng.next() * (reportedAt - stationedAt - 4 * MINUTE));
      const ins = rng.pick(inspectors);
      const title = `${point.field}：${rng.pick(FINDING_TITLES)}`;
      const description = rng.pick(FINDING_DETAILS);
      const category = rng.chance(0.7) ? rng.pick(CATEGORIES) : undefined;
      if (
        p.add(fs, recAt, ins, () => {
          // As the handler: the round must be stationed and the point part of it; fieldId comes from the point.
          const mp = ensureFindingMayBeRecorded(stream.state as RoundState, point.pointId);
          return cmd<FindingCommand>(
            'RecordFinding',
            {
              findingId,
              roundId,
              fieldId: mp.fieldId,
              monitoringPointId: point.pointId,
              departmentId: recordedIn.id,
              title,
              description,
              ...(category ? { category } : {}),
            },
            ins,
            0,
          );
        }) === undefined
      )
        continue;
      planFinding(rng, p, fs, findingId, { feedbackAt, rectifyingAt, recordedIn, departments, officials, host });
    }

    // ── leads, recorded from stationing until feedback
    for (let i = 0; i < nLeads; i++) {
      const leadId = rng.uuid();
      const ls = keep(newStream('lead', leadStream(leadId), decider(leadDecider)));
      const point = rng.chance(0.7) ? rng.pick(points) : undefined;
      const recAt = stationedAt + 2 * MINUTE + Math.floor(rng.next() * (feedbackAt - stationedAt - 4 * MINUTE));
      const ins = rng.pick(inspectors);
      const source = rng.weighted<LeadSource>([
        ['interview', 4],
        ['petition', 3],
        ['documents', 2],
        ['site_visit', 1],
      ]);
      const subjects = Array.from(
        {
          length: rng.weighted([
            [0, 1],
            [1, 6],
            [2, 2],
            [3, 1],
          ] as const),
        },
        () => ({
          ref: rng.uuid(),
          ...(rng.chance(0.6) ? { post: rng.pick(POSTS) } : {}),
          ...(rng.chance(0.7) ? { departmentId: rng.chance(0.8) ? host.id : rng.pick(departments).id } : {}),
        }),
      );
      const informantRef = rng.chance(0.4) ? rng.uuid() : undefined;
      const summary = rng.pick(LEAD_SUMMARIES);
      if (
        p.add(ls, recAt, ins, () => {
          ensureLeadMayBeRecorded(stream.state as RoundState, point?.pointId);
          return cmd<LeadCommand>(
            'RecordLead',
            {
              leadId,
              roundId,
              ...(point ? { monitoringPointId: point.pointId } : {}),
              source,
              summary,
              subjects,
              ...(informantRef ? { informantRef } : {}),
            },
            ins,
            0,
          );
        }) === undefined
      )
        continue;
      planLead(rng, p, ls, leadId, recAt, { officials, departments, host });
    }
  }
  p.forgetStreams();
}

interface FindingContext {
  feedbackAt: number;
  rectifyingAt: number;
  recordedIn: { id: string };
  host: { id: string };
  departments: { id: string; liaisons: Actor[] }[];
  officials: Actor[];
}

/** The rectification lifecycle of one finding, as far as it got by `asOf`. */
function planFinding(rng: Rng, p: Planner, s: Stream, findingId: string, c: FindingContext): void {
  const official = rng.pick(c.officials);
  const f =
    <C extends FindingCommand>(type: C['type'], data: Omit<C['data'], 'findingId'>, actor: Actor) =>
    () =>
      cmd<FindingCommand>(type, { findingId, ...data }, actor, 0);

  if (rng.chance(0.04)) {
    p.add(
      s,
      workTime(rng, c.feedbackAt, rng.int(1, 10)),
      official,
      f('DismissFinding', { reason: rng.pick(DISMISS_REASONS) }, official),
    );
    return;
  }
  if (rng.chance(0.02)) return; // still waiting for a decision

  const type = rng.weighted<RectificationType>([
    ['immediate', 2],
    ['deadline', 6],
    ['long_term', 2],
  ]);
  const lead = rng.chance(0.85) ? c.departments.find((d) => d.id === c.recordedIn.id)! : rng.pick(c.departments);
  const co = rng.chance(0.25)
    ? [...new Set([rng.pick(c.departments).id, rng.pick(c.departments).id])].filter((id) => id !== lead.id)
    : [];
  const liaison = rng.pick(lead.liaisons);
  let t = workTime(rng, type === 'immediate' ? c.feedbackAt : c.rectifyingAt, rng.int(0, 5));
  const dueDays = type === 'immediate' ? rng.int(7, 15) : type === 'deadline' ? rng.int(30, 120) : rng.int(180, 365);
  const dueAt = t + dueDays * DAY;
  const dueOn = officeDate(dueAt);
  const step = (at: number, actor: Actor, command: () => Command) => {
    const done = p.add(s, at, actor, command);
    if (done !== undefined) t = done;
    return done !== undefined;
  };
  if (
    !step(
      t,
      official,
      f(
        'AssignRectification',
        { type, departmentId: lead.id, coDepartmentIds: co, responsiblePerson: rng.pick(PEOPLE), dueOn },
        official,
      ),
    )
  )
    return;
  if (!step(workTime(rng, t, rng.int(1, 5)), liaison, f('AcknowledgeRectification', {}, liaison))) return;

  // How the closure relates to the due date: most on time, some late, a few very late (still open long after).
  const lateness = rng.weighted([
    ['early', 78],
    ['late', 16],
    ['very_late', 6],
  ] as const);
  const closeBy =
    lateness === 'early'
      ? dueAt - rng.int(0, Math.max(1, Math.floor(dueDays / 4))) * DAY
      : lateness === 'late'
        ? dueAt + rng.int(5, 60) * DAY
        : dueAt + rng.int(90, 300) * DAY;

  let percent = 0;
  const progress = (n: number, until: number) => {
    for (let k = 0; k < n; k++) {
      const at = t + Math.max(DAY, Math.floor((until - t) / (n - k + 1)));
      percent = Math.min(95, percent + rng.int(10, 35));
      if (
        !step(
          workTime(rng, at),
          liaison,
          f(
            'ReportProgress',
            {
              note: rng.pick(NOTES),
              percent,
              evidence: rng.chance(0.6) ? [`整改佐证-${findingId.slice(0, 8)}-${k + 1}.pdf`] : [],
            },
            liaison,
          ),
        )
      )
        return false;
    }
    return true;
  };
  const closure = (at: number) =>
    step(
      workTime(rng, at),
      liaison,
      f(
        'RequestClosure',
        {
          evidence: [`销号申请-${findingId.slice(0, 8)}.pdf`, `整改报告-${findingId.slice(0, 8)}.docx`],
          signedOffBy: rng.pick(PEOPLE),
        },
        liaison,
      ),
    );

  const onTheSpot = type === 'immediate' && rng.chance(0.5); // 立行立改: closure straight after acknowledgement
  if (!onTheSpot) {
    if (
      !step(
        workTime(rng, t, rng.int(2, 10)),
        liaison,
        f('SubmitRectificationPlan', { measures: rng.pick(MEASURES), target: rng.pick(TARGETS) }, liaison),
      )
    )
      return;
    if (!progress(type === 'immediate' ? rng.int(0, 1) : type === 'deadline' ? rng.int(1, 4) : rng.int(2, 6), closeBy))
      return;
  }
  if (!closure(Math.max(t + DAY, closeBy))) return;

  // Verification: some rejected once (back to in progress, more work, closure again).
  const verifier = rng.pick(c.officials);
  if (rng.chance(0.15)) {
    // A rejection sets a new deadline (required for 限期整改), a month after it.
    const rejectedAt = workTime(rng, t, rng.int(3, 14));
    const newDue = { dueOn: officeDate(rejectedAt + 30 * DAY) };
    if (
      !step(
        rejectedAt,
        verifier,
        f('VerifyRectification', { accepted: false, reason: rng.pick(REJECTIONS), ...newDue }, verifier),
      )
    )
      return;
    if (!progress(rng.int(1, 2), t + rng.int(15, 45) * DAY)) return;
    if (!closure(t + rng.int(3, 10) * DAY)) return;
  }
  const ongoing = type === 'long_term' && rng.chance(0.4);
  if (
    !step(
      workTime(rng, t, rng.int(3, 14)),
      verifier,
      f(
        'VerifyRectification',
        { accepted: true, ...(ongoing ? { ongoing: true, reason: '阶段性完成，需持续整改' } : {}) },
        verifier,
      ),
    )
  )
    return;

  // 回头看: a few are reopened months later and worked off again.
  if (rng.chance(0.05)) {
    const reopenedAt = workTime(rng, t, rng.int(60, 120));
    if (
      !step(
        reopenedAt,
        verifier,
        f(
          'ReopenRectification',
          { reason: rng.pick(REOPEN_REASONS), dueOn: officeDate(reopenedAt + 90 * DAY) },
          verifier,
        ),
      )
    )
      return;
    if (!progress(rng.int(1, 3), t + rng.int(30, 90) * DAY)) return;
    if (!closure(t + rng.int(3, 10) * DAY)) return;
    step(workTime(rng, t, rng.int(3, 14)), verifier, f('VerifyRectification', { accepted: true }, verifier));
  }
}

interface LeadContext {
  officials: Actor[];
  departments: { id: string }[];
  host: { id: string };
}

/** Triage, transfer, receipt, disposition(s), outcome and closing of one lead, as far as it got. */
function planLead(rng: Rng, p: Planner, s: Stream, leadId: string, recordedAt: number, c: LeadContext): void {
  const official = rng.pick(c.officials);
  let t = recordedAt;
  const l =
    <C extends LeadCommand>(type: C['type'], data: Omit<C['data'], 'leadId'>) =>
    () =>
      cmd<LeadCommand>(type, { leadId, ...data }, official, 0);
  const step = (days: number, command: () => Command) => {
    const done = p.add(s, workTime(rng, t, days), official, command);
    if (done !== undefined) t = done;
    return done !== undefined;
  };
  const decision = rng.weighted<LeadTriageDecision>([
    ['transfer', 70],
    ['reclassify_as_finding', 15],
    ['refer_elsewhere', 15],
  ]);
  // A lead reclassified as a finding names the finding it becomes (derived from the lead's id, not drawn from the
  // generator, so that the rest of the world is what it was before the rule).
  const becomes = decision === 'reclassify_as_finding' ? { findingId: derivedId(leadId, 'finding') } : {};
  if (
    !step(
      rng.int(2, 10),
      l('TriageLead', { decision, ...becomes, ...(rng.chance(0.5) ? { note: '经研判，按程序处置' } : {}) }),
    )
  )
    return;
  if (decision !== 'transfer') return;
  const receiver = rng.weighted<LeadReceiver>([
    ['discipline_commission', 5],
    ['organization_department', 2],
    ['functional_department', 3],
  ]);
  if (
    !step(
      rng.int(1, 5),
      l('TransferLead', {
        receiver,
        ...(receiver === 'functional_department'
          ? { receiverDepartmentId: rng.chance(0.7) ? c.host.id : rng.pick(c.departments).id }
          : {}),
      }),
    )
  )
    return;
  if (!step(rng.int(1, 7), l('AcknowledgeLeadReceipt', {}))) return;
  let method = rng.weighted<LeadDisposition>([
    ['talk_or_letter', 40],
    ['preliminary_verification', 30],
    ['shelved', 15],
    ['concluded', 15],
  ]);
  if (!step(rng.int(5, 20), l('RecordDisposition', { method }))) return;
  if (method !== 'concluded' && rng.chance(0.15)) {
    // e.g. 暂存待查 → 初步核实 on new evidence
    const next = rng.pick(
      (['talk_or_letter', 'preliminary_verification', 'shelved'] as const).filter((m) => m !== method),
    );
    method = next;
    if (!step(rng.int(20, 60), l('RecordDisposition', { method }))) return;
  }
  if (method !== 'concluded') {
    const outcome = rng.weighted<LeadOutcome>([
      ['cleared', 30],
      ['reminder', 20],
      ['criticism', 20],
      ['admonition', 12],
      ['case_opened', 10],
      ['organizational_measure', 6],
      ['judicial_transfer', 2],
    ]);
    if (!step(rng.int(20, 90), l('RecordOutcome', { outcome, ...(rng.chance(0.5) ? { note: '已按程序办结' } : {}) })))
      return;
  }
  step(rng.int(5, 20), l('CloseLead', {}));
}

/** Plans in full into one planner (nothing handed out before the end). */
function planFully(options: WorldOptions, scale: number, keepStreams: boolean): { p: Planner; out: Plan } {
  const p = new Planner(asOfInstant(options));
  const out = emptyPlan(keepStreams);
  for (const _ of plan(options, scale, p, out));
  return { p, out };
}

/** How many steps a plan at `scale` has, planned round by round and let go as it goes. */
function countSteps(options: WorldOptions, scale: number): number {
  const p = new Planner(asOfInstant(options));
  for (const bound of plan(options, scale, p, emptyPlan(false))) p.drain(bound);
  p.drain(Number.POSITIVE_INFINITY);
  return p.planned;
}

/**
 * The scale of findings and leads per round that plans at least `events` steps (or the best of four tries): when
 * a plan falls short it is planned again with proportionally more.
 */
function scaleFor(options: WorldOptions, count: (scale: number) => number): { scale: number; planned: number } {
  if (options.scale !== undefined) return { scale: options.scale, planned: count(options.scale) };
  let scale = 1;
  for (let attempt = 0; ; attempt++) {
    const planned = count(scale);
    if (planned >= options.events || attempt >= 3) return { scale, planned };
    scale *= (options.events / planned) * 1.01;
  }
}

/**
 * Plans the world and cuts it at `options.events` events (one event per command here), every step in memory.
 * For small worlds (the tests); the benchmark streams them (`streamWorld`), in the same order.
 */
export function planWorld(options: WorldOptions): World {
  let last: { p: Planner; out: Plan } | undefined;
  const { planned } = scaleFor(options, (scale) => {
    last = planFully(options, scale, true);
    return last.p.planned;
  });
  const { p, out } = last!;
  const all = p.drain(Number.POSITIVE_INFINITY);
  const steps = all.length > options.events ? all.slice(0, options.events) : all;
  return {
    steps,
    departments: out.departments,
    rounds: out.rounds,
    streams: out.streams!,
    findingsPerRound: out.findingsPerRound,
    leadsPerRound: out.leadsPerRound,
    plannedUntilAsOf: planned,
    lastStepAt: steps[steps.length - 1]?.t ?? 0,
  };
}

export type Figures = ReturnType<typeof expectedFigures>;

/**
 * The world of `planWorld`, step for step in the same order, planned round by round while its steps are taken:
 * only the steps planned and not yet taken are in memory (those of the rounds still open), and a finding's or a
 * lead's folded state is let go once its last step is decided (its status counted for `figures`). What 10 million
 * events need: planned in full, the steps alone took ~5 GB.
 */
export class StreamedWorld {
  readonly departments: World['departments'];
  /** The rounds planned so far (all of them once every step is taken). */
  readonly rounds: RoundInfo[];
  readonly findingsPerRound: number;
  readonly leadsPerRound: number;
  /** Steps planned up to `asOf`, before the cut at `events`. */
  readonly plannedUntilAsOf: number;
  /** Steps there will be: the plan cut at `events`. */
  readonly total: number;
  /** Steps taken so far, and the time of the last. */
  taken = 0;
  lastStepAt = 0;
  private readonly planner: Planner;
  private readonly rounds$: Generator<number, void, undefined>;
  private ready: Step[] = [];
  private at = 0;
  /** The plan has run to its end (every round planned). */
  private exhausted = false;
  /** Finding and lead streams with steps decided and more to come. */
  private readonly open = new Set<Stream>();
  private readonly done = { findings: {} as Record<string, number>, leads: {} as Record<string, number> };

  constructor(options: WorldOptions) {
    const { scale, planned } = scaleFor(options, (k) => countSteps(options, k));
    this.plannedUntilAsOf = planned;
    this.total = Math.min(planned, options.events);
    this.planner = new Planner(asOfInstant(options));
    const out = emptyPlan(false);
    this.rounds$ = plan(options, scale, this.planner, out);
    this.refill(); // the departments: the plan's reference data is known from here on
    this.departments = out.departments;
    this.rounds = out.rounds;
    this.findingsPerRound = out.findingsPerRound;
    this.leadsPerRound = out.leadsPerRound;
  }

  /** The next steps, at most `n` (none once all are taken). */
  take(n: number): Step[] {
    const steps: Step[] = [];
    while (steps.length < n && this.taken < this.total) {
      if (this.at === this.ready.length) {
        if (!this.refill()) break;
        continue;
      }
      const step = this.ready[this.at];
      this.ready[this.at++] = undefined as never; // handed out
      steps.push(step);
      this.taken++;
      this.lastStepAt = step.t;
    }
    return steps;
  }

  /** `materialize`, counting the findings and leads whose last step this was and letting their states go. */
  materialize(steps: readonly Step[], ids: Rng): Decided[] {
    const decided = materialize(steps, ids);
    for (const step of steps) {
      const s = step.stream;
      if (s.category !== 'finding' && s.category !== 'lead') continue;
      if (s.taken < s.planned) this.open.add(s);
      else if (s.state !== undefined) {
        this.open.delete(s);
        countStatus(this.done, s);
        s.state = undefined;
      }
    }
    return decided;
  }

  /** What the read models must show after the steps taken so far. */
  figures(): Figures {
    const findings = { ...this.done.findings };
    const leads = { ...this.done.leads };
    for (const s of this.open) countStatus({ findings, leads }, s);
    return { findings, leads, rounds: this.rounds.filter((r) => r.stream.decided > 0).length };
  }

  /** Lets go of every step not taken and of the streams' states (after `figures`: nothing more is taken). */
  close(): void {
    this.rounds$.return();
    this.exhausted = true;
    this.planner.drain(Number.POSITIVE_INFINITY);
    this.ready = [];
    this.at = 0;
    for (const s of this.open) s.state = undefined;
    this.open.clear();
  }

  /** Plans the next round (or the rest) and makes its steps ready; false when nothing is left. */
  private refill(): boolean {
    while (!this.exhausted) {
      const next = this.rounds$.next();
      const bound = next.done ? Number.POSITIVE_INFINITY : next.value;
      if (next.done) this.exhausted = true;
      const ready = this.planner.drain(bound);
      if (ready.length) {
        this.ready = ready;
        this.at = 0;
        return true;
      }
    }
    return false;
  }
}

export const streamWorld = (options: WorldOptions) => new StreamedWorld(options);

// ---------------------------------------------------------------------------------------------
// Materializing

export interface Decided {
  stream: Stream;
  events: NewEvent[];
}

/**
 * Decides the steps in order and answers the events per stream (streams in order of first
 * appearance). `ids` gives the event, correlation and causation ids (seeded).
 */
export function materialize(steps: readonly Step[], ids: Rng): Decided[] {
  const byStream = new Map<Stream, NewEvent[]>();
  for (const step of steps) {
    const base = step.command();
    const command = { ...base, metadata: { ...base.metadata, now: new Date(step.t).toISOString() } } as Command;
    if (!roleMayDo(step.actor.role, command.type as CommandType))
      throw new Error(`${step.actor.role} may not ${command.type} (bench plan error)`);
    const s = step.stream;
    const decided = s.decider.decide(command, s.state);
    s.taken++;
    const correlationId = ids.uuid();
    const causationId = ids.uuid();
    let list = byStream.get(s);
    if (!list) byStream.set(s, (list = []));
    for (const e of decided) {
      s.state = s.decider.evolve(s.state, e);
      s.decided++;
      list.push({
        id: ids.uuid(),
        type: e.type,
        data: e.data,
        metadata: {
          actor: { id: step.actor.id, username: step.actor.username, role: step.actor.role },
          correlationId,
          causationId,
          command: command.type,
        },
        occurredAt: (e.data as { occurredAt?: string }).occurredAt ?? null,
      });
    }
  }
  return [...byStream].map(([stream, events]) => ({ stream, events }));
}

function countStatus(into: { findings: Record<string, number>; leads: Record<string, number> }, s: Stream): void {
  if (s.category === 'finding') {
    const st = (s.state as FindingState).status;
    into.findings[st] = (into.findings[st] ?? 0) + 1;
  } else if (s.category === 'lead') {
    const st = (s.state as LeadState).status;
    into.leads[st] = (into.leads[st] ?? 0) + 1;
  }
}

/** The statuses of every finding and lead decided so far (to check the read models against). */
export function expectedFigures(streams: readonly Stream[]): {
  findings: Record<string, number>;
  leads: Record<string, number>;
  rounds: number;
} {
  const figures = { findings: {} as Record<string, number>, leads: {} as Record<string, number> };
  let rounds = 0;
  for (const s of streams) {
    if (s.decided === 0) continue;
    if (s.category === 'round') rounds++;
    else countStatus(figures, s);
  }
  return { ...figures, rounds };
}
