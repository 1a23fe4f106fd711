/**
 * Event store benchmark (not a test): PgEventStore against a raw baseline doing the same work with
 * plain INSERTs/SELECTs on a table of the same shape, without checks, chain or hashes.
 *
 *   npm run bench:store                                    # embedded PostgreSQL in DATA_DIR (./data/bench)
 *   DATABASE_URL=postgres://... npm run bench:store        # an existing server
 *   EVENTSTORE_CONNECTION_STRING=esdb://... npm run bench:store -- --adapter esdb   # EventStoreDB (bench-esdb.ts)
 *
 * Knobs (environment): BENCH_SECONDS (measured seconds per side and measure, default 6),
 * BENCH_SLICE_SECONDS (default 0.5), BENCH_WARMUP_SECONDS (default 1),
 * BENCH_READALL_EVENTS (size of the log read by readAll, default 1000000), BENCH_LOAD_WRITERS (default 4),
 * BENCH_SEED_EVENTS (events put in both tables, then ANALYZE, before anything is measured; default 20000),
 * BENCH_SECTIONS (which of a,b,c,d,e to run; default all).
 *
 * Every store/raw pair runs interleaved in short slices, raw, store, store, raw, … (after one warm-up
 * round of each), so the machine's drift and noise (checkpoints, growing tables, other processes) hit both
 * sides alike; the readAll passes run raw, store, store, raw over the whole log.
 * Results: printed, and written as JSON to bench-results/store.json (relative to the cwd).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  CLOCK_TICKS,
  envList,
  envNumber,
  fmt,
  loadAverageLine,
  machineFacts,
  machineLine,
  percentile,
  postgresFacts,
  procTicks,
  range,
  runBenchmark,
  rawEventsTableSql,
  sleep,
  withApplicationName,
  writeResults,
} from '@app/bench';
import { PgEventStore, type NewEvent, type RecordedEvent } from '@app/event-store';
import { benchEsdb } from './bench-esdb.js';
import {
  installShutdownHandlers,
  loadConfig,
  openDatabase,
  redactDatabaseUrl,
  type DatabaseHandle,
} from '@app/database';

// ---------------------------------------------------------------------------------------------
// Settings

const MEASURE_S = envNumber('BENCH_SECONDS', 6);
const SLICE_S = envNumber('BENCH_SLICE_SECONDS', 0.5);
const WARMUP_S = envNumber('BENCH_WARMUP_SECONDS', 1);
const READALL_EVENTS = Math.floor(envNumber('BENCH_READALL_EVENTS', 1_000_000));
const LOAD_WRITERS = Math.floor(envNumber('BENCH_LOAD_WRITERS', 4));
const POOL_SIZE = 16;
const SECTIONS = envList('BENCH_SECTIONS', 'a,b,c,d,e');
const SEED_EVENTS = Math.floor(envNumber('BENCH_SEED_EVENTS', 20_000));
const PAGE = 1000;
const WARMUP_READALL_EVENTS = 50_000;
const BATCH = 100;
const STREAM_LENGTH = 1000;
const SUB_APPENDS = 50;
const SUB_SPACING_MS = 20;

const TARGETS = {
  single: 0.8,
  batch: 0.6,
  readStream: 1.5,
  readAll: 0.5,
  subscriptionMs: 100,
};

// ---------------------------------------------------------------------------------------------
// Payloads: case-tracker-like events, ~200-400 bytes of JSON with Chinese text.

const TITLES = [
  '关于某街道办事处违规发放补贴的问题线索',
  '巡察组现场检查发现账目不清',
  '群众来信反映村集体资产处置不透明',
  '专项资金拨付进度滞后问题',
  '干部作风问题整改落实情况',
  '工程项目招投标程序不规范',
];
const SUMMARIES = [
  '经初步核实，该单位二〇二三年度共有三笔支出缺少审批手续，涉及金额较大，需要进一步调取凭证。',
  '巡察组在走访中了解到，部分群众对补贴发放名单有异议，建议调阅原始申报材料并约谈经办人员。',
  '现场查看发现项目进度与台账记录不一致，已要求被巡察单位在五个工作日内书面说明情况。',
  '整改台账显示大部分问题已完成整改，但仍有两项制度建设类问题尚未形成长效机制。',
];
const UNITS = ['东城区民政局', '西湖街道办事处', '市住房和城乡建设局', '青山镇人民政府', '市农业农村局'];
const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊'];
const TAGS = ['财务管理', '选人用人', '作风建设', '工程项目', '惠民资金', '信访线索'];
const TYPES = ['CaseOpened', 'EvidenceAdded', 'FindingRecorded', 'InterviewHeld', 'RectificationRequested'];
const actor = { id: 'u-bench', username: 'bench', role: 'inspector' };

const pick = <T>(list: readonly T[], i: number): T => list[((i % list.length) + list.length) % list.length];

function payload(streamId: string, revision: number, salt: number): Record<string, unknown> {
  const i = revision + salt;
  return {
    caseId: streamId,
    step: revision,
    title: pick(TITLES, i),
    summary: pick(SUMMARIES, i * 7 + 3),
    unit: pick(UNITS, i * 3 + 1),
    inspector: pick(NAMES, i * 5),
    amount: ((i * 7919) % 1_000_000) / 100,
    tags: [pick(TAGS, i), pick(TAGS, i + 2)],
  };
}

function storeEvents(streamId: string, fromRevision: number, n: number): NewEvent[] {
  const occurredAt = new Date();
  return Array.from({ length: n }, (_, k) => ({
    type: pick(TYPES, fromRevision + k),
    data: payload(streamId, fromRevision + k, 0),
    metadata: { actor },
    occurredAt,
  }));
}

/** Raw rows carry what the store would have stored: the same data and metadata shape. */
interface RawRow {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
  occurredAt: Date;
}

function rawRows(streamId: string, fromRevision: number, n: number): RawRow[] {
  const occurredAt = new Date();
  return Array.from({ length: n }, (_, k) => {
    const id = randomUUID();
    return {
      streamId,
      revision: fromRevision + k,
      id,
      type: pick(TYPES, fromRevision + k),
      data: JSON.stringify(payload(streamId, fromRevision + k, 0)),
      metadata: JSON.stringify({ actor, correlationId: id, causationId: id }),
      occurredAt,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Measuring helpers

interface RunResult {
  ops: number;
  events: number;
  seconds: number;
  latencies: number[];
  /** CPU used meanwhile by this process and by the side's PostgreSQL backends (NaN if unreadable). */
  nodeCpuMs: number;
  pgCpuMs: number;
}

/**
 * CPU time, a steadier figure than wall time on a busy machine: this process (process.cpuUsage) and the
 * server processes of one side's connections, found by application_name, read from /proc (only
 * when PostgreSQL runs on this machine and /proc is readable; otherwise NaN).
 */
class CpuMeter {
  constructor(private readonly admin: pg.Client) {}

  async pids(applicationName: string): Promise<number[]> {
    const { rows } = await this.admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    return rows.map((r) => r.pid);
  }

  /** CPU ticks so far of each readable process. */
  private ticks(pids: number[]): Map<number, number> {
    const ticks = new Map<number, number>();
    for (const pid of pids) {
      const t = procTicks(pid);
      if (t !== undefined) ticks.set(pid, t);
    }
    return ticks;
  }

  /**
   * Runs `work` and adds the CPU it cost to its result. Every connection of `pool` is opened first
   * (pg closes idle ones after 10 s), so that none is born, unseen, during the work.
   */
  async measure<T extends object>(
    applicationName: string,
    pool: pg.Pool,
    work: () => Promise<T>,
  ): Promise<T & { nodeCpuMs: number; pgCpuMs: number }> {
    await Promise.all(range(POOL_SIZE).map(() => pool.query('SELECT 1')));
    const pids = await this.pids(applicationName);
    const before = this.ticks(pids);
    const node0 = process.cpuUsage();
    const result = await work();
    const node = process.cpuUsage(node0);
    const after = this.ticks(pids);
    // Only processes seen at both ends: an idle connection closed meanwhile takes its ticks away.
    let ticks = 0;
    for (const [pid, t] of after) ticks += t - (before.get(pid) ?? t);
    const pgCpuMs = before.size === 0 ? NaN : (ticks * 1000) / CLOCK_TICKS;
    return { ...result, nodeCpuMs: (node.user + node.system) / 1000, pgCpuMs };
  }
}

let cpuMeter: CpuMeter | undefined;
let storeAppName = '';
let rawAppName = '';
let pools: { raw: pg.Pool; store: pg.Pool } | undefined;

async function measured<T extends object>(
  side: 'raw' | 'store',
  work: () => Promise<T>,
): Promise<T & { nodeCpuMs: number; pgCpuMs: number }> {
  if (!cpuMeter || !pools) return { ...(await work()), nodeCpuMs: NaN, pgCpuMs: NaN };
  return cpuMeter.measure(side === 'raw' ? rawAppName : storeAppName, pools[side], work);
}

/** `workers` loops calling `op` until the deadline; `op` answers how many events it handled. */
async function runFor(
  seconds: number,
  workers: number,
  op: (worker: number) => Promise<number>,
): Promise<Omit<RunResult, 'nodeCpuMs' | 'pgCpuMs'>> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let ops = 0;
  let events = 0;
  const latencies: number[] = [];
  await Promise.all(
    range(workers).map(async (w) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const handled = await op(w); // not `events += await …`: that reads `events` before the await
        events += handled;
        latencies.push(performance.now() - t0);
        ops++;
      }
    }),
  );
  return { ops, events, seconds: (performance.now() - started) / 1000, latencies };
}

interface Side {
  opsPerSec: number;
  eventsPerSec: number;
  msPerOpP50: number;
  msPerOpP99: number;
  msPerOpMean: number;
  ops: number;
  /** CPU per event in µs, this process and the side's PostgreSQL backends. */
  nodeCpuUsPerEvent: number;
  pgCpuUsPerEvent: number;
}

function combine(runs: RunResult[]): Side {
  const ops = runs.reduce((s, r) => s + r.ops, 0);
  const events = runs.reduce((s, r) => s + r.events, 0);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  const lat = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    opsPerSec: ops / seconds,
    eventsPerSec: events / seconds,
    msPerOpP50: percentile(lat, 50),
    msPerOpP99: percentile(lat, 99),
    msPerOpMean: lat.reduce((s, x) => s + x, 0) / Math.max(1, lat.length),
    ops,
    nodeCpuUsPerEvent: (runs.reduce((s, r) => s + r.nodeCpuMs, 0) * 1000) / events,
    pgCpuUsPerEvent: (runs.reduce((s, r) => s + r.pgCpuMs, 0) * 1000) / events,
  };
}

/**
 * Warm-up of both, then short slices alternating raw, store, store, raw, … so that the two sides see the
 * same machine (other processes, checkpoints, autovacuum, growing tables) and noise cancels in the ratio.
 */
async function pair(
  label: string,
  workers: number,
  raw: (w: number) => Promise<number>,
  store: (w: number) => Promise<number>,
): Promise<{ raw: Side; store: Side }> {
  process.stdout.write(`  ${label}: warm-up`);
  await runFor(WARMUP_S, workers, raw);
  await runFor(WARMUP_S, workers, store);
  const r: RunResult[] = [];
  const s: RunResult[] = [];
  const slices = Math.max(2, Math.round(MEASURE_S / SLICE_S));
  process.stdout.write(`, ${slices} × ${SLICE_S} s slices per side`);
  for (let i = 0; i < 2 * slices; i++) {
    if (i % 4 === 0 || i % 4 === 3) r.push(await measured('raw', () => runFor(SLICE_S, workers, raw)));
    else s.push(await measured('store', () => runFor(SLICE_S, workers, store)));
  }
  process.stdout.write('\n');
  return { raw: combine(r), store: combine(s) };
}

// ---------------------------------------------------------------------------------------------
// Report

interface Row {
  key: string;
  measure: string;
  unit: string;
  store: number;
  raw: number;
  /** How the ratio is computed, in words. */
  ratioKind: string;
  ratio: number;
  target: string;
  pass: boolean;
  detail?: Record<string, unknown>;
}

const rows: Row[] = [];

function rateRow(
  key: string,
  measure: string,
  unit: string,
  res: { raw: Side; store: Side },
  perEvent: boolean,
  target: number,
) {
  const store = perEvent ? res.store.eventsPerSec : res.store.opsPerSec;
  const raw = perEvent ? res.raw.eventsPerSec : res.raw.opsPerSec;
  const ratio = store / raw;
  const row: Row = {
    key,
    measure,
    unit,
    store,
    raw,
    ratioKind: 'store ÷ raw (rate)',
    ratio,
    target: `≥ ${target}×`,
    pass: ratio >= target,
    detail: { store: res.store, raw: res.raw },
  };
  rows.push(row);
  console.log(
    `  → ${measure}: store ${fmt(store)} ${unit} (p50 ${fmt(res.store.msPerOpP50, 2)} ms/op), raw ${fmt(raw)} ${unit} ` +
      `(p50 ${fmt(res.raw.msPerOpP50, 2)} ms/op); store ÷ raw = ${fmt(ratio, 2)}× (target ${row.target}) ${row.pass ? 'PASS' : 'MISS'}`,
  );
  console.log(`    CPU per event: ${cpuText(res.store)} (store) vs ${cpuText(res.raw)} (raw)`);
}

const cpuText = (side: Side) =>
  `node ${fmt(side.nodeCpuUsPerEvent, 1)} µs + PostgreSQL ${Number.isNaN(side.pgCpuUsPerEvent) ? '?' : fmt(side.pgCpuUsPerEvent, 1)} µs`;

// ---------------------------------------------------------------------------------------------
// Main

interface Context {
  url: string;
  schema: string;
  store: PgEventStore;
  raw: pg.Pool;
}

const RAW_COLUMNS =
  'position, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash';

const rawTableSql = rawEventsTableSql;

function multiRowInsert(schema: string, table: string, n: number): string {
  const tuples = range(n).map((i) => {
    const b = i * 7;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7})`;
  });
  return `INSERT INTO ${schema}.${table} (stream_id, revision, id, type, data, metadata, occurred_at) VALUES ${tuples.join(', ')}`;
}

const flatten = (batch: RawRow[]): unknown[] =>
  batch.flatMap((r) => [r.streamId, r.revision, r.id, r.type, r.data, r.metadata, r.occurredAt]);

async function rawInsert(ctx: Context, batch: RawRow[]): Promise<void> {
  if (batch.length === 1) {
    await ctx.raw.query({
      name: 'raw_insert_1',
      text: multiRowInsert(ctx.schema, 'raw_events', 1),
      values: flatten(batch),
    });
  } else if (batch.length === BATCH) {
    await ctx.raw.query({
      name: 'raw_insert_100',
      text: multiRowInsert(ctx.schema, 'raw_events', BATCH),
      values: flatten(batch),
    });
  } else {
    await ctx.raw.query(multiRowInsert(ctx.schema, 'raw_events', batch.length), flatten(batch));
  }
}

/** Both tables get SEED_EVENTS events in 1000-event streams, by 4 writers each owning its streams. */
async function seed(ctx: Context): Promise<void> {
  const streams = Math.ceil(SEED_EVENTS / STREAM_LENGTH);
  const tag = randomUUID().slice(0, 8);
  await Promise.all(
    range(4).map(async (w) => {
      for (let k = w; k < streams; k += 4) {
        const streamId = `seed-${tag}-${k}`;
        for (let rev = 0; rev < STREAM_LENGTH; rev += BATCH) {
          await ctx.store.appendToStream(streamId, storeEvents(streamId, rev + 1, BATCH), { expectedRevision: rev });
          await rawInsert(ctx, rawRows(`raw-${streamId}`, rev + 1, BATCH));
        }
      }
    }),
  );
}

/** (a) and (b): appends of `size` events per call, by `writers` writers, each on its own stream. */
async function benchAppends(ctx: Context, size: number, writers: number): Promise<{ raw: Side; store: Side }> {
  const tag = randomUUID().slice(0, 8);
  const storeStreams = range(writers).map((w) => ({ id: `bench-${size}x${writers}-${tag}-w${w}`, revision: 0 }));
  const rawStreams = range(writers).map((w) => ({ id: `raw-${size}x${writers}-${tag}-w${w}`, revision: 0 }));
  return pair(
    `${size === 1 ? 'single-event' : `${size}-event`} appends, ${writers} writer${writers > 1 ? 's' : ''}`,
    writers,
    async (w) => {
      const s = rawStreams[w];
      await rawInsert(ctx, rawRows(s.id, s.revision + 1, size));
      s.revision += size;
      return size;
    },
    async (w) => {
      const s = storeStreams[w];
      const result = await ctx.store.appendToStream(s.id, storeEvents(s.id, s.revision + 1, size), {
        expectedRevision: s.revision,
      });
      s.revision = result.nextRevision;
      return size;
    },
  );
}

/** (c) readStream of a 1000-event stream. */
async function benchReadStream(ctx: Context): Promise<{ raw: Side; store: Side }> {
  const streamId = `read-${randomUUID().slice(0, 8)}`;
  for (let rev = 0; rev < STREAM_LENGTH; rev += BATCH) {
    await ctx.store.appendToStream(streamId, storeEvents(streamId, rev + 1, BATCH), { expectedRevision: rev });
    await rawInsert(ctx, rawRows(streamId, rev + 1, BATCH));
  }
  const check = await ctx.store.readStream(streamId);
  const rawCheck = await ctx.raw.query(`SELECT count(*)::int AS n FROM ${ctx.schema}.raw_events WHERE stream_id = $1`, [
    streamId,
  ]);
  if (check.length !== STREAM_LENGTH || rawCheck.rows[0].n !== STREAM_LENGTH) {
    throw new Error(
      `readStream set-up: expected ${STREAM_LENGTH} events, store has ${check.length}, raw ${rawCheck.rows[0].n}`,
    );
  }
  const rawText = `SELECT ${RAW_COLUMNS} FROM ${ctx.schema}.raw_events WHERE stream_id = $1 ORDER BY revision`;
  return pair(
    `readStream of a ${STREAM_LENGTH}-event stream, 1 reader`,
    1,
    async () => (await ctx.raw.query({ name: 'raw_read_stream', text: rawText, values: [streamId] })).rowCount ?? 0,
    async () => (await ctx.store.readStream(streamId)).length,
  );
}

interface LatencyResult {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  delivered: number;
  deliveredBeforeAppendResolved: number;
}

/** (e) commit → delivery latency of an idle subscriber. */
async function benchSubscription(ctx: Context, subscriberStore: PgEventStore): Promise<LatencyResult> {
  const resolvedAt = new Map<number, number>();
  const deliveredAt = new Map<number, number>();
  const from = await ctx.store.headPosition();
  const sub = subscriberStore.subscribeToAll({ fromPosition: from }, async (batch: RecordedEvent[]) => {
    const now = performance.now();
    for (const e of batch) deliveredAt.set(e.position, now);
  });
  try {
    await sleep(500); // idle: the subscription has caught up and sleeps between polls
    const streamId = `sub-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < SUB_APPENDS; i++) {
      const r = await ctx.store.appendToStream(streamId, storeEvents(streamId, i + 1, 1), { expectedRevision: i });
      resolvedAt.set(r.position, performance.now());
      await sleep(SUB_SPACING_MS);
    }
    const deadline = Date.now() + 10_000;
    while ([...resolvedAt.keys()].some((p) => !deliveredAt.has(p)) && Date.now() < deadline) await sleep(5);
  } finally {
    await sub.stop();
  }
  const lat: number[] = [];
  let early = 0;
  for (const [pos, t] of resolvedAt) {
    const d = deliveredAt.get(pos);
    if (d === undefined) continue;
    if (d < t) early++;
    lat.push(Math.max(0, d - t));
  }
  if (lat.length !== SUB_APPENDS)
    throw new Error(`subscription delivered ${lat.length} of ${SUB_APPENDS} events within 10 s`);
  lat.sort((a, b) => a - b);
  return {
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat[lat.length - 1],
    mean: lat.reduce((s, x) => s + x, 0) / lat.length,
    delivered: lat.length,
    deliveredBeforeAppendResolved: early,
  };
}

/** (d) fills the store's log up to READALL_EVENTS with 100-event appends by LOAD_WRITERS writers. */
async function loadStore(ctx: Context): Promise<{ events: number; seconds: number; total: number }> {
  const countRes = await ctx.raw.query(`SELECT count(*)::bigint AS n FROM ${ctx.schema}.es_events`);
  const existing = Number(countRes.rows[0].n);
  let remaining = Math.max(0, READALL_EVENTS - existing);
  const toLoad = remaining;
  const tag = randomUUID().slice(0, 8);
  let streamSeq = 0;
  let done = 0;
  const started = performance.now();
  let lastReport = started;
  await Promise.all(
    range(LOAD_WRITERS).map(async () => {
      let streamId = '';
      let revision = STREAM_LENGTH;
      while (remaining > 0) {
        const n = Math.min(BATCH, remaining);
        remaining -= n;
        if (revision >= STREAM_LENGTH) {
          streamId = `load-${tag}-${streamSeq++}`;
          revision = 0;
        }
        const r = await ctx.store.appendToStream(streamId, storeEvents(streamId, revision + 1, n), {
          expectedRevision: revision,
        });
        revision = r.nextRevision;
        done += n;
        const now = performance.now();
        if (now - lastReport > 10_000) {
          lastReport = now;
          console.log(`    … ${fmt(done)} / ${fmt(toLoad)} events (${fmt(done / ((now - started) / 1000))} events/s)`);
        }
      }
    }),
  );
  return { events: toLoad, seconds: (performance.now() - started) / 1000, total: existing + toLoad };
}

async function readAllPass(
  read: (from: number) => Promise<number[]>,
  maxEvents = Number.POSITIVE_INFINITY,
): Promise<{ events: number; seconds: number }> {
  const started = performance.now();
  let from = 0;
  let events = 0;
  while (events < maxEvents) {
    const positions = await read(from);
    if (positions.length === 0) break;
    events += positions.length;
    const last = positions[positions.length - 1];
    if (last <= from) throw new Error('readAll paging did not advance');
    from = last;
  }
  return { events, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const benchStarted = Date.now();
  const loadAtStart = os.loadavg();
  let db: DatabaseHandle | undefined;
  let ctx: Context | undefined;
  let subscriberStore: PgEventStore | undefined;
  let admin: pg.Client | undefined;
  let cleanedUp = false;

  const cleanup = async (): Promise<void> => {
    if (cleanedUp) return;
    cleanedUp = true;
    await subscriberStore?.close().catch(() => undefined);
    await ctx?.store.close().catch(() => undefined);
    await ctx?.raw.end().catch(() => undefined);
    if (admin && ctx) {
      await admin.query(`DROP SCHEMA IF EXISTS ${ctx.schema} CASCADE`).then(
        () => console.log(`Dropped schema ${ctx?.schema}`),
        (e: unknown) => console.error(`Could not drop schema ${ctx?.schema}: ${(e as Error).message}`),
      );
    }
    await admin?.end().catch(() => undefined);
    await db?.stop().catch(() => undefined);
  };
  installShutdownHandlers([cleanup]);

  try {
    const config = loadConfig({ ...process.env, DATA_DIR: process.env.DATA_DIR?.trim() || './data/bench' });
    db = await openDatabase(config, { log: (m) => console.log(m), warn: (m) => console.warn(m) });
    const url = db.url;
    const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

    admin = new pg.Client({ connectionString: url });
    admin.on('error', () => undefined);
    await admin.connect();
    const pgFacts = await postgresFacts(admin, [
      'shared_buffers',
      'synchronous_commit',
      'fsync',
      'max_wal_size',
      'wal_level',
    ]);
    console.log(`Database: ${db.mode} (${redactDatabaseUrl(url)}), schema ${schema}`);
    // Each side's connections get an application_name of their own (a connection string parameter
    // wins over the pool's option), so that their server processes can be found for the CPU figures.
    storeAppName = `${schema}_store`;
    rawAppName = `${schema}_raw`;
    const tagged = (name: string) => withApplicationName(url, name);
    cpuMeter = new CpuMeter(admin);
    const store = await PgEventStore.open({ connectionString: tagged(storeAppName), schema, poolSize: POOL_SIZE });
    const raw = new pg.Pool({ connectionString: tagged(rawAppName), max: POOL_SIZE });
    raw.on('error', () => undefined);
    ctx = { url, schema, store, raw };
    pools = { raw, store: store.pool };
    await admin.query(rawTableSql(schema, 'raw_events'));
    // Open every connection of both pools before measuring.
    await Promise.all(range(POOL_SIZE).map(() => store.pool.query('select 1')));
    await Promise.all(range(POOL_SIZE).map(() => raw.query('select 1')));
    // A store in use is not empty: seed both tables alike and ANALYZE them, so that every measured
    // statement is planned for a table of realistic size (a prepared statement first planned on an
    // empty table keeps that plan until the table is next analyzed).
    {
      const t = performance.now();
      await seed(ctx);
      await admin.query(`ANALYZE ${schema}.es_events`);
      await admin.query(`ANALYZE ${schema}.raw_events`);
      console.log(
        `Seeded store and raw table with ${fmt(SEED_EVENTS)} events each (${BATCH}-event appends / multi-row INSERTs) ` +
          `and ANALYZEd both: ${fmt((performance.now() - t) / 1000, 1)} s`,
      );
    }

    const sample = storeEvents('case-0001', 1, 1)[0];
    console.log(
      `Payload: data ≈ ${Buffer.byteLength(JSON.stringify(sample.data))} bytes of JSON (Chinese text); ` +
        `${MEASURE_S} s per side in ${SLICE_S} s slices (raw, store, store, raw, …) after ${WARMUP_S} s warm-up; ` +
        `pools of ${POOL_SIZE}; load average at start ${os
          .loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}\n`,
    );

    if (SECTIONS.has('a')) {
      console.log('(a) single-event appends');
      rateRow(
        'append1x1',
        'single-event appends, 1 writer',
        'appends/s',
        await benchAppends(ctx, 1, 1),
        false,
        TARGETS.single,
      );
      rateRow(
        'append1x8',
        'single-event appends, 8 writers',
        'appends/s',
        await benchAppends(ctx, 1, 8),
        false,
        TARGETS.single,
      );
    }

    if (SECTIONS.has('b')) {
      console.log('(b) 100-event appends');
      rateRow(
        'append100x1',
        '100-event appends, 1 writer',
        'events/s',
        await benchAppends(ctx, BATCH, 1),
        true,
        TARGETS.batch,
      );
      rateRow(
        'append100x8',
        '100-event appends, 8 writers',
        'events/s',
        await benchAppends(ctx, BATCH, 8),
        true,
        TARGETS.batch,
      );
    }

    if (SECTIONS.has('c')) {
      console.log('(c) readStream');
      const res = await benchReadStream(ctx);
      const ratio = res.store.msPerOpMean / res.raw.msPerOpMean;
      const row: Row = {
        key: 'readStream',
        measure: `readStream, ${STREAM_LENGTH}-event stream`,
        unit: 'ms/read',
        store: res.store.msPerOpMean,
        raw: res.raw.msPerOpMean,
        ratioKind: 'store time ÷ raw time (× slower)',
        ratio,
        target: `≤ ${TARGETS.readStream}×`,
        pass: ratio <= TARGETS.readStream,
        detail: {
          storeReadsPerSec: res.store.opsPerSec,
          rawReadsPerSec: res.raw.opsPerSec,
          store: res.store,
          raw: res.raw,
        },
      };
      rows.push(row);
      console.log(
        `  → readStream: store ${fmt(res.store.opsPerSec)} reads/s = ${fmt(res.store.msPerOpMean, 2)} ms/read, ` +
          `raw ${fmt(res.raw.opsPerSec)} reads/s = ${fmt(res.raw.msPerOpMean, 2)} ms/read; ` +
          `store time ÷ raw time = ${fmt(ratio, 2)}× slower (target ${row.target}) ${row.pass ? 'PASS' : 'MISS'}`,
      );
      console.log(`    CPU per event: ${cpuText(res.store)} (store) vs ${cpuText(res.raw)} (raw)`);
    }

    const subResults: Record<string, LatencyResult> = {};
    if (SECTIONS.has('e')) {
      console.log('(e) subscription latency, idle subscriber, 50 appends 20 ms apart');
      subscriberStore = await PgEventStore.open({ connectionString: url, schema, poolSize: 2 });
      for (const [key, label, sub] of [
        ['sameInstance', 'same store instance (in-process wake-up)', store],
        ['separateInstance', 'separate PgEventStore instance (polling)', subscriberStore],
      ] as const) {
        const r = await benchSubscription(ctx, sub);
        subResults[key] = r;
        const pass = r.p99 < TARGETS.subscriptionMs;
        rows.push({
          key: `subscription_${key}`,
          measure: `subscription latency, ${label}`,
          unit: 'ms p50 / p99 / max',
          store: r.p99,
          raw: NaN,
          ratioKind: 'none (absolute target on p99)',
          ratio: NaN,
          target: `p99 < ${TARGETS.subscriptionMs} ms`,
          pass,
          detail: { ...r },
        });
        console.log(
          `  → ${label}: p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, max ${fmt(r.max, 1)} ms, mean ${fmt(r.mean, 1)} ms` +
            `${r.deliveredBeforeAppendResolved ? ` (${r.deliveredBeforeAppendResolved} delivered before the append resolved, counted as 0)` : ''}` +
            ` (target p99 < ${TARGETS.subscriptionMs} ms) ${pass ? 'PASS' : 'MISS'}`,
        );
      }
      await subscriberStore.close();
      subscriberStore = undefined;
    }

    let loadFacts = '';
    if (SECTIONS.has('d')) {
      console.log(`(d) readAll over ${fmt(READALL_EVENTS)} events, pages of ${PAGE}`);
      const load = await loadStore(ctx);
      console.log(
        `  store load: ${fmt(load.events)} events via appendToStream (${BATCH}-event batches, ${LOAD_WRITERS} writers) in ` +
          `${fmt(load.seconds, 1)} s = ${fmt(load.events / load.seconds)} events/s; log now ${fmt(load.total)} events`,
      );
      let t0 = performance.now();
      await admin.query(rawTableSql(schema, 'raw_log'));
      // The same rows as the store's log (same payloads, positions and stream ids), constant hashes.
      const copied = await admin.query(
        `INSERT INTO ${schema}.raw_log (position, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at)
         SELECT position, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at FROM ${schema}.es_events ORDER BY position`,
      );
      const rawLoadSeconds = (performance.now() - t0) / 1000;
      console.log(
        `  raw load: ${fmt(copied.rowCount ?? 0)} rows by INSERT … SELECT (a copy of the store's rows) in ${fmt(rawLoadSeconds, 1)} s`,
      );
      t0 = performance.now();
      await admin.query(`VACUUM (ANALYZE) ${schema}.es_events`);
      await admin.query(`VACUUM (ANALYZE) ${schema}.raw_log`);
      console.log(
        `  VACUUM (ANALYZE) of both tables (hint bits, visibility map): ${fmt((performance.now() - t0) / 1000, 1)} s`,
      );

      const rawReadText = `SELECT ${RAW_COLUMNS} FROM ${schema}.raw_log WHERE position > $1 ORDER BY position LIMIT ${PAGE}`;
      const rawPass = (max?: number) =>
        readAllPass(async (from) => {
          const { rows: page } = await raw.query<{ position: string }>({
            name: 'raw_read_all',
            text: rawReadText,
            values: [from],
          });
          return page.map((r) => Number(r.position));
        }, max);
      const storePass = (max?: number) =>
        readAllPass(
          async (from) => (await store.readAll({ fromPosition: from, limit: PAGE })).map((e) => e.position),
          max,
        );
      // Warm-up: statements prepared and planned, code paths hot, on both sides.
      await rawPass(WARMUP_READALL_EVENTS);
      await storePass(WARMUP_READALL_EVENTS);
      const passes: { side: 'raw' | 'store'; events: number; seconds: number; nodeCpuMs: number; pgCpuMs: number }[] =
        [];
      for (const side of ['raw', 'store', 'store', 'raw'] as const) {
        const r = await measured(side, () => (side === 'raw' ? rawPass() : storePass()));
        passes.push({ side, ...r });
        console.log(
          `  ${side} pass: ${fmt(r.events)} events in ${fmt(r.seconds, 2)} s = ${fmt(r.events / r.seconds)} events/s; ` +
            `CPU per event: node ${fmt((r.nodeCpuMs * 1000) / r.events, 1)} µs + PostgreSQL ${fmt((r.pgCpuMs * 1000) / r.events, 1)} µs`,
        );
        if (r.events !== load.total)
          throw new Error(`readAll ${side} pass read ${r.events} events, expected ${load.total}`);
      }
      const rate = (side: 'raw' | 'store') => {
        const ps = passes.filter((p) => p.side === side);
        return ps.reduce((s, p) => s + p.events, 0) / ps.reduce((s, p) => s + p.seconds, 0);
      };
      {
        const storeRate = rate('store');
        const rawRate = rate('raw');
        const ratio = storeRate / rawRate;
        const row: Row = {
          key: 'readAll',
          measure: `readAll, ${fmt(load.total)} events, pages of ${PAGE}`,
          unit: 'events/s',
          store: storeRate,
          raw: rawRate,
          ratioKind: 'store ÷ raw (rate)',
          ratio,
          target: `≥ ${TARGETS.readAll}×`,
          pass: ratio >= TARGETS.readAll,
          detail: {
            passes,
            storeLoadSeconds: load.seconds,
            storeLoadEventsPerSec: load.events / load.seconds,
            rawLoadSeconds,
          },
        };
        rows.push(row);
        console.log(
          `  → readAll: store ${fmt(storeRate)} events/s, raw ${fmt(rawRate)} events/s; store ÷ raw = ${fmt(ratio, 2)}× ` +
            `(target ${row.target}) ${row.pass ? 'PASS' : 'MISS'}`,
        );
      }
      loadFacts =
        ` Loading for readAll: store ${fmt(load.events)} events in ${fmt(load.seconds, 1)} s (${fmt(load.events / load.seconds)} events/s), ` +
        `raw copy ${fmt(rawLoadSeconds, 1)} s.`;
    }

    // ------------------------------------------------------------------ summary
    const machine = { ...machineFacts(loadAtStart), ...pgFacts, databaseMode: db.mode };
    const subCell = (r: LatencyResult) => `${fmt(r.p50, 1)} / ${fmt(r.p99, 1)} / ${fmt(r.max, 1)} ms`;
    const table: string[] = [
      '| Measure | Store | Raw baseline | Ratio | Target | Result |',
      '|---|---:|---:|---:|---|---|',
    ];
    for (const r of rows) {
      if (r.key.startsWith('subscription_')) {
        const lr = subResults[r.key.slice('subscription_'.length)];
        table.push(
          `| ${r.measure} (p50 / p99 / max) | ${subCell(lr)} | – | – | ${r.target} | ${r.pass ? 'PASS' : 'MISS'} |`,
        );
      } else if (r.key === 'readStream') {
        table.push(
          `| ${r.measure} | ${fmt(r.store, 2)} ms/read (${fmt(1000 / r.store)} reads/s) | ${fmt(r.raw, 2)} ms/read (${fmt(1000 / r.raw)} reads/s) | ` +
            `${fmt(r.ratio, 2)}× slower (store ÷ raw time) | ${r.target} | ${r.pass ? 'PASS' : 'MISS'} |`,
        );
      } else {
        table.push(
          `| ${r.measure} | ${fmt(r.store)} ${r.unit} | ${fmt(r.raw)} ${r.unit} | ${fmt(r.ratio, 2)}× (store ÷ raw) | ${r.target} | ${r.pass ? 'PASS' : 'MISS'} |`,
        );
      }
    }
    const facts = `${machineLine(machine, pgFacts, db.mode)} ${loadAverageLine(machine)}` + loadFacts;
    console.log('\n' + table.join('\n') + '\n\n' + facts);
    const missed = rows.filter((r) => !r.pass);
    console.log(missed.length ? `\nMISSED: ${missed.map((r) => r.measure).join('; ')}` : '\nAll targets met.');

    const out = writeResults('store', {
      startedAt: new Date(benchStarted).toISOString(),
      durationSeconds: (Date.now() - benchStarted) / 1000,
      settings: {
        measureSecondsPerSide: MEASURE_S,
        sliceSeconds: SLICE_S,
        warmupSeconds: WARMUP_S,
        poolSize: POOL_SIZE,
        readAllEvents: READALL_EVENTS,
        loadWriters: LOAD_WRITERS,
      },
      targets: TARGETS,
      machine,
      results: rows.map((r) => ({
        ...r,
        raw: Number.isNaN(r.raw) ? null : r.raw,
        ratio: Number.isNaN(r.ratio) ? null : r.ratio,
      })),
      markdown: table.join('\n'),
    });
    console.log(`Results written to ${out} (run took ${fmt((Date.now() - benchStarted) / 1000)} s)`);
  } finally {
    await cleanup();
  }
}

const adapterAt = process.argv.indexOf('--adapter');
const adapter = adapterAt >= 0 ? process.argv[adapterAt + 1] : 'postgres';
if (adapter !== 'postgres' && adapter !== 'esdb') throw new Error(`--adapter must be postgres or esdb, got ${adapter}`);
runBenchmark(adapter === 'esdb' ? benchEsdb : main);
