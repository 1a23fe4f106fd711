/**
 * API benchmark (not a test): commands per second through HTTP, the real app on a fresh database,
 * against the raw rate of single-row INSERTs into a table shaped like the event table, measured in
 * the same run on the same database.
 *
 *   npm run bench:api                                        # embedded PostgreSQL under DATA_DIR (./data/bench-api)
 *   DATABASE_URL=postgres://... npm run bench:api            # a fresh database xuncha_bench_<random> on that server
 *
 * Knobs (environment): BENCH_SECONDS (measured seconds of each run, default 10), BENCH_WARMUP_SECONDS
 * (autocannon warm-up before each API run, default 3), BENCH_CONNECTIONS (default 32),
 * BENCH_FINDINGS (findings created before the load, default 2000), BENCH_RAW_CLIENTS (default 8),
 * BENCH_LOADGEN (which API runs: fork,in-process; default both), BENCH_IDEMPOTENT_RECORD (on|off,
 * default on: `record` requests carry an Idempotency-Key).
 *
 * The server runs in this process (createApp + listen on 127.0.0.1:0). The load generator
 * (autocannon, load-runner.ts) runs once in a forked process of its own (the figure the target is
 * judged on) and once inside this process, next to the server. Order: raw INSERTs, API (forked load
 * generator), API (in-process load generator), raw INSERTs again; the raw rate is the mean of both.
 * Exits non-zero when any command answered non-2xx or failed. Results: printed, and written as JSON to
 * bench-results/api.json (relative to the cwd).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  backendPids,
  envList,
  envNumber,
  envSwitch,
  fmt,
  forkLoadGenerator,
  loadAverageLine,
  machineCpuMs,
  machineFacts,
  machineLine,
  pct,
  percentile,
  pool,
  postgresFacts,
  prepareRunDatabase,
  procCpuMs,
  range,
  runBenchmark,
  rawEventsTableSql,
  writeResults,
  type RunDatabase,
} from '@app/bench';
import {
  installShutdownHandlers,
  loadConfig,
  openDatabase,
  redactDatabaseUrl,
  type DatabaseHandle,
} from '@app/database';
import { closeApp, createApp } from '../src/app.factory.js';
import {
  OPS,
  runLoad,
  type FindingRef,
  type LoadPlan,
  type LoadResult,
  type Op,
  type PhaseMark,
  type Pools,
} from './load-runner.js';

// ---------------------------------------------------------------------------------------------
// Settings

const MEASURE_S = envNumber('BENCH_SECONDS', 10);
const WARMUP_S = envNumber('BENCH_WARMUP_SECONDS', 3);
const RAW_WARMUP_S = 1;
const CONNECTIONS = Math.floor(envNumber('BENCH_CONNECTIONS', 32));
const FINDINGS = Math.floor(envNumber('BENCH_FINDINGS', 2000));
const RAW_CLIENTS = Math.floor(envNumber('BENCH_RAW_CLIENTS', 8));
const LOADGEN = envList('BENCH_LOADGEN', 'fork,in-process');
const IDEMPOTENT_RECORD = envSwitch('BENCH_IDEMPOTENT_RECORD');
const TARGET_RATIO = 0.3;
const SETUP_CONCURRENCY = 16;
const DEPARTMENTS = 8;
const LIAISONS_PER_DEPARTMENT = 2;
const OFFICIALS = 2;
const INSPECTORS = 4;
const ADMIN_PASSWORD = 'bench-admin-password';
const JWT_SECRET = `bench-jwt-secret-${randomUUID()}`;

/** The measured mix: relative weights. record → assign → acknowledge → plan feed the in-progress pool. */
const WEIGHTS: Record<Op, number> = { progress: 55, record: 12, assign: 12, acknowledge: 11, plan: 10 };

/** How the pre-created findings are spread over states (the rest stay recorded). */
const SHARE = { inProgress: 0.6, acknowledged: 0.1, assigned: 0.1 };

const OP_LABEL: Record<Op, string> = {
  progress: 'POST /api/findings/:id/progress (liaison, in-progress finding)',
  record: 'POST /api/rounds/:id/findings (inspector, new finding)',
  assign: 'POST /api/findings/:id/assign (official, recorded finding)',
  acknowledge: 'POST /api/findings/:id/acknowledge (liaison, assigned finding)',
  plan: 'POST /api/findings/:id/plan (liaison, acknowledged finding)',
};

// ---------------------------------------------------------------------------------------------
// Helpers

class HttpError extends Error {}

function client(base: string) {
  return async function call<T = Record<string, unknown>>(
    token: string | undefined,
    pathname: string,
    body: unknown = {},
  ): Promise<T> {
    const res = await fetch(base + pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status < 200 || res.status >= 300)
      throw new HttpError(`POST ${pathname} answered ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  };
}

// ------------------------------------------------------------------ CPU figures (Linux /proc)

interface Snapshot {
  t: number;
  /** process.hrtime in µs: the clock of a --cpu-prof profile, to find the measured window in it. */
  hrUs: number;
  node: NodeJS.CpuUsage;
  pgMs: number;
  machine: { busy: number; total: number };
}
const snapshot = (pgPids: number[]): Snapshot => ({
  t: performance.now(),
  hrUs: Number(process.hrtime.bigint() / 1000n),
  node: process.cpuUsage(),
  pgMs: procCpuMs(pgPids),
  machine: machineCpuMs(),
});

interface CpuFigures {
  seconds: number;
  /** The window, in process.hrtime µs. */
  hrUs: [number, number];
  /** CPU of this process (the server, and in in-process mode the load generator too), ms. */
  benchProcessMs: number;
  /** Of which in the kernel (system time), ms. */
  benchProcessSystemMs: number;
  /** CPU of the PostgreSQL backends serving the measured side, ms. */
  pgBackendsMs: number;
  /** Share of the machine's CPU time that was busy (all processes, all cores). */
  machineBusy: number;
}
function cpuBetween(a: Snapshot, b: Snapshot): CpuFigures {
  return {
    seconds: (b.t - a.t) / 1000,
    hrUs: [a.hrUs, b.hrUs],
    benchProcessMs: (b.node.user - a.node.user + b.node.system - a.node.system) / 1000,
    benchProcessSystemMs: (b.node.system - a.node.system) / 1000,
    pgBackendsMs: b.pgMs - a.pgMs,
    machineBusy: (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total),
  };
}

// ---------------------------------------------------------------------------------------------
// Raw baseline: single-row INSERTs (autocommit) into a table shaped like the event table.

const RAW_SCHEMA = 'bench_raw';
const RAW_APP = 'bench-raw';

const RAW_TABLE_SQL = `CREATE SCHEMA ${RAW_SCHEMA};` + rawEventsTableSql(RAW_SCHEMA, 'events');

const RAW_INSERT = `INSERT INTO ${RAW_SCHEMA}.events (stream_id, revision, id, type, data, metadata, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`;

interface RawRun {
  rows: number;
  seconds: number;
  rowsPerSec: number;
  latencyMs: { p50: number; p99: number };
  cpu: CpuFigures;
}

/** What an API progress report writes, as a raw row would carry it. */
function rawRow(streamId: string, revision: number): unknown[] {
  const id = randomUUID();
  const now = new Date().toISOString();
  const data = {
    findingId: streamId,
    note: '已完成2所学校食材进货查验台账的建立，其余学校正在推进。',
    percent: 10 + (revision % 80),
    evidence: [`整改佐证-${revision}.jpg`],
    occurredAt: now,
  };
  const metadata = {
    actor: { id: randomUUID(), username: 'liaison.d1.1', role: 'unit_liaison' },
    correlationId: id,
    causationId: randomUUID(),
    command: 'ReportProgress',
  };
  return [streamId, revision, id, 'ProgressReported', JSON.stringify(data), JSON.stringify(metadata), now];
}

async function rawInserts(clients: pg.Client[], admin: pg.Client, seconds: number): Promise<RawRun> {
  const streams = clients.map(() => ({ id: `raw-${randomUUID()}`, revision: 0 }));
  const loop = async (measure: boolean, s: number) => {
    const deadline = performance.now() + s * 1000;
    const latencies: number[] = [];
    let rows = 0;
    await Promise.all(
      clients.map(async (c, w) => {
        const stream = streams[w];
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await c.query({ name: 'raw_insert', text: RAW_INSERT, values: rawRow(stream.id, ++stream.revision) });
          if (measure) latencies.push(performance.now() - t0);
          rows++;
        }
      }),
    );
    return { rows, latencies };
  };
  await loop(false, RAW_WARMUP_S);
  const pids = await backendPids(admin, 'application_name = $1', [RAW_APP]);
  const a = snapshot(pids);
  const { rows, latencies } = await loop(true, seconds);
  const b = snapshot(pids);
  latencies.sort((x, y) => x - y);
  const cpu = cpuBetween(a, b);
  return {
    rows,
    seconds: cpu.seconds,
    rowsPerSec: rows / cpu.seconds,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    cpu,
  };
}

// ---------------------------------------------------------------------------------------------
// Set-up through the API

interface World {
  plan: Omit<
    LoadPlan,
    'connections' | 'warmupSeconds' | 'measureSeconds' | 'weights' | 'pools' | 'tag' | 'idempotentRecord'
  >;
  pools: Pools;
  commands: number;
  seconds: number;
}

async function setUp(base: string): Promise<World> {
  const call = client(base);
  const t0 = performance.now();
  let commands = 0;
  const cmd = async <T = Record<string, unknown>>(token: string, pathname: string, body: unknown = {}) => {
    const r = await call<T>(token, pathname, body);
    commands++;
    return r;
  };
  const login = async (username: string, password: string) =>
    (await call<{ accessToken: string }>(undefined, '/api/auth/login', { username, password })).accessToken;

  const admin = await login('admin', ADMIN_PASSWORD);
  const KINDS = ['bureau', 'subdistrict', 'community', 'other'];
  const NAMES = [
    '区教育局',
    '区民政局',
    '区住建局',
    '区农业农村局',
    '城关街道办事处',
    '西湖街道办事处',
    '青山镇人民政府',
    '区市场监管局',
  ];
  const departments: string[] = [];
  for (const i of range(DEPARTMENTS)) {
    const r = await cmd<{ departmentId: string }>(admin, '/api/departments', {
      name: NAMES[i % NAMES.length] + (i >= NAMES.length ? i : ''),
      kind: KINDS[i % KINDS.length],
    });
    departments.push(r.departmentId);
  }
  const users: Array<{ username: string; role: string; departmentId?: string }> = [
    ...range(OFFICIALS).map((i) => ({ username: `official${i + 1}`, role: 'official' })),
    ...range(INSPECTORS).map((i) => ({ username: `inspector${i + 1}`, role: 'inspector' })),
    ...departments.flatMap((departmentId, d) =>
      range(LIAISONS_PER_DEPARTMENT).map((k) => ({
        username: `liaison.d${d + 1}.${k + 1}`,
        role: 'unit_liaison',
        departmentId,
      })),
    ),
  ];
  const tokens = new Map<string, string>();
  await pool(users, 4, async (u) => {
    const password = `${u.username}-password`;
    await call(admin, '/api/users', { ...u, password });
    tokens.set(u.username, await login(u.username, password));
  });
  const officials = range(OFFICIALS).map((i) => tokens.get(`official${i + 1}`)!);
  const inspectors = range(INSPECTORS).map((i) => tokens.get(`inspector${i + 1}`)!);
  const liaisons = Object.fromEntries(
    departments.map((d, di) => [
      d,
      range(LIAISONS_PER_DEPARTMENT).map((k) => tokens.get(`liaison.d${di + 1}.${k + 1}`)!),
    ]),
  );

  const { roundId } = await cmd<{ roundId: string }>(officials[0], '/api/rounds', {
    title: '平城区困难群众救助和基层执法领域机动式巡察',
    kind: 'mobile',
    scope: '困难群众救助领域和基层执法领域',
    startsOn: '2024-08-26',
    endsOn: '2024-12-31',
  });
  const { fieldId } = await cmd<{ fieldId: string }>(officials[0], `/api/rounds/${roundId}/fields`, {
    name: '校园食品安全',
  });
  const { pointId } = await cmd<{ pointId: string }>(inspectors[0], `/api/rounds/${roundId}/monitoring-points`, {
    fieldId,
    title: '学校食堂食材采购与查验',
    targets: departments.map((departmentId, i) => ({
      kind: 'department',
      name: NAMES[i % NAMES.length],
      departmentId,
    })),
  });
  await cmd(officials[0], `/api/rounds/${roundId}/station`, { occurredAt: '2024-08-26T09:00:00+08:00' });

  // Findings, each driven to the state its slot asks for.
  const nInProgress = Math.round(FINDINGS * SHARE.inProgress);
  const nAcknowledged = Math.round(FINDINGS * SHARE.acknowledged);
  const nAssigned = Math.round(FINDINGS * SHARE.assigned);
  const target = (i: number): keyof Pools =>
    i < nInProgress
      ? 'inProgress'
      : i < nInProgress + nAcknowledged
        ? 'acknowledged'
        : i < nInProgress + nAcknowledged + nAssigned
          ? 'assigned'
          : 'recorded';
  const pools: Pools = { recorded: [], assigned: [], acknowledged: [], inProgress: [] };
  const order: Array<keyof Pools> = ['recorded', 'assigned', 'acknowledged', 'inProgress'];
  let done = 0;
  let lastReport = performance.now();
  await pool(range(FINDINGS), SETUP_CONCURRENCY, async (i) => {
    const dept = departments[i % departments.length];
    const liaison = liaisons[dept][i % LIAISONS_PER_DEPARTMENT];
    const official = officials[i % officials.length];
    const { findingId } = await cmd<{ findingId: string }>(
      inspectors[i % inspectors.length],
      `/api/rounds/${roundId}/findings`,
      {
        monitoringPointId: pointId,
        departmentId: dept,
        title: '学校食堂食材采购台账不全',
        description: '抽查3所学校，食材索证索票不全。',
      },
    );
    const goal = order.indexOf(target(i));
    if (goal >= 1)
      await cmd(official, `/api/findings/${findingId}/assign`, {
        type: 'deadline',
        departmentId: dept,
        responsiblePerson: '王建国',
        dueOn: '2024-12-31',
      });
    if (goal >= 2) await cmd(liaison, `/api/findings/${findingId}/acknowledge`, {});
    if (goal >= 3)
      await cmd(liaison, `/api/findings/${findingId}/plan`, {
        measures: '建立食材进货查验台账',
        target: '10月底前全部学校建立台账',
      });
    pools[order[goal]].push({ id: findingId, dept } satisfies FindingRef);
    done++;
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      console.log(`    … ${fmt(done)} / ${fmt(FINDINGS)} findings`);
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  return {
    plan: { url: base, tokens: { officials, inspectors, liaisons }, roundId, pointId, departments },
    pools,
    commands,
    seconds,
  };
}

// ---------------------------------------------------------------------------------------------
// API runs

interface ApiRun {
  result: LoadResult;
  cpu: CpuFigures;
  /** CPU of the load generator process (fork mode only), ms. */
  loadgenMs: number;
}

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-runner.js');
let child: ChildProcess | undefined;

async function apiRun(mode: LoadResult['mode'], plan: LoadPlan, admin: pg.Client): Promise<ApiRun> {
  const marks = new Map<string, Snapshot>();
  // The app's backends, found once its pools are warm (at the end of the warm-up); any started
  // during the measured phase are added at its end with all the CPU they used.
  let pids: number[] = [];
  let lateMs = 0;
  const appBackends = () => backendPids(admin, `application_name NOT IN ('${RAW_APP}', 'bench-admin')`);
  const onMark = async (m: PhaseMark) => {
    if (m.phase === 'warmup' && m.edge === 'end') pids = await appBackends();
    marks.set(`${m.phase}:${m.edge}`, snapshot(pids));
    if (m.phase === 'measure' && m.edge === 'end') {
      const known = new Set(pids);
      lateMs = procCpuMs((await appBackends()).filter((p) => !known.has(p))) || 0;
    }
  };
  let result: LoadResult;
  if (mode === 'in-process') {
    result = await runLoad(plan, 'in-process', onMark);
  } else {
    const forked = forkLoadGenerator<LoadPlan, PhaseMark, LoadResult>(
      RUNNER,
      plan,
      (plan.warmupSeconds + plan.measureSeconds + 120) * 1000,
      async (mark, go) => {
        await onMark(mark);
        if (mark.phase === 'warmup' && mark.edge === 'end') go();
      },
    );
    child = forked.child;
    result = await forked.result;
  }
  const a = marks.get('measure:start');
  const b = marks.get('measure:end');
  if (!a || !b) throw new Error('the load generator did not mark its measured phase');
  const m = result.measured;
  const cpu = cpuBetween(a, b);
  cpu.pgBackendsMs += lateMs;
  return { result, cpu, loadgenMs: mode === 'fork' ? m.cpuMs.user + m.cpuMs.system : NaN };
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const benchStarted = Date.now();
  const loadAtStart = os.loadavg();
  let database: DatabaseHandle | undefined;
  let app: NestFastifyApplication | undefined;
  let admin: pg.Client | undefined;
  const rawClients: pg.Client[] = [];
  let runDatabase: RunDatabase | undefined;
  let cleaning: Promise<void> | undefined;

  // One clean-up, whoever asks first (a signal, or the end of main); both wait for all of it.
  const cleanup = (): Promise<void> => (cleaning ??= cleanUp());
  const cleanUp = async (): Promise<void> => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    for (const c of rawClients) await c.end().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    if (app)
      await closeApp(app).catch((e: unknown) => console.error(`Closing the app failed: ${(e as Error).message}`));
    if (runDatabase) await runDatabase.remove(async () => database?.stop());
    else
      await database
        ?.stop()
        .catch((e: unknown) => console.error(`Stopping the embedded PostgreSQL failed: ${(e as Error).message}`));
  };
  installShutdownHandlers([cleanup]);

  try {
    // A database of its own (on DATABASE_URL's server, or embedded in a fresh folder under DATA_DIR), removed at the end.
    runDatabase = await prepareRunDatabase('bench-api');
    const runId = randomUUID().replaceAll('-', '').slice(0, 12);
    const appEnv = runDatabase.env;
    const config = loadConfig({
      ...appEnv,
      JWT_SECRET,
      ADMIN_PASSWORD,
      LOG_LEVEL: 'error',
      LOGIN_ATTEMPTS_PER_MINUTE: '100000',
      PROJECTIONS: process.env.BENCH_PROJECTIONS ?? 'on',
      DEMO: 'off',
    });
    database = await openDatabase(config, { log: () => undefined, warn: (m) => console.warn(m) });
    const dbUrl = database.url;

    admin = new pg.Client({ connectionString: dbUrl, application_name: 'bench-admin' });
    admin.on('error', () => undefined);
    await admin.connect();
    const pgFacts = await postgresFacts(admin, [
      'shared_buffers',
      'synchronous_commit',
      'fsync',
      'max_wal_size',
      'wal_level',
      'max_connections',
    ]);
    console.log(
      `Database: ${database.mode} (${redactDatabaseUrl(dbUrl)})${runDatabase.externalName ? `, fresh database ${runDatabase.externalName}` : `, data in ${runDatabase.runDir}`}`,
    );

    app = await createApp(config, database);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
    const base = `http://127.0.0.1:${address.port}`;
    console.log(`App: real app (createApp) in this process (pid ${process.pid}), listening on ${base}`);

    // ---------------------------------------------------------------- set-up
    console.log(
      `Set-up through the API: ${DEPARTMENTS} departments, ${OFFICIALS} officials, ${INSPECTORS} inspectors, ${LIAISONS_PER_DEPARTMENT} liaisons per department, a stationed round with a field and a monitoring point, ${fmt(FINDINGS)} findings`,
    );
    const world = await setUp(base);
    const { pools } = world;
    console.log(
      `  done in ${fmt(world.seconds, 1)} s (${fmt(world.commands)} commands, ${SETUP_CONCURRENCY} sequential clients: ${fmt(world.commands / world.seconds)} commands/s); ` +
        `findings: ${pools.inProgress.length} in progress, ${pools.acknowledged.length} acknowledged, ${pools.assigned.length} assigned, ${pools.recorded.length} recorded`,
    );

    await admin.query(RAW_TABLE_SQL);
    // The raw table starts as big as the event log, with a copy of its rows.
    const copied = await admin.query(
      `INSERT INTO ${RAW_SCHEMA}.events (position, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at)
       SELECT position, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at FROM event_store.es_events ORDER BY position`,
    );
    await admin.query(`SELECT setval('${RAW_SCHEMA}.events_seq', (SELECT max(position) FROM ${RAW_SCHEMA}.events))`);
    await admin.query(`ANALYZE ${RAW_SCHEMA}.events`);
    await admin.query(`ANALYZE event_store.es_events`);
    console.log(
      `Raw table ${RAW_SCHEMA}.events: shaped like event_store.es_events, seeded with a copy of its ${fmt(copied.rowCount ?? 0)} rows; both ANALYZEd`,
    );
    for (const _ of range(RAW_CLIENTS)) {
      const c = new pg.Client({ connectionString: dbUrl, application_name: RAW_APP });
      c.on('error', () => undefined);
      await c.connect();
      rawClients.push(c);
    }
    console.log(
      `Load: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${MEASURE_S} s measured per API run; raw: ${RAW_CLIENTS} clients, ${RAW_WARMUP_S} s warm-up + ${MEASURE_S} s; load average now ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}\n`,
    );

    // ---------------------------------------------------------------- measured runs
    const rawRuns: RawRun[] = [];
    const report = (r: RawRun, label: string) =>
      console.log(
        `  raw INSERTs (${label}): ${fmt(r.rowsPerSec)} rows/s (${fmt(r.rows)} rows in ${fmt(r.seconds, 1)} s), p50 ${fmt(r.latencyMs.p50, 2)} ms, p99 ${fmt(r.latencyMs.p99, 2)} ms; ` +
          `CPU per row: PG backends ${fmt((r.cpu.pgBackendsMs * 1000) / r.rows)} µs, this process (pg clients) ${fmt((r.cpu.benchProcessMs * 1000) / r.rows)} µs; machine ${pct(r.cpu.machineBusy)} busy`,
      );
    rawRuns.push(await rawInserts(rawClients, admin, MEASURE_S));
    report(rawRuns[0], 'before');

    const apiRuns: ApiRun[] = [];
    let currentPools = pools;
    for (const mode of ['fork', 'in-process'] as const) {
      if (!LOADGEN.has(mode)) continue;
      const plan: LoadPlan = {
        ...world.plan,
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_S,
        measureSeconds: MEASURE_S,
        weights: WEIGHTS,
        pools: currentPools,
        tag: `${runId}-${mode}`,
        idempotentRecord: IDEMPOTENT_RECORD,
      };
      const run = await apiRun(mode, plan, admin);
      currentPools = run.result.pools;
      apiRuns.push(run);
      const m = run.result.measured;
      const perCmd = (ms: number) => fmt((ms * 1000) / m.ok);
      console.log(
        `  API, load generator ${mode === 'fork' ? `in a forked process (pid ${run.result.pid})` : 'in the server process'}: ${fmt(m.commandsPerSec)} commands/s ` +
          `(${fmt(m.ok)} in ${fmt(m.seconds, 1)} s), p50 ${fmt(m.latencyMs.p50, 1)} ms, p99 ${fmt(m.latencyMs.p99, 1)} ms, errors ${m.errors}, non-2xx ${m.non2xx}; ` +
          `warm-up ${fmt(run.result.warmup.commandsPerSec)} commands/s, errors ${run.result.warmup.errors}, non-2xx ${run.result.warmup.non2xx}`,
      );
      console.log(
        `    CPU per command: server process ${perCmd(run.cpu.benchProcessMs)} µs (${perCmd(run.cpu.benchProcessSystemMs)} µs of it in the kernel)${mode === 'in-process' ? ' with the load generator' : ''}, ` +
          `PG backends ${perCmd(run.cpu.pgBackendsMs)} µs${mode === 'fork' ? `, load generator ${perCmd(run.loadgenMs)} µs` : ''}; machine ${pct(run.cpu.machineBusy)} busy`,
      );
    }

    rawRuns.push(await rawInserts(rawClients, admin, MEASURE_S));
    report(rawRuns[1], 'after');

    // ---------------------------------------------------------------- report
    const rawRate = rawRuns.reduce((s, r) => s + r.rows, 0) / rawRuns.reduce((s, r) => s + r.seconds, 0);
    const primary = apiRuns.find((r) => r.result.mode === 'fork') ?? apiRuns[0];
    const ratioOf = (r: ApiRun) => r.result.measured.commandsPerSec / rawRate;
    const ratio = primary ? ratioOf(primary) : NaN;
    const pass = ratio >= TARGET_RATIO;
    const failures = apiRuns.flatMap((r) =>
      (['warmup', 'measured'] as const)
        .filter((p) => r.result[p].errors > 0 || r.result[p].non2xx > 0)
        .map((p) => ({ mode: r.result.mode, phase: p, summary: r.result[p] })),
    );

    // The mix as sent, over all measured runs.
    const mixTotals = Object.fromEntries(
      OPS.map((op) => [
        op,
        apiRuns.reduce((s, r) => s + r.result.measured.perOp[op].ok + r.result.measured.perOp[op].non2xx, 0),
      ]),
    ) as Record<Op, number>;
    const mixSum = OPS.reduce((s, op) => s + mixTotals[op], 0);
    const fallbackTotals = Object.fromEntries(
      OPS.map((op) => [op, apiRuns.reduce((s, r) => s + r.result.measured.fallbacks[op], 0)]),
    ) as Record<Op, number>;
    const weightSum = OPS.reduce((s, op) => s + WEIGHTS[op], 0);
    const mixLines = OPS.map(
      (op) =>
        `  ${OP_LABEL[op]}: weight ${pct(WEIGHTS[op] / weightSum)}, sent ${pct(mixTotals[op] / Math.max(1, mixSum))} (${fmt(mixTotals[op])})${fallbackTotals[op] ? `, ${fmt(fallbackTotals[op])} picks fell back to progress (empty pool)` : ''}`,
    );

    const machine = { ...machineFacts(loadAtStart), ...pgFacts, databaseMode: database.mode };

    const apiCell = (r: ApiRun) => {
      const m = r.result.measured;
      return `${fmt(m.commandsPerSec)} commands/s (p50 ${fmt(m.latencyMs.p50, 1)} ms, p99 ${fmt(m.latencyMs.p99, 1)} ms; errors ${m.errors}, non-2xx ${m.non2xx})`;
    };
    const table = [
      '| Measure | API (HTTP commands) | Raw baseline | Ratio | Target | Result |',
      '|---|---:|---:|---:|---|---|',
      ...apiRuns.map((r) => {
        const isPrimary = r === primary;
        return (
          `| commands/s, ${CONNECTIONS} connections, load generator ${r.result.mode === 'fork' ? 'in a separate process' : 'in the server process'} | ${apiCell(r)} | ` +
          `${fmt(rawRate)} rows/s (${RAW_CLIENTS}-client single-row INSERTs) | ${fmt(ratioOf(r), 2)}× | ${isPrimary ? `≥ ${TARGET_RATIO}×` : '(for comparison)'} | ` +
          `${isPrimary ? (pass ? 'PASS' : 'MISS') : '–'} |`
        );
      }),
    ];
    const facts =
      `${machineLine(machine, pgFacts, database.mode)} ` +
      `Server: the real app in-process on 127.0.0.1 (NestJS + fastify), sharing the CPUs with PostgreSQL and the load generator. ` +
      loadAverageLine(machine) +
      apiRuns
        .map((r) => {
          const per = (ms: number) => fmt((ms * 1000) / r.result.measured.ok);
          return (
            ` CPU per command (${r.result.mode}): server process ${per(r.cpu.benchProcessMs)} µs${r.result.mode === 'in-process' ? ' incl. the load generator' : `, load generator ${per(r.loadgenMs)} µs`}, ` +
            `PostgreSQL backends ${per(r.cpu.pgBackendsMs)} µs.`
          );
        })
        .join('') +
      ` CPU per raw row: PostgreSQL backend ${fmt((rawRuns.reduce((s, r) => s + r.cpu.pgBackendsMs, 0) * 1000) / rawRuns.reduce((s, r) => s + r.rows, 0))} µs, ` +
      `client ${fmt((rawRuns.reduce((s, r) => s + r.cpu.benchProcessMs, 0) * 1000) / rawRuns.reduce((s, r) => s + r.rows, 0))} µs.`;

    console.log('\nMix (measured runs):');
    console.log(mixLines.join('\n'));
    console.log(
      `  record requests ${IDEMPOTENT_RECORD ? 'carry' : 'do not carry'} an Idempotency-Key; no finding is the target of two requests in flight at once`,
    );
    console.log('\n' + table.join('\n') + '\n\n' + facts);
    if (failures.length) {
      console.log('\nFAILED: commands answered non-2xx or failed:');
      for (const f of failures) {
        console.log(
          `  ${f.mode} ${f.phase}: errors ${f.summary.errors} (timeouts ${f.summary.timeouts}), non-2xx ${f.summary.non2xx}, status codes ${JSON.stringify(f.summary.statusCodes)}`,
        );
        for (const s of f.summary.non2xxSamples) console.log(`    ${s.op} → ${s.status}: ${s.body}`);
      }
    }
    console.log(
      `\nTarget (API commands/s ≥ ${TARGET_RATIO}× raw INSERT rows/s): ${pass ? 'PASS' : 'MISS'} (${fmt(ratio, 2)}×)`,
    );

    const out = writeResults('api', {
      startedAt: new Date(benchStarted).toISOString(),
      durationSeconds: (Date.now() - benchStarted) / 1000,
      settings: {
        measureSeconds: MEASURE_S,
        warmupSeconds: WARMUP_S,
        rawWarmupSeconds: RAW_WARMUP_S,
        connections: CONNECTIONS,
        findings: FINDINGS,
        rawClients: RAW_CLIENTS,
        weights: WEIGHTS,
        idempotentRecord: IDEMPOTENT_RECORD,
        server: 'in-process (createApp + listen on 127.0.0.1)',
      },
      target: { ratio: TARGET_RATIO, pass, actual: ratio },
      machine,
      setup: { seconds: world.seconds, commands: world.commands, findings: FINDINGS },
      raw: { rowsPerSec: rawRate, runs: rawRuns },
      api: apiRuns.map((r) => ({
        mode: r.result.mode,
        commandsPerSec: r.result.measured.commandsPerSec,
        ratio: ratioOf(r),
        cpu: r.cpu,
        cpuPerCommandUs: {
          benchProcess: (r.cpu.benchProcessMs * 1000) / r.result.measured.ok,
          pgBackends: (r.cpu.pgBackendsMs * 1000) / r.result.measured.ok,
          loadGenerator: (r.loadgenMs * 1000) / r.result.measured.ok,
        },
        warmup: r.result.warmup,
        measured: r.result.measured,
      })),
      mix: { sent: mixTotals, fallbacks: fallbackTotals },
      markdown: table.join('\n'),
    });
    console.log(`Results written to ${out} (run took ${fmt((Date.now() - benchStarted) / 1000)} s)`);
    return failures.length ? 1 : 0;
  } finally {
    await cleanup();
  }
}

runBenchmark(main);
