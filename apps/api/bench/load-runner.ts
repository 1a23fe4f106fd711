/**
 * The load generator of the API benchmark (see bench-api.ts): autocannon with one dynamic request
 * whose `setupRequest` picks, for each request, a command and a finding in a state that accepts it,
 * and whose `onResponse` moves that finding on to its next state. Findings flow
 *
 *   record (inspector) → recorded → assign (official) → assigned → acknowledge (liaison)
 *     → acknowledged → plan (liaison) → in_progress → progress (liaison, repeatable)
 *
 * and a finding is never the target of two requests in flight at once, so every request is a valid
 * command for the state its finding is in and should answer 2xx.
 *
 * Runs in the benchmark's process (`runLoad`) or in a process of its own (`forkLoadGenerator` of @app/bench
 * with a LoadPlan), which answers phase marks and then a LoadResult.
 */
import type autocannon from 'autocannon';
import { autocannonPhase, serveAsLoadGenerator, type Mark, type PhaseFigures } from '@app/bench';

export const OPS = ['progress', 'record', 'assign', 'acknowledge', 'plan'] as const;
export type Op = (typeof OPS)[number];

export interface FindingRef {
  id: string;
  dept: string;
}

export interface Pools {
  recorded: FindingRef[];
  assigned: FindingRef[];
  acknowledged: FindingRef[];
  inProgress: FindingRef[];
}

export interface LoadPlan {
  /** http://127.0.0.1:<port> */
  url: string;
  connections: number;
  warmupSeconds: number;
  measureSeconds: number;
  /** Relative weights of the commands; a command whose pool is empty falls back to `progress`. */
  weights: Record<Op, number>;
  tokens: { officials: string[]; inspectors: string[]; liaisons: Record<string, string[]> };
  roundId: string;
  pointId: string;
  departments: string[];
  pools: Pools;
  /** Makes Idempotency-Keys unique across runs. */
  tag: string;
  /** Whether `record` requests carry an Idempotency-Key (as a client that retries creations would). */
  idempotentRecord: boolean;
}

export interface PhaseSummary extends Omit<PhaseFigures, 'okPerSec'> {
  commandsPerSec: number;
  perOp: Record<Op, { ok: number; non2xx: number }>;
  /** Picks of a command whose pool was empty, sent as `progress` instead. */
  fallbacks: Record<Op, number>;
  non2xxSamples: Array<{ op: Op; status: number; body: string }>;
}

export interface LoadResult {
  mode: 'fork' | 'in-process';
  pid: number;
  warmup: PhaseSummary;
  measured: PhaseSummary;
  pools: Pools;
}

export type PhaseMark = { phase: 'warmup' | 'measure'; edge: 'start' | 'end' };

// ---------------------------------------------------------------------------------------------

const NOTES = [
  '已完成2所学校食材进货查验台账的建立，其余学校正在推进。',
  '已召开专题会议部署整改，明确责任人和完成时限。',
  '已对相关经办人员开展约谈，补齐审批手续。',
  '已完成自查自纠，形成问题清单和整改台账。',
  '已修订内部管理制度，报党组会审议通过。',
];
const TITLES = [
  '学校食堂食材采购台账不全',
  '低保审核把关不严',
  '基层执法记录仪使用不规范',
  '专项资金拨付进度滞后',
  '惠民补贴发放名单公示不到位',
];
const DESCRIPTIONS = [
  '抽查3所学校，食材索证索票不全，部分供货商资质过期。',
  '抽查低保档案20份，其中4份缺少入户调查记录。',
  '随机调取执法记录仪视频，发现多起执法过程未全程记录。',
];
const MEASURES = [
  '建立食材进货查验台账，每月抽查一次',
  '逐户复核低保对象，完善入户调查记录',
  '制定执法记录仪使用规范并开展培训',
];
const TARGETS = ['10月底前全部学校建立台账', '11月底前完成全部复核', '12月底前实现执法全过程记录'];
const PEOPLE = ['王建国', '李明', '赵强', '陈静'];

class Deque<T> {
  private items: T[] = [];
  private head = 0;
  constructor(initial: T[] = []) {
    this.items = [...initial];
  }
  get size(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  toArray(): T[] {
    return this.items.slice(this.head);
  }
}

interface Pending {
  op: Op;
  finding?: FindingRef;
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)];

/** Chooses each request and follows each finding's state through the responses. */
class MixGenerator {
  private readonly recorded: Deque<FindingRef>;
  private readonly assigned: Deque<FindingRef>;
  private readonly acknowledged: Deque<FindingRef>;
  private readonly inProgress: FindingRef[];
  private readonly busy = new Set<string>();
  private readonly cumulative: Array<[Op, number]>;
  private readonly totalWeight: number;
  private keySeq = 0;

  // per phase
  perOp = emptyPerOp();
  fallbacks = emptyFallbacks();
  samples: PhaseSummary['non2xxSamples'] = [];

  constructor(private readonly plan: LoadPlan) {
    this.recorded = new Deque(plan.pools.recorded);
    this.assigned = new Deque(plan.pools.assigned);
    this.acknowledged = new Deque(plan.pools.acknowledged);
    this.inProgress = [...plan.pools.inProgress];
    let acc = 0;
    this.cumulative = OPS.filter((op) => plan.weights[op] > 0).map(
      (op) => [op, (acc += plan.weights[op])] as [Op, number],
    );
    this.totalWeight = acc;
  }

  resetPhase(): void {
    this.perOp = emptyPerOp();
    this.fallbacks = emptyFallbacks();
    this.samples = [];
  }

  /**
   * Between phases: requests cut off by the end of a run may or may not have been executed. A
   * progress report leaves its finding in progress either way, so those findings are free again;
   * a finding whose transition was cut off is in an unknown state and is dropped.
   */
  releaseProgressFindings(): void {
    this.busy.clear();
  }

  pools(): Pools {
    return {
      recorded: this.recorded.toArray(),
      assigned: this.assigned.toArray(),
      acknowledged: this.acknowledged.toArray(),
      inProgress: this.inProgress.filter((f) => !this.busy.has(f.id)),
    };
  }

  private choose(): Op {
    const r = Math.random() * this.totalWeight;
    for (const [op, upTo] of this.cumulative) if (r < upTo) return op;
    return this.cumulative[this.cumulative.length - 1][0];
  }

  private freeInProgress(): FindingRef | undefined {
    if (this.inProgress.length === 0) return undefined;
    for (let i = 0; i < 20; i++) {
      const f = pick(this.inProgress);
      if (!this.busy.has(f.id)) return f;
    }
    return this.inProgress.find((f) => !this.busy.has(f.id));
  }

  next(): { params: autocannon.RequestParams; tag: Pending } {
    const wanted = this.choose();
    let op: Op = wanted;
    let finding: FindingRef | undefined;
    switch (wanted) {
      case 'assign':
        finding = this.recorded.shift();
        break;
      case 'acknowledge':
        finding = this.assigned.shift();
        break;
      case 'plan':
        finding = this.acknowledged.shift();
        break;
      case 'progress':
        finding = this.freeInProgress();
        break;
      case 'record':
        finding = { id: '', dept: pick(this.plan.departments) };
        break;
    }
    if (!finding) {
      this.fallbacks[wanted]++;
      op = 'progress';
      finding = this.freeInProgress();
      if (!finding) {
        op = 'record';
        finding = { id: '', dept: pick(this.plan.departments) };
      }
    }
    if (op === 'progress') this.busy.add(finding.id);
    return { params: this.request(op, finding), tag: { op, finding } };
  }

  private request(op: Op, f: FindingRef | undefined): autocannon.RequestParams {
    const { tokens } = this.plan;
    const liaison = () => pick(tokens.liaisons[f!.dept]);
    const post = (
      token: string,
      path: string,
      body: unknown,
      extra: Record<string, string> = {},
    ): autocannon.RequestParams => ({
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra },
      body: JSON.stringify(body),
    });
    switch (op) {
      case 'record': {
        const extra: Record<string, string> = this.plan.idempotentRecord
          ? { 'idempotency-key': `bench-${this.plan.tag}-${process.pid}-${++this.keySeq}` }
          : {};
        return post(
          pick(tokens.inspectors),
          `/api/rounds/${this.plan.roundId}/findings`,
          {
            monitoringPointId: this.plan.pointId,
            departmentId: f!.dept,
            title: pick(TITLES),
            description: pick(DESCRIPTIONS),
          },
          extra,
        );
      }
      case 'assign':
        return post(pick(tokens.officials), `/api/findings/${f!.id}/assign`, {
          type: Math.random() < 0.8 ? 'deadline' : 'long_term',
          departmentId: f!.dept,
          responsiblePerson: pick(PEOPLE),
          dueOn: '2024-12-31',
        });
      case 'acknowledge':
        return post(liaison(), `/api/findings/${f!.id}/acknowledge`, {});
      case 'plan':
        return post(liaison(), `/api/findings/${f!.id}/plan`, { measures: pick(MEASURES), target: pick(TARGETS) });
      case 'progress':
        return post(liaison(), `/api/findings/${f!.id}/progress`, {
          note: pick(NOTES),
          percent: 10 + Math.floor(Math.random() * 80),
          evidence: [`整改佐证-${Math.floor(Math.random() * 1000)}.jpg`],
        });
    }
  }

  done(p: Pending, status: number, body: string): void {
    const ok = status >= 200 && status < 300;
    if (!ok) {
      this.perOp[p.op].non2xx++;
      if (this.samples.length < 20) this.samples.push({ op: p.op, status, body: body.slice(0, 400) });
      return; // the finding is left out of every pool
    }
    this.perOp[p.op].ok++;
    const f = p.finding!;
    switch (p.op) {
      case 'record':
        this.recorded.push({ id: (JSON.parse(body) as { findingId: string }).findingId, dept: f.dept });
        break;
      case 'assign':
        this.assigned.push(f);
        break;
      case 'acknowledge':
        this.acknowledged.push(f);
        break;
      case 'plan':
        this.inProgress.push(f);
        break;
      case 'progress':
        this.busy.delete(f.id);
        break;
    }
  }
}

function emptyPerOp(): Record<Op, { ok: number; non2xx: number }> {
  return Object.fromEntries(OPS.map((op) => [op, { ok: 0, non2xx: 0 }])) as Record<Op, { ok: number; non2xx: number }>;
}
function emptyFallbacks(): Record<Op, number> {
  return Object.fromEntries(OPS.map((op) => [op, 0])) as Record<Op, number>;
}

// ---------------------------------------------------------------------------------------------

async function phase(gen: MixGenerator, plan: LoadPlan, seconds: number): Promise<PhaseSummary> {
  gen.resetPhase();
  const { okPerSec, ...figures } = await autocannonPhase<Pending>({
    url: plan.url,
    connections: plan.connections,
    seconds,
    method: 'POST',
    next: () => gen.next(),
    done: (pending, status, body) => gen.done(pending, status, body),
  });
  return {
    ...figures,
    commandsPerSec: okPerSec,
    perOp: gen.perOp,
    fallbacks: gen.fallbacks,
    non2xxSamples: gen.samples,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Warm-up, then the measured run, on one generator (the pools carry over); `mark` is told of each phase edge. */
export async function runLoad(
  plan: LoadPlan,
  mode: LoadResult['mode'],
  mark: (m: PhaseMark) => void | Promise<void> = () => undefined,
): Promise<LoadResult> {
  const gen = new MixGenerator(plan);
  await mark({ phase: 'warmup', edge: 'start' });
  const warmup = await phase(gen, plan, plan.warmupSeconds);
  await sleep(300); // let requests cut off by the end of the warm-up finish on the server
  await mark({ phase: 'warmup', edge: 'end' }); // the measured phase waits until this is acknowledged
  gen.releaseProgressFindings();
  await mark({ phase: 'measure', edge: 'start' });
  const measured = await phase(gen, plan, plan.measureSeconds);
  await mark({ phase: 'measure', edge: 'end' });
  await sleep(300);
  gen.releaseProgressFindings();
  return { mode, pid: process.pid, warmup, measured, pools: gen.pools() };
}

// In a process of its own: the measured phase waits until the parent has acknowledged the end of the warm-up.
serveAsLoadGenerator<LoadPlan, PhaseMark, LoadResult>((plan, mark: Mark<PhaseMark>) =>
  runLoad(plan, 'fork', (m) => mark(m, m.phase === 'warmup' && m.edge === 'end')),
);
