/**
 * Projections benchmark (not a test): how fast the read models are rebuilt from a realistic log of
 * 1,000,000 events, against the raw rate of reading the same events in order, and how fast the
 * dashboards and lists answer from them under concurrent load, through the real app.
 *
 *   npm run bench:projections                                  # embedded PostgreSQL under DATA_DIR (./data/bench-projections)
 *   DATABASE_URL=postgres://... npm run bench:projections      # a fresh database xuncha_bench_<random> on that server
 *
 * 1. Generate: departments, rounds (9 focus fields, ~43 monitoring points each), findings through
 *    their rectification lifecycle and leads through their dispositions, every event decided by the
 *    domain's deciders (see generate.ts), seeded. Loaded with PgEventStore.appendToStream into the
 *    app's own store schema (event_store) by several concurrent writers: the log is cut into windows
 *    of consecutive (in time) commands, and within a window each stream's events go in one append.
 *    The default window (5,000 commands, a few office days) leaves ~1.1 events per append, so the log
 *    interleaves its streams almost as the app's one-command-per-append writes would: a rebuild batch
 *    of 2,000 events touches ~1,800 streams. (Coarser windows load faster but make the rebuild look
 *    better than it is: with 2.8 events per append a batch touches ~700 streams and the rebuild ran
 *    almost twice as fast in a trial.)
 * 2. Measure: raw ordered read (plain SELECT … WHERE position > $1 ORDER BY position LIMIT 2000,
 *    paged through the whole log, rows parsed), then rebuildReadModels from 0 over the whole log,
 *    then the raw read again; ratio = rebuild events/s ÷ mean raw events/s.
 * 3. Serve: the real app (PROJECTIONS on, the projector at head on the rebuilt read models) as a process of its
 *    own (`node dist/apps/api/src/main.js`, as `npm start` runs it; BENCH_APP=process: createApp + listen in this
 *    process instead, as runs before 2026-12-04 did); an official and a unit liaison log in; each
 *    endpoint is loaded by autocannon in a forked process (32 connections, warm-up, measured run).
 *    Every answer must be 2xx.
 *
 * Knobs (environment): BENCH_EVENTS (default 1000000), BENCH_SEED (default 20241128),
 * BENCH_DEPARTMENTS (20), BENCH_ROUNDS_PER_DEPARTMENT (3), BENCH_WRITERS (16), BENCH_WINDOW_EVENTS
 * (commands per load window, default 5000), BENCH_LOAD_SYNC (on|off: the load's commits wait for the WAL's flush;
 * default on, off from 5,000,000 events), BENCH_BATCH (rebuild and raw page size, default 5000),
 * BENCH_CONNECTIONS (32), BENCH_SECONDS (measured seconds per endpoint, 10), BENCH_WARMUP_SECONDS (2),
 * BENCH_PROBE (on|off: also each dashboard at 1 connection, and each query called directly; default on),
 * BENCH_WRITE_RATE (commands/s written through the app while the endpoints are measured, default 200, 0 or off: none; the unit
 * liaison's ReportProgress on its in-progress findings), BENCH_HOT_SHARE (share of them on one finding, 0.05) and
 * BENCH_APP (child|process: where the app serves, default child).
 * Results: printed, and written as JSON to bench-results/projections.json (relative to the cwd).
 * Exits non-zero when a request answered non-2xx, a read-model check failed, or the run failed.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import pg from 'pg';
import {
  CLOCK_TICKS,
  backendPids,
  envNumber,
  envSwitch,
  fmt,
  forkLoadGenerator,
  loadAverageLine,
  machineCpuMs,
  machineFacts,
  machineLine,
  machineNow,
  pct,
  percentile,
  postgresFacts,
  prepareRunDatabase,
  procCpuMs,
  procTicks,
  runBenchmark,
  sleep,
  startAppProcess,
  withApplicationName,
  writeResults,
  type AppProcess,
  type RunDatabase,
} from '@app/bench';
import {
  installShutdownHandlers,
  loadConfig,
  openDatabase,
  redactDatabaseUrl,
  type AppConfig,
  type DatabaseHandle,
} from '@app/database';
import { PgEventStore } from '@app/event-store';
import {
  dashboardDepartments,
  dashboardFields,
  dashboardOverview,
  dashboardTrend,
  countedFindingsTotal,
  keptFindingsTotal,
  listFindings,
  listLeads,
  READ_MODEL_SCHEMA,
  READ_MODELS_VERSION,
  readModels,
  rebuildReadModels,
  DEFAULT_WARNING_THRESHOLDS,
  type FindingListQuery,
  type RebuildResult,
} from '@app/projections';
import { Rng, streamWorld, type Decided, type StreamedWorld } from './generate.js';
import type { QueryPlan, QueryResult } from './load-runner.js';

// ---------------------------------------------------------------------------------------------
// Settings

const EVENTS = Math.floor(envNumber('BENCH_EVENTS', 1_000_000));
const SEED = Math.floor(envNumber('BENCH_SEED', 20241128));
const DEPARTMENTS = Math.floor(envNumber('BENCH_DEPARTMENTS', 20));
const ROUNDS_PER_DEPARTMENT = Math.floor(envNumber('BENCH_ROUNDS_PER_DEPARTMENT', 3));
const WRITERS = Math.floor(envNumber('BENCH_WRITERS', 16));
const WINDOW = Math.floor(envNumber('BENCH_WINDOW_EVENTS', 5000));
const LOAD_SYNC = (process.env.BENCH_LOAD_SYNC ?? (EVENTS >= 5_000_000 ? 'off' : 'on')) !== 'off';
const BATCH = Math.floor(envNumber('BENCH_BATCH', 5000));
const CONNECTIONS = Math.floor(envNumber('BENCH_CONNECTIONS', 32));
const MEASURE_S = envNumber('BENCH_SECONDS', 10);
const WARMUP_S = envNumber('BENCH_WARMUP_SECONDS', 2);
const PROBE = envSwitch('BENCH_PROBE');
/** Commands per second written through the app while the endpoints are measured (0: none). */
const WRITE_RATE = ['0', 'off'].includes(process.env.BENCH_WRITE_RATE?.trim() ?? '')
  ? 0
  : envNumber('BENCH_WRITE_RATE', 200);
/** Share of those commands sent to one finding (racing on its stream). */
const HOT_SHARE = process.env.BENCH_HOT_SHARE?.trim() === '0' ? 0 : Math.min(1, envNumber('BENCH_HOT_SHARE', 0.05));
/** A full garbage collection, on demand (V8's gc(), exposed here rather than by a flag on the command line). */
const fullGc = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();
/** Where the app serves: a process of its own (its CPU and RSS measured apart), or this one. */
const APP_MODE = ((raw: string): 'child' | 'process' => {
  if (raw === 'child' || raw === 'process') return raw;
  throw new Error(`BENCH_APP must be child or process, got ${JSON.stringify(raw)}`);
})(process.env.BENCH_APP?.trim() || 'child');
const PROBE_S = 3;
const DIRECT_CALLS = 300;
const FIELDS_PER_ROUND = 9;
const POINTS_PER_ROUND = 43;
/** The history runs from the first round's planning to this date (what is open then is still open). */
const HISTORY = { start: '2024-01-08', asOf: '2026-11-20' };

const TARGETS = { rebuildRatio: 0.25, dashboardP99Ms: 20, listP99Ms: 50, rebuildMinutes: 10, rssMB: 512 };

/** The peak resident set of this process (the rebuild, and the app with BENCH_APP=process), per phase, sampled every 100 ms. */
const rssPeakMB: Record<string, number> = {};
let rssPhase = 'load';
const rssTimer = setInterval(() => {
  const mb = process.memoryUsage.rss() / 1024 ** 2;
  rssPeakMB[rssPhase] = Math.max(rssPeakMB[rssPhase] ?? 0, mb);
}, 100);
rssTimer.unref();
const ADMIN_PASSWORD = 'bench-admin-password';
const JWT_SECRET = `bench-jwt-secret-${randomUUID()}`;
const SEARCH = '台账';
/** The app's settings here (beside the run's DATABASE_URL and DATA_DIR), in this process or in its own. */
const APP_SETTINGS = {
  JWT_SECRET,
  ADMIN_PASSWORD,
  LOG_LEVEL: 'error',
  LOGIN_ATTEMPTS_PER_MINUTE: '100000',
  PROJECTIONS: 'on',
  DEMO: 'off',
};

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * CPU of the PostgreSQL backends of one application_name while `work` runs: their /proc ticks are
 * sampled every 200 ms (backends come and go with the work), the last sample of each counts.
 */
async function withBackendCpu<T>(
  admin: pg.Client,
  applicationName: string,
  work: () => Promise<T>,
): Promise<{
  result: T;
  pgCpuMs: number;
  nodeCpuMs: number;
  machineBusy: number;
}> {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let sampling = Promise.resolve();
  const sample = () =>
    (sampling = sampling.then(async () => {
      const pids = await backendPids(admin, 'application_name = $1', [applicationName]).catch(() => [] as number[]);
      for (const pid of pids) {
        const t = procTicks(pid);
        if (t === undefined) continue;
        if (!first.has(pid)) first.set(pid, t);
        last.set(pid, t);
      }
    }));
  await sample();
  // Backends already open count from now; those born during the work count from 0.
  const preexisting = new Set(first.keys());
  const timer = setInterval(() => void sample(), 200);
  const node0 = process.cpuUsage();
  const m0 = machineCpuMs();
  let result: T;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
  }
  await sample();
  const node = process.cpuUsage(node0);
  const m1 = machineCpuMs();
  let ticks = 0;
  for (const [pid, t] of last) ticks += t - (preexisting.has(pid) ? first.get(pid)! : 0);
  return {
    result,
    pgCpuMs: last.size ? (ticks * 1000) / CLOCK_TICKS : NaN,
    nodeCpuMs: (node.user + node.system) / 1000,
    machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
  };
}

const tagged = withApplicationName;

/**
 * The load's connections: with BENCH_LOAD_SYNC=off (the default for 10 million events) its commits do not wait for
 * the WAL to reach the disk — the load is the benchmark's setup, not what it measures, and a crash would only end the
 * run; every commit is still one the database could have made, in the same order.
 */
function loadUrl(url: string): string {
  const u = new URL(tagged(url, 'bench_load'));
  if (!LOAD_SYNC) u.searchParams.set('options', '-c synchronous_commit=off');
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
// Step 1: generate and load

interface LoadStats {
  events: number;
  appends: number;
  seconds: number;
  decideSeconds: number;
  vacuumSeconds: number;
  sealSeconds: number;
  windows: number;
  maxEventsPerAppend: number;
}

async function load(world: StreamedWorld, store: PgEventStore): Promise<LoadStats> {
  const ids = new Rng(SEED ^ 0x5eed);
  const started = performance.now();
  let events = 0;
  let appends = 0;
  let decideMs = 0;
  let maxPerAppend = 0;
  let lastReport = started;
  let windows = 0;

  const appendAll = async (groups: Decided[]) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(WRITERS, groups.length) }, async () => {
        while (next < groups.length) {
          const { stream, events: batch } = groups[next++];
          const r = await store.appendToStream(stream.id, batch, {
            expectedRevision: stream.appended,
          });
          stream.appended = r.nextRevision;
          appends++;
          events += batch.length;
          if (batch.length > maxPerAppend) maxPerAppend = batch.length;
        }
      }),
    );
  };

  /**
   * Decides one window in small slices, yielding between them, so that the previous window's appends
   * (in flight meanwhile) keep the database busy. A stream's events of one window go in one append.
   */
  const decideWindow = async (): Promise<Decided[]> => {
    const byStream = new Map<Decided['stream'], Decided>();
    for (let left = WINDOW; left > 0; left -= 250) {
      const t0 = performance.now();
      const steps = world.take(Math.min(250, left)); // planned as they are taken: round by round
      if (!steps.length) break;
      for (const g of world.materialize(steps, ids)) {
        const known = byStream.get(g.stream);
        if (known) known.events.push(...g.events);
        else byStream.set(g.stream, g);
      }
      decideMs += performance.now() - t0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return [...byStream.values()];
  };
  const appendWindow = async (groups: Decided[]) => {
    // Reference data and rounds first (a lead names a monitoring point added before it), then the cases.
    await appendAll(groups.filter((g) => g.stream.category === 'department' || g.stream.category === 'round'));
    await appendAll(groups.filter((g) => g.stream.category === 'finding' || g.stream.category === 'lead'));
    windows++;
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      console.log(
        `    … ${fmt(events)} / ${fmt(world.total)} events (${fmt(events / ((now - started) / 1000))} events/s, ${fmt(events / appends, 2)} events per append)`,
      );
    }
  };
  // Window k+1 is decided while window k is appended; a window's appends start once the previous ones are done.
  let appending = Promise.resolve();
  for (;;) {
    const groups = await decideWindow();
    if (!groups.length) break;
    await appending;
    appending = appendWindow(groups);
    appending.catch(() => undefined); // awaited in the next turn or below
  }
  await appending;
  const seconds = (performance.now() - started) / 1000;
  return {
    events,
    appends,
    seconds,
    decideSeconds: decideMs / 1000,
    vacuumSeconds: 0,
    sealSeconds: 0,
    windows,
    maxEventsPerAppend: maxPerAppend,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 2: raw read and rebuild

const EVENT_COLUMNS =
  'position, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash';

interface PassResult {
  events: number;
  seconds: number;
  eventsPerSec: number;
  nodeCpuMs: number;
  pgCpuMs: number;
  machineBusy: number;
}

/** Pages through the log with a plain ordered SELECT; pg parses every row (jsonb, timestamps, bytea). */
async function rawPass(
  client: pg.Client,
  admin: pg.Client,
  applicationName: string,
  maxEvents = Number.POSITIVE_INFINITY,
): Promise<PassResult> {
  const text = `SELECT ${EVENT_COLUMNS} FROM event_store.es_events WHERE position > $1 ORDER BY position LIMIT ${BATCH}`;
  const run = await withBackendCpu(admin, applicationName, async () => {
    const started = performance.now();
    let from = 0;
    let events = 0;
    while (events < maxEvents) {
      const { rows } = await client.query<{ position: string }>({
        name: 'bench_raw_read',
        text,
        values: [from],
      });
      if (rows.length === 0) break;
      events += rows.length;
      const last = Number(rows[rows.length - 1].position);
      if (last <= from) throw new Error('raw paging did not advance');
      from = last;
    }
    return { events, seconds: (performance.now() - started) / 1000 };
  });
  const { events, seconds } = run.result;
  return {
    events,
    seconds,
    eventsPerSec: events / seconds,
    nodeCpuMs: run.nodeCpuMs,
    pgCpuMs: run.pgCpuMs,
    machineBusy: run.machineBusy,
  };
}

interface RebuildRun extends PassResult {
  result: RebuildResult;
  /** Time spent applying batches (the rest: VACUUM ANALYZE of the new tables and the swap). */
  applySeconds: number;
}

async function rebuild(url: string, admin: pg.Client): Promise<RebuildRun> {
  const app = 'bench_rebuild';
  const store = await PgEventStore.open({
    connectionString: tagged(url, app),
    poolSize: 2,
  });
  try {
    let lastPrint = performance.now();
    let applyEnd = 0;
    const started = performance.now();
    const run = await withBackendCpu(admin, app, () =>
      rebuildReadModels({
        store,
        connectionString: tagged(url, app),
        readModels,
        version: READ_MODELS_VERSION,
        schema: READ_MODEL_SCHEMA,
        batchSize: BATCH,
        onProgress: (p) => {
          applyEnd = performance.now();
          if (applyEnd - lastPrint > 10_000) {
            lastPrint = applyEnd;
            console.log(`    … ${fmt(p.events)} / ${fmt(p.head)} events (${fmt(p.eventsPerSecond)} events/s)`);
          }
        },
      }),
    );
    const r = run.result;
    return {
      result: r,
      events: r.events,
      seconds: r.seconds,
      eventsPerSec: r.eventsPerSecond,
      applySeconds: (applyEnd - started) / 1000,
      nodeCpuMs: run.nodeCpuMs,
      pgCpuMs: run.pgCpuMs,
      machineBusy: run.machineBusy,
    };
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Step 3: the app under load

/** What the benchmark uses of apps/api/src/app.factory (loaded at run time, see startApp). */
interface App {
  listen(port: number, host: string): Promise<unknown>;
  getHttpServer(): { address(): AddressInfo | string | null };
}
interface AppFactory {
  createApp(config: AppConfig, database: DatabaseHandle): Promise<App>;
  closeApp(app: App): Promise<void>;
}

/**
 * The compiled app, imported at run time: libraries may not import apps (the dependency rules of
 * `npm run lint:deps`), and this benchmark, though it lives beside the read models it measures,
 * starts the real app around them. dist/libs/projections/bench → dist/apps/api/src/app.factory.js.
 */
async function appFactory(): Promise<AppFactory> {
  const href = new URL('../../../apps/api/src/app.factory.js', import.meta.url).href;
  return (await import(href)) as AppFactory;
}

async function call<T>(
  base: string,
  method: 'GET' | 'POST',
  pathname: string,
  token?: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(base + pathname, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${method} ${pathname} answered ${res.status}: ${text.slice(0, 400)}`);
  return JSON.parse(text) as T;
}

interface WriterStats {
  rate: number;
  hotShare: number;
  findings: number;
  sent: number;
  /** Commands due that were not sent because 8 were in flight. */
  skipped: number;
  ok: number;
  statusCodes: Record<string, number>;
  errors: number;
  seconds: number;
  achievedPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Commands at a steady rate through the app while reads are measured, so the projector moves the checkpoint under
 * the dashboards and lists as in use: ReportProgress by the unit liaison on its in-progress findings, a share of them
 * on one finding (those race on its stream; a conflict answer is counted, not an error of the bench).
 */
function steadyWriter(base: string, token: string, findingIds: string[], rate: number, hotShare: number) {
  const stats: WriterStats = {
    rate,
    hotShare,
    findings: findingIds.length,
    sent: 0,
    skipped: 0,
    ok: 0,
    statusCodes: {},
    errors: 0,
    seconds: 0,
    achievedPerSec: 0,
    p50Ms: 0,
    p99Ms: 0,
  };
  const latencies: number[] = [];
  const started = performance.now();
  let inFlight = 0;
  let n = 0;
  const rng = new Rng(SEED ^ 0x5eed);
  const send = async () => {
    const id = rng.next() < hotShare ? findingIds[0] : findingIds[1 + Math.floor(rng.next() * (findingIds.length - 1))];
    inFlight++;
    stats.sent++;
    const t0 = performance.now();
    try {
      const res = await fetch(`${base}/api/findings/${id}/progress`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ note: `进展 ${++n}`, percent: n % 100 }),
      });
      await res.arrayBuffer();
      stats.statusCodes[res.status] = (stats.statusCodes[res.status] ?? 0) + 1;
      if (res.ok) stats.ok++;
      latencies.push(performance.now() - t0);
    } catch {
      stats.errors++;
    } finally {
      inFlight--;
    }
  };
  // Every 20 ms the commands due since the start, at most 8 in flight: a server that cannot keep up gets fewer
  // commands (the achieved rate is reported), not a queue that buries the reads being measured.
  const timer =
    rate > 0 && findingIds.length > 1
      ? setInterval(() => {
          const due = Math.floor(((performance.now() - started) / 1000) * rate);
          while (stats.sent + stats.skipped < due) {
            // What cannot be sent when due is dropped (counted), not sent in a burst later.
            if (inFlight >= 8) {
              stats.skipped = due - stats.sent;
              break;
            }
            void send();
          }
        }, 20)
      : undefined;
  return {
    async stop(): Promise<WriterStats> {
      if (timer) clearInterval(timer);
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 10));
      stats.seconds = (performance.now() - started) / 1000;
      stats.achievedPerSec = stats.ok / Math.max(0.001, stats.seconds);
      latencies.sort((x, y) => x - y);
      stats.p50Ms = latencies.length ? percentile(latencies, 50) : 0;
      stats.p99Ms = latencies.length ? percentile(latencies, 99) : 0;
      return stats;
    },
  };
}

interface Endpoint {
  key: string;
  label: string;
  who: 'official' | 'liaison';
  dashboard: boolean;
  paths: string[];
  /** The same query called directly on the read models (no HTTP), for the probe. */
  direct: (db: pg.Pool, roundId: string, today: string) => Promise<unknown>;
  /** A findings list: its query, whose total the probe also times from the kept counters and from the rows. */
  findings?: (roundId: string) => FindingListQuery;
}

interface Timing {
  calls: number;
  p50: number;
  p99: number;
  mean: number;
}

const timing = (lat: number[]): Timing => {
  const sorted = [...lat].sort((x, y) => x - y);
  return {
    calls: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
  };
};

interface EndpointRun {
  endpoint: Omit<Endpoint, 'paths' | 'direct'> & { example: string };
  result: QueryResult;
  cpu: {
    /** The app's process: the child's with BENCH_APP=child, this one's otherwise. */
    serverProcessMs: number;
    /** This process (the steady writer and the bookkeeping) when the app runs apart; undefined otherwise. */
    benchProcessMs?: number;
    pgBackendsMs: number;
    loadgenMs: number;
    machineBusy: number;
    seconds: number;
    dbTransactionsPerRequest: number;
  };
  probe?: QueryResult;
  direct?: Timing;
  /**
   * A findings list's total statement alone, alternating call by call over the rounds: from the kept counters
   * (undefined where no counter is kept for the filters) and counted from the rows.
   */
  totals?: { kept?: Timing; counted: Timing };
}

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-runner.js');
let child: ChildProcess | undefined;

async function loadEndpoint(
  plan: QueryPlan,
  onMark: (edge: 'start' | 'end') => Promise<void> | void,
): Promise<QueryResult> {
  const timeoutMs = (plan.warmupSeconds + plan.measureSeconds + 60) * 1000;
  const forked = forkLoadGenerator<QueryPlan, 'start' | 'end', QueryResult>(RUNNER, plan, timeoutMs, (edge) =>
    onMark(edge),
  );
  child = forked.child;
  return forked.result;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const benchStarted = Date.now();
  const loadAtStart = os.loadavg();
  let database: DatabaseHandle | undefined;
  let app: App | undefined;
  let appProcess: AppProcess | undefined;
  let appPeakRssMB = NaN;
  let factory: AppFactory | undefined;
  let admin: pg.Client | undefined;
  let store: PgEventStore | undefined;
  let rawClient: pg.Client | undefined;
  let directPool: pg.Pool | undefined;
  let runDatabase: RunDatabase | undefined;
  let cleaning: Promise<void> | undefined;

  // One clean-up, whoever asks first (a signal, or the end of main); both wait for all of it.
  const cleanup = (): Promise<void> => (cleaning ??= cleanUp());
  const cleanUp = async (): Promise<void> => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await rawClient?.end().catch(() => undefined);
    await directPool?.end().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await appProcess?.stop().catch((e: unknown) => console.error(`Stopping the app failed: ${(e as Error).message}`));
    if (app && factory)
      await factory
        .closeApp(app)
        .catch((e: unknown) => console.error(`Closing the app failed: ${(e as Error).message}`));
    if (runDatabase) await runDatabase.remove(async () => database?.stop());
    else
      await database
        ?.stop()
        .catch((e: unknown) => console.error(`Stopping the embedded PostgreSQL failed: ${(e as Error).message}`));
  };
  installShutdownHandlers([cleanup]);

  try {
    // ---------------------------------------------------------------- database
    runDatabase = await prepareRunDatabase('bench-projections');
    const appEnv = runDatabase.env;
    const config = loadConfig({ ...appEnv, ...APP_SETTINGS });
    database = await openDatabase(config, {
      log: () => undefined,
      warn: (m) => console.warn(m),
    });
    const dbUrl = database.url;
    admin = new pg.Client({
      connectionString: dbUrl,
      application_name: 'bench-admin',
    });
    admin.on('error', () => undefined);
    await admin.connect();
    const pgFacts = await postgresFacts(admin, [
      'shared_buffers',
      'work_mem',
      'synchronous_commit',
      'fsync',
      'max_wal_size',
      'max_connections',
    ]);
    console.log(
      `Database: ${database.mode} (${redactDatabaseUrl(dbUrl)})${runDatabase.externalName ? `, fresh database ${runDatabase.externalName}` : `, data in ${runDatabase.runDir}`}`,
    );
    console.log(`Machine: ${machineNow()}\n`);

    // ---------------------------------------------------------------- 1. generate and load
    console.log(
      `1. Generate ${fmt(EVENTS)} events (seed ${SEED}) and load them through PgEventStore.appendToStream (schema event_store)`,
    );
    let t = performance.now();
    const world = streamWorld({
      seed: SEED,
      events: EVENTS,
      departments: DEPARTMENTS,
      roundsPerDepartment: ROUNDS_PER_DEPARTMENT,
      fieldsPerRound: FIELDS_PER_ROUND,
      pointsPerRound: POINTS_PER_ROUND,
      start: HISTORY.start,
      asOf: HISTORY.asOf,
    });
    const planSeconds = (performance.now() - t) / 1000;
    console.log(
      `  plan: ${DEPARTMENTS} departments, ${DEPARTMENTS * ROUNDS_PER_DEPARTMENT} rounds × ${FIELDS_PER_ROUND} fields / ${POINTS_PER_ROUND} monitoring points, ` +
        `${fmt(world.findingsPerRound)} findings and ${fmt(world.leadsPerRound)} leads per round; ${fmt(world.plannedUntilAsOf)} commands until ${HISTORY.asOf}, ` +
        `cut at ${fmt(world.total)}; counted in ${fmt(planSeconds, 1)} s, then planned round by round as it is loaded`,
    );
    store = await PgEventStore.open({
      connectionString: loadUrl(dbUrl),
      poolSize: WRITERS,
    });
    const loaded = await load(world, store);
    // What the read models must show, by the deciders' own final states (of the findings and leads done during the
    // load, counted as they were done, and of those still open); then what is left of the plan and the open streams'
    // states are let go (the planned commands were let go as they were taken), so that the rebuild and the app run
    // with a heap of their own size, as they would in the product (with the generated world alive, every major GC of the rebuild marked it too: over 300,000 events the
    // same rebuild took 79 µs of Node CPU per event here against 62 µs in a process of its own), and the peak RSS of
    // the rebuild and the app is theirs.
    const expected = world.figures();
    const roundsPlanned = expected.rounds;
    world.close();
    console.log(
      `  history ${HISTORY.start} … ${new Date(world.lastStepAt).toISOString().slice(0, 10)} in ${roundsPlanned} rounds (${fmt(world.taken)} commands decided)`,
    );
    console.log(
      `  loaded ${fmt(loaded.events)} events in ${fmt(loaded.appends)} appends (${fmt(loaded.events / loaded.appends, 2)} events per append, max ${loaded.maxEventsPerAppend}; ` +
        `${loaded.windows} windows of ${fmt(WINDOW)} commands, ${WRITERS} writers) in ${fmt(loaded.seconds, 1)} s = ${fmt(loaded.events / loaded.seconds)} events/s ` +
        `(of which deciding ${fmt(loaded.decideSeconds, 1)} s)`,
    );
    t = performance.now();
    await admin.query('VACUUM (ANALYZE) event_store.es_events');
    loaded.vacuumSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const seal = await store.seal(); // as the app's SealService would have, every 10 s, all along
    loaded.sealSeconds = (performance.now() - t) / 1000;
    await store.close();
    store = undefined;
    const { rows: shape } = await admin.query<{
      streams: string;
      per_batch: string;
      bytes: string;
    }>(
      `SELECT (SELECT count(DISTINCT stream_id) FROM event_store.es_events) AS streams,
              (SELECT avg(n) FROM (SELECT count(DISTINCT stream_id) AS n FROM event_store.es_events GROUP BY (position - 1) / ${BATCH}) b) AS per_batch,
              pg_total_relation_size('event_store.es_events') AS bytes`,
    );
    const { rows: typeRows } = await admin.query<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM event_store.es_events GROUP BY type ORDER BY 2 DESC`,
    );
    const eventTypes = Object.fromEntries(typeRows.map((r) => [r.type, r.n]));
    const distinctPerBatch = Number(shape[0].per_batch);
    console.log(
      `  VACUUM (ANALYZE) ${fmt(loaded.vacuumSeconds, 1)} s; seal #${seal.seq} up to ${fmt(seal.upToPosition)} in ${fmt(loaded.sealSeconds, 1)} s; ` +
        `${fmt(Number(shape[0].streams))} streams, ${fmt(distinctPerBatch)} distinct streams per ${fmt(BATCH)}-event batch, es_events ${fmt(Number(shape[0].bytes) / 1024 ** 2)} MiB`,
    );
    console.log(`  mix: ${typeRows.map((r) => `${r.type} ${fmt(r.n)}`).join(', ')}\n`);

    // ---------------------------------------------------------------- 2. raw read vs rebuild
    // What the load left (the world was let go above) is collected now, not at some later GC during the rebuild, so
    // that the rebuild's peak RSS is the rebuild's (at 3M a run began it with 436 MB of the load's heap and 989 MB RSS).
    const left = process.memoryUsage();
    fullGc();
    await sleep(1000); // V8 gives the freed pages back to the OS shortly after
    const mem = process.memoryUsage();
    console.log(
      `2. Rebuild of the read models vs raw ordered read, pages of ${fmt(BATCH)} (this process: heap used ${fmt(mem.heapUsed / 1024 ** 2)} MB, RSS ${fmt(mem.rss / 1024 ** 2)} MB; ` +
        `before a full GC ${fmt(left.heapUsed / 1024 ** 2)} / ${fmt(left.rss / 1024 ** 2)} MB)`,
    );
    rawClient = new pg.Client({ connectionString: tagged(dbUrl, 'bench_raw') });
    rawClient.on('error', () => undefined);
    await rawClient.connect();
    await rawPass(rawClient, admin, 'bench_raw', 100_000); // warm-up: statement prepared, code hot
    const passes: Array<PassResult & { side: 'raw' | 'rebuild' }> = [];
    const show = (side: string, r: PassResult) =>
      console.log(
        `  ${side}: ${fmt(r.events)} events in ${fmt(r.seconds, 1)} s = ${fmt(r.eventsPerSec)} events/s; CPU per event: node ${fmt((r.nodeCpuMs * 1000) / r.events, 1)} µs + ` +
          `PostgreSQL ${fmt((r.pgCpuMs * 1000) / r.events, 1)} µs; machine ${pct(r.machineBusy)} busy`,
      );
    const raw1 = await rawPass(rawClient, admin, 'bench_raw');
    passes.push({ side: 'raw', ...raw1 });
    show('raw read (before)', raw1);
    rssPhase = 'rebuild';
    const rb = await rebuild(dbUrl, admin);
    rssPhase = 'after rebuild';
    passes.push({ side: 'rebuild', ...rb });
    show('rebuildReadModels', rb);
    console.log(
      `    of which applying batches ${fmt(rb.applySeconds, 1)} s (${fmt(rb.events / rb.applySeconds)} events/s), VACUUM (ANALYZE) of the new tables and swap ${fmt(rb.seconds - rb.applySeconds, 1)} s`,
    );
    const raw2 = await rawPass(rawClient, admin, 'bench_raw');
    passes.push({ side: 'raw', ...raw2 });
    show('raw read (after)', raw2);
    await rawClient.end();
    rawClient = undefined;
    for (const p of passes)
      if (p.events !== loaded.events)
        throw new Error(`${p.side} read ${p.events} events, the log has ${loaded.events}`);
    const rawRate = (raw1.events + raw2.events) / (raw1.seconds + raw2.seconds);
    const rebuildRatio = rb.eventsPerSec / rawRate;
    console.log(
      `  → rebuild ${fmt(rb.eventsPerSec)} events/s ÷ raw ${fmt(rawRate)} events/s = ${fmt(rebuildRatio, 2)}× (target ≥ ${TARGETS.rebuildRatio}×) ${rebuildRatio >= TARGETS.rebuildRatio ? 'PASS' : 'MISS'}`,
    );

    // The read models must agree with the deciders' own final states.
    const countBy = async (table: string) =>
      Object.fromEntries(
        (
          await admin!.query<{ status: string; n: number }>(
            `SELECT status, count(*)::int AS n FROM ${READ_MODEL_SCHEMA}.${table} GROUP BY 1`,
          )
        ).rows.map((r) => [r.status, r.n]),
      );
    const actualFindings = await countBy('findings');
    const actualLeads = await countBy('leads');
    const deadLetters = (
      await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${READ_MODEL_SCHEMA}.dead_letters`)
    ).rows[0].n;
    const roundRows = (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${READ_MODEL_SCHEMA}.rounds`))
      .rows[0].n;
    const same = (a: Record<string, number>, b: Record<string, number>) =>
      JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
    const checksOk =
      deadLetters === 0 &&
      same(expected.findings, actualFindings) &&
      same(expected.leads, actualLeads) &&
      roundRows === expected.rounds;
    console.log(
      `  read models vs deciders: findings ${JSON.stringify(actualFindings)}, leads ${JSON.stringify(actualLeads)}, ${roundRows} rounds, ${deadLetters} dead letters → ${checksOk ? 'agree' : 'DISAGREE'}`,
    );
    if (!checksOk)
      console.log(
        `    expected findings ${JSON.stringify(expected.findings)}, leads ${JSON.stringify(expected.leads)}, ${expected.rounds} rounds`,
      );
    const { rows: sizes } = await admin.query<{
      t: string;
      rows: string;
      bytes: string;
    }>(
      `SELECT c.relname AS t, c.reltuples::bigint AS rows, pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC`,
      [READ_MODEL_SCHEMA],
    );
    console.log(
      `  read-model tables: ${sizes.map((s) => `${s.t} ${fmt(Number(s.rows))} rows / ${fmt(Number(s.bytes) / 1024 ** 2, 1)} MiB`).join(', ')}\n`,
    );

    // ---------------------------------------------------------------- 3. the app under load
    rssPhase = 'serve';
    console.log('3. The real app on this database, dashboards and lists under load');
    t = performance.now();
    let base: string;
    if (APP_MODE === 'child') {
      // As `npm start` runs it, on the same database and data folder; this process keeps the writer and the
      // bookkeeping, so the app's CPU and resident set are its own.
      appProcess = await startAppProcess(fileURLToPath(new URL('../../../apps/api/src/main.js', import.meta.url)), {
        ...process.env,
        ...appEnv,
        ...APP_SETTINGS,
        DATABASE_URL: dbUrl,
      });
      base = appProcess.base;
      console.log(
        `  app: node dist/apps/api/src/main.js, a process of its own (pid ${appProcess.pid}) on ${base}, PROJECTIONS on, healthy in ${fmt((performance.now() - t) / 1000, 1)} s`,
      );
    } else {
      factory = await appFactory();
      app = await factory.createApp(config, database);
      await app.listen(0, '127.0.0.1');
      const address = app.getHttpServer().address();
      if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
      base = `http://127.0.0.1:${address.port}`;
      console.log(
        `  app: createApp + listen in this process (pid ${process.pid}) on ${base}, PROJECTIONS on, started in ${fmt((performance.now() - t) / 1000, 1)} s`,
      );
    }
    /** CPU of the app's process so far, ms. */
    const serverCpuMs = () => {
      if (appProcess) return procCpuMs([appProcess.pid]);
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };

    const login = async (username: string, password: string) =>
      (await call<{ accessToken: string }>(base, 'POST', '/api/auth/login', undefined, { username, password }))
        .accessToken;
    const adminToken = await login('admin', ADMIN_PASSWORD);
    const liaisonRound = world.rounds[0];
    const liaisonDepartment = liaisonRound.hostDepartmentId;
    await call(base, 'POST', '/api/users', adminToken, {
      username: 'bench.official',
      password: 'bench-official-password',
      role: 'official',
    });
    await call(base, 'POST', '/api/users', adminToken, {
      username: 'bench.liaison',
      password: 'bench-liaison-password',
      role: 'unit_liaison',
      departmentId: liaisonDepartment,
    });
    const tokens = {
      official: await login('bench.official', 'bench-official-password'),
      liaison: await login('bench.liaison', 'bench-liaison-password'),
    };
    const health = await call<Record<string, unknown>>(base, 'GET', '/api/health');
    console.log(
      `  logged in bench.official (official) and bench.liaison (unit_liaison of department ${liaisonDepartment}); health: ${JSON.stringify(health).slice(0, 300)}`,
    );

    // Requests rotate over the rounds that have findings (the same query for each round in turn).
    const { rows: roundIdRows } = await admin.query<{ round_id: string }>(
      `SELECT DISTINCT round_id FROM ${READ_MODEL_SCHEMA}.findings ORDER BY round_id`,
    );
    const order = new Rng(SEED ^ 0xabc);
    const roundIds = roundIdRows
      .map((r) => ({ r: r.round_id, k: order.next() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.r);
    const perRound = (make: (roundId: string) => string) => roundIds.map(make);
    const today = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
    }).format(new Date());
    /** A findings list endpoint's query, called directly by the probe and its total timed both ways. */
    const findingsList = (query: (roundId: string) => FindingListQuery): Pick<Endpoint, 'findings' | 'direct'> => ({
      findings: query,
      direct: (db, r, d) => listFindings(db, READ_MODEL_SCHEMA, query(r), d),
    });
    const endpoints: Endpoint[] = [
      {
        key: 'overview',
        label: 'GET /api/dashboard/overview?roundId',
        who: 'official',
        dashboard: true,
        paths: perRound((r) => `/api/dashboard/overview?roundId=${r}`),
        direct: (db, r, d) => dashboardOverview(db, READ_MODEL_SCHEMA, { roundId: r }, d),
      },
      {
        key: 'departments',
        label: 'GET /api/dashboard/departments?roundId',
        who: 'official',
        dashboard: true,
        paths: perRound((r) => `/api/dashboard/departments?roundId=${r}`),
        direct: (db, r, d) => dashboardDepartments(db, READ_MODEL_SCHEMA, { roundId: r }, d),
      },
      {
        key: 'departmentsLiaison',
        label: 'GET /api/dashboard/departments?roundId (liaison: own row)',
        who: 'liaison',
        dashboard: true,
        paths: perRound((r) => `/api/dashboard/departments?roundId=${r}`),
        direct: (db, r, d) =>
          dashboardDepartments(db, READ_MODEL_SCHEMA, { roundId: r, departmentId: liaisonDepartment }, d),
      },
      {
        key: 'fields',
        label: 'GET /api/dashboard/fields?roundId',
        who: 'official',
        dashboard: true,
        paths: perRound((r) => `/api/dashboard/fields?roundId=${r}`),
        direct: (db, r, d) => dashboardFields(db, READ_MODEL_SCHEMA, { roundId: r }, d),
      },
      {
        key: 'trend',
        label: 'GET /api/dashboard/trend?roundId&bucket=week',
        who: 'official',
        dashboard: true,
        paths: perRound((r) => `/api/dashboard/trend?roundId=${r}&bucket=week`),
        direct: (db, r, d) => dashboardTrend(db, READ_MODEL_SCHEMA, { roundId: r, bucket: 'week' }, d),
      },
      {
        key: 'findings',
        label: 'GET /api/findings?roundId&page=1&pageSize=20',
        who: 'official',
        dashboard: false,
        paths: perRound((r) => `/api/findings?roundId=${r}&page=1&pageSize=20`),
        ...findingsList((r) => ({ roundId: r, page: 1, pageSize: 20 })),
      },
      {
        key: 'findingsSearch',
        label: `GET /api/findings?roundId&status=in_progress&q=${SEARCH}&page=1&pageSize=20`,
        who: 'official',
        dashboard: false,
        paths: perRound(
          (r) => `/api/findings?roundId=${r}&status=in_progress&q=${encodeURIComponent(SEARCH)}&page=1&pageSize=20`,
        ),
        ...findingsList((r) => ({ roundId: r, status: 'in_progress', q: SEARCH, page: 1, pageSize: 20 })),
      },
      {
        key: 'findingsLiaison',
        label: 'GET /api/findings?overdue=true&page=1&pageSize=20 (liaison: own department, all rounds)',
        who: 'liaison',
        dashboard: false,
        paths: [
          '/api/findings?overdue=true&page=1&pageSize=20',
          '/api/findings?page=1&pageSize=20',
          `/api/findings?q=${encodeURIComponent(SEARCH)}&page=1&pageSize=20`,
        ],
        ...findingsList(() => ({ assignedDepartmentId: liaisonDepartment, overdue: true, page: 1, pageSize: 20 })),
      },
      {
        key: 'leads',
        label: 'GET /api/leads?roundId&status=disposing&page=1&pageSize=20',
        who: 'official',
        dashboard: false,
        paths: perRound((r) => `/api/leads?roundId=${r}&status=disposing&page=1&pageSize=20`),
        direct: (db, r, d) =>
          listLeads(db, READ_MODEL_SCHEMA, { roundId: r, status: 'disposing', page: 1, pageSize: 20 }, d),
      },
    ];
    // Every path answers 2xx before anything is measured.
    for (const e of endpoints) for (const p of e.paths.slice(0, 3)) await call(base, 'GET', p, tokens[e.who]);
    console.log(
      `  ${endpoints.length} endpoints, each over ${roundIds.length} rounds in turn; ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${MEASURE_S} s measured, ` +
        `autocannon in a forked process; office date ${today}. Server, load generator and PostgreSQL share the machine's ${os.cpus().length} CPUs.`,
    );

    const appBackends = () =>
      backendPids(
        admin!,
        `application_name NOT IN ('bench-admin', 'bench_raw', 'bench_rebuild', 'bench_load', 'bench-direct')`,
      );
    directPool = new pg.Pool({
      connectionString: tagged(dbUrl, 'bench-direct'),
      max: 1,
    });
    directPool.on('error', () => undefined);
    const { rows: writable } = await admin.query<{ id: string }>(
      `SELECT id FROM ${READ_MODEL_SCHEMA}.findings WHERE status = 'in_progress' AND rect_department_id = $1 ORDER BY id LIMIT 500`,
      [liaisonDepartment],
    );
    const writer = steadyWriter(
      base,
      tokens.liaison,
      writable.map((r) => r.id),
      WRITE_RATE,
      HOT_SHARE,
    );
    console.log(
      `  while measuring: ${WRITE_RATE} commands/s (ReportProgress as bench.liaison over ${writable.length} in-progress findings, ` +
        `${pct(HOT_SHARE)} of them on one finding)`,
    );
    const runs: EndpointRun[] = [];
    for (const e of endpoints) {
      let pids: number[] = [];
      const snaps: Record<
        string,
        {
          server: number;
          node: NodeJS.CpuUsage;
          pg: number;
          machine: { busy: number; total: number };
          t: number;
          xacts: number;
        }
      > = {};
      const plan: QueryPlan = {
        url: base,
        token: tokens[e.who],
        paths: e.paths,
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_S,
        measureSeconds: MEASURE_S,
      };
      const result = await loadEndpoint(plan, async (edge) => {
        if (edge === 'start') pids = await appBackends();
        const snap = {
          server: serverCpuMs(),
          node: process.cpuUsage(),
          pg: procCpuMs(pids),
          machine: machineCpuMs(),
          t: performance.now(),
          xacts: 0,
        };
        snap.xacts = Number(
          (
            await admin!.query<{ n: string }>(
              'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
            )
          ).rows[0].n,
        );
        snaps[edge] = snap;
      });
      const a = snaps.start;
      const b = snaps.end;
      if (!a || !b) throw new Error('the load generator did not mark its measured phase');
      const m = result.measured;
      const run: EndpointRun = {
        endpoint: {
          key: e.key,
          label: e.label,
          who: e.who,
          dashboard: e.dashboard,
          example: e.paths[0],
        },
        result,
        cpu: {
          seconds: (b.t - a.t) / 1000,
          serverProcessMs: b.server - a.server,
          benchProcessMs: appProcess ? (b.node.user - a.node.user + b.node.system - a.node.system) / 1000 : undefined,
          pgBackendsMs: b.pg - a.pg,
          loadgenMs: m.cpuMs.user + m.cpuMs.system,
          machineBusy: (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total),
          // Autocommit statements each count one transaction; the statistics lag by up to a second.
          dbTransactionsPerRequest: (b.xacts - a.xacts) / Math.max(1, m.completed),
        },
      };
      const per = (ms: number) => fmt((ms * 1000) / Math.max(1, m.ok));
      console.log(
        `  ${e.label} [${e.who}]: ${fmt(m.requestsPerSec)} req/s, p50 ${fmt(m.latencyMs.p50, 1)} ms, p99 ${fmt(m.latencyMs.p99, 1)} ms (max ${fmt(m.latencyMs.max, 1)}), ` +
          `non-2xx ${m.non2xx}, errors ${m.errors}; ${fmt(m.meanBodyBytes)} B/answer; CPU per request: server ${per(run.cpu.serverProcessMs)} µs, PostgreSQL ${per(run.cpu.pgBackendsMs)} µs, ` +
          (run.cpu.benchProcessMs === undefined ? '' : `bench process ${per(run.cpu.benchProcessMs)} µs, `) +
          `load generator ${per(run.cpu.loadgenMs)} µs; ≈${fmt(run.cpu.dbTransactionsPerRequest, 1)} database statements per request; machine ${pct(run.cpu.machineBusy)} busy`,
      );
      if (PROBE) {
        if (e.dashboard) {
          run.probe = await loadEndpoint(
            {
              ...plan,
              connections: 1,
              warmupSeconds: 1,
              measureSeconds: PROBE_S,
            },
            () => undefined,
          );
          const pm = run.probe.measured;
          console.log(
            `    at 1 connection: ${fmt(pm.requestsPerSec)} req/s, p50 ${fmt(pm.latencyMs.p50, 2)} ms, p99 ${fmt(pm.latencyMs.p99, 2)} ms`,
          );
        }
        const lat: number[] = [];
        for (let i = 0; i < DIRECT_CALLS; i++) {
          const r = roundIds[i % roundIds.length];
          const t0 = performance.now();
          await e.direct(directPool, r, today);
          lat.push(performance.now() - t0);
        }
        run.direct = timing(lat);
        console.log(
          `    the query function called directly (1 connection, no HTTP): p50 ${fmt(run.direct.p50, 2)} ms, p99 ${fmt(run.direct.p99, 2)} ms`,
        );
        if (e.findings) {
          const kept: number[] = [];
          const counted: number[] = [];
          for (let i = 0; i < DIRECT_CALLS; i++) {
            const query = e.findings(roundIds[i % roundIds.length]);
            const thresholds = DEFAULT_WARNING_THRESHOLDS;
            const k = keptFindingsTotal(READ_MODEL_SCHEMA, query);
            const c = countedFindingsTotal(READ_MODEL_SCHEMA, query, today, thresholds);
            for (const [statement, into] of i % 2
              ? ([
                  [c, counted],
                  [k, kept],
                ] as const)
              : ([
                  [k, kept],
                  [c, counted],
                ] as const)) {
              if (!statement) continue;
              const t0 = performance.now();
              await directPool.query(statement.sql, statement.values);
              into.push(performance.now() - t0);
            }
          }
          run.totals = { kept: kept.length ? timing(kept) : undefined, counted: timing(counted) };
          const t = run.totals;
          console.log(
            t.kept
              ? `    its total alone: from the kept counters p50 ${fmt(t.kept.p50, 2)} ms, p99 ${fmt(t.kept.p99, 2)} ms; counted from the rows p50 ${fmt(t.counted.p50, 2)} ms, p99 ${fmt(t.counted.p99, 2)} ms (${fmt(t.counted.mean / t.kept.mean, 1)}× the kept's mean)`
              : `    its total alone: counted from the rows (no counter is kept for these filters) p50 ${fmt(t.counted.p50, 2)} ms, p99 ${fmt(t.counted.p99, 2)} ms`,
          );
        }
      }
      runs.push(run);
    }

    const writes = await writer.stop();
    if (appProcess) {
      appPeakRssMB = appProcess.peakRssMB();
      console.log(`  the app's process (pid ${appProcess.pid}): peak RSS ${fmt(appPeakRssMB)} MB over its life`);
    }
    console.log(
      `  commands written meanwhile: ${writes.ok} of ${writes.sent} 2xx (${writes.skipped} not sent: 8 in flight) in ${fmt(writes.seconds)} s = ${fmt(writes.achievedPerSec)}/s, ` +
        `p50 ${fmt(writes.p50Ms, 1)} ms, p99 ${fmt(writes.p99Ms, 1)} ms; status codes ${JSON.stringify(writes.statusCodes)}, errors ${writes.errors}`,
    );

    // ---------------------------------------------------------------- report
    const failures = runs.filter(
      (r) =>
        r.result.measured.non2xx +
          r.result.measured.errors +
          r.result.warmup.non2xx +
          r.result.warmup.errors +
          (r.probe ? r.probe.measured.non2xx + r.probe.measured.errors : 0) >
        0,
    );
    const dashboards = runs.filter((r) => r.endpoint.dashboard);
    // A run that answered nothing (p99 null) misses its target; it does not pass.
    const p99Target = (r: EndpointRun) => (r.endpoint.dashboard ? TARGETS.dashboardP99Ms : TARGETS.listP99Ms);
    const p99Met = (r: EndpointRun) => r.result.measured.ok > 0 && r.result.measured.latencyMs.p99 <= p99Target(r);
    const worstDashboardP99 = Math.max(
      ...dashboards.map((r) => r.result.measured.latencyMs.p99 ?? Number.POSITIVE_INFINITY),
    );
    const dashboardsPass = dashboards.every(p99Met);
    const rebuildPass = rebuildRatio >= TARGETS.rebuildRatio;
    const machine = {
      ...machineFacts(loadAtStart),
      ...pgFacts,
      databaseMode: database.mode,
    };
    // The rebuild runs in this process; the app in its own (BENCH_APP=child) or here too.
    const servingRssMB = appProcess ? appPeakRssMB : (rssPeakMB.serve ?? 0);
    const rssPass = Math.max(rssPeakMB.rebuild ?? 0, servingRssMB) <= TARGETS.rssMB;
    const table = [
      '| Measure | Result | Baseline / detail | Ratio | Target | Result |',
      '|---|---:|---|---:|---|---|',
      `| Load: ${fmt(loaded.events)} events via appendToStream (${WRITERS} writers, ${fmt(loaded.events / loaded.appends, 1)} events/append) | ${fmt(loaded.seconds, 1)} s = ${fmt(loaded.events / loaded.seconds)} events/s | + VACUUM ${fmt(loaded.vacuumSeconds, 1)} s, seal ${fmt(loaded.sealSeconds, 1)} s | – | (not judged) | – |`,
      `| Raw ordered read, pages of ${fmt(BATCH)} (mean of 2 passes) | ${fmt(rawRate)} events/s | ${fmt(raw1.eventsPerSec)} / ${fmt(raw2.eventsPerSec)} events/s | – | – | – |`,
      `| rebuildReadModels from 0, ${fmt(rb.events)} events | ${fmt(rb.eventsPerSec)} events/s (${fmt(rb.seconds, 1)} s) | apply ${fmt(rb.applySeconds, 1)} s + VACUUM/swap ${fmt(rb.seconds - rb.applySeconds, 1)} s | ${fmt(rebuildRatio, 2)}× (rebuild ÷ raw) | ≥ ${TARGETS.rebuildRatio}× | ${rebuildPass ? 'PASS' : 'MISS'} |`,
      appProcess
        ? `| Peak RSS: the rebuild (this process), the app serving (its own process) | rebuild ${fmt(rssPeakMB.rebuild ?? 0)} MB, app ${fmt(servingRssMB)} MB | this process sampled every 100 ms (load phase ${fmt(rssPeakMB.load ?? 0)} MB, serving ${fmt(rssPeakMB.serve ?? 0)} MB: the writer and the bookkeeping); the app's VmHWM | – | ≤ ${TARGETS.rssMB} MB | ${rssPass ? 'PASS' : 'MISS'} |`
        : `| Peak RSS of this process (the rebuild, then the app serving) | rebuild ${fmt(rssPeakMB.rebuild ?? 0)} MB, serving ${fmt(rssPeakMB.serve ?? 0)} MB | sampled every 100 ms; load phase ${fmt(rssPeakMB.load ?? 0)} MB | – | ≤ ${TARGETS.rssMB} MB | ${rssPass ? 'PASS' : 'MISS'} |`,
      ...runs.map((r) => {
        const m = r.result.measured;
        const target = `p99 ≤ ${p99Target(r)} ms`;
        const result = p99Met(r) ? 'PASS' : 'MISS';
        const detail = [
          `${fmt(m.requestsPerSec)} req/s, non-2xx ${m.non2xx}, ≈${fmt(r.cpu.dbTransactionsPerRequest, 1)} DB statements/req`,
          r.probe
            ? `1 conn: p50 ${fmt(r.probe.measured.latencyMs.p50, 1)} / p99 ${fmt(r.probe.measured.latencyMs.p99, 1)} ms`
            : '',
          r.direct ? `query alone: p50 ${fmt(r.direct.p50, 1)} ms` : '',
        ]
          .filter(Boolean)
          .join('; ');
        return `| ${r.endpoint.label} [${r.endpoint.who}], ${CONNECTIONS} conn. | p50 ${fmt(m.latencyMs.p50, 1)} ms / p99 ${fmt(m.latencyMs.p99, 1)} ms | ${detail} | – | ${target} | ${result} |`;
      }),
    ];
    const facts =
      `${machineLine(machine, pgFacts, database.mode)} ` +
      `The app server (${appProcess ? 'a process of its own' : 'in this process'}), this process, the load generator (forked) and PostgreSQL share these ${machine.cpuCount} CPUs. ` +
      `${loadAverageLine(machine)} ` +
      `Data: ${roundsPlanned} rounds, ${fmt(Object.values(actualFindings).reduce((a, b) => a + b, 0))} findings, ${fmt(Object.values(actualLeads).reduce((a, b) => a + b, 0))} leads, ` +
      `${fmt(distinctPerBatch)} distinct streams per ${fmt(BATCH)}-event batch; office date ${today}.`;
    console.log('\n' + table.join('\n') + '\n\n' + facts);
    if (!checksOk) console.log('\nFAILED: the read models disagree with the deciders (see above)');
    if (failures.length) {
      console.log('\nFAILED: requests answered non-2xx or failed:');
      for (const f of failures) {
        const m = f.result.measured;
        console.log(
          `  ${f.endpoint.label}: non-2xx ${m.non2xx}, errors ${m.errors}, status codes ${JSON.stringify(m.statusCodes)}`,
        );
        for (const s of [...f.result.warmup.non2xxSamples, ...m.non2xxSamples])
          console.log(`    ${s.path} → ${s.status}: ${s.body}`);
      }
    }
    const missed = [
      ...(rebuildPass ? [] : ['rebuild ratio']),
      ...(rssPass ? [] : ['peak RSS']),
      ...runs.filter((r) => !p99Met(r)).map((r) => `${r.endpoint.label} [${r.endpoint.who}] p99`),
    ];
    console.log(missed.length ? `\nMISSED: ${missed.join('; ')}` : '\nAll targets met.');

    const out = writeResults('projections', {
      startedAt: new Date(benchStarted).toISOString(),
      durationSeconds: (Date.now() - benchStarted) / 1000,
      settings: {
        events: EVENTS,
        seed: SEED,
        departments: DEPARTMENTS,
        roundsPerDepartment: ROUNDS_PER_DEPARTMENT,
        fieldsPerRound: FIELDS_PER_ROUND,
        pointsPerRound: POINTS_PER_ROUND,
        writers: WRITERS,
        windowEvents: WINDOW,
        loadSynchronousCommit: LOAD_SYNC,
        batch: BATCH,
        connections: CONNECTIONS,
        measureSeconds: MEASURE_S,
        warmupSeconds: WARMUP_S,
        history: HISTORY,
        officeDate: today,
        probe: PROBE,
        writeRate: WRITE_RATE,
        hotShare: HOT_SHARE,
        app: APP_MODE,
      },
      writesDuringReads: writes,
      targets: TARGETS,
      machine,
      data: {
        rounds: roundsPlanned,
        findingsPerRound: world.findingsPerRound,
        leadsPerRound: world.leadsPerRound,
        findingsByStatus: actualFindings,
        leadsByStatus: actualLeads,
        eventTypes,
        streams: Number(shape[0].streams),
        distinctStreamsPerBatch: distinctPerBatch,
        esEventsBytes: Number(shape[0].bytes),
        readModelTables: sizes.map((s) => ({
          table: s.t,
          rows: Number(s.rows),
          bytes: Number(s.bytes),
        })),
        readModelsAgreeWithDeciders: checksOk,
        deadLetters,
      },
      load: {
        ...loaded,
        eventsPerSec: loaded.events / loaded.seconds,
        planSeconds,
      },
      rebuild: {
        rawEventsPerSec: rawRate,
        rebuildEventsPerSec: rb.eventsPerSec,
        ratio: rebuildRatio,
        pass: rebuildPass,
        passes,
        applySeconds: rb.applySeconds,
      },
      endpoints: runs.map((r) => ({
        ...r,
        targetP99Ms: p99Target(r),
        pass: p99Met(r),
      })),
      dashboards: { worstP99Ms: worstDashboardP99, pass: dashboardsPass },
      rssPeakMB,
      appPeakRssMB: appProcess ? appPeakRssMB : undefined,
      failures: failures.map((f) => f.endpoint.key),
      markdown: table.join('\n'),
      facts,
    });
    console.log(`Results written to ${out} (run took ${fmt((Date.now() - benchStarted) / 1000)} s)`);
    return failures.length || !checksOk ? 1 : 0;
  } finally {
    await cleanup();
  }
}

runBenchmark(main);
