/**
 * `npm run bench:streams`: command latency against stream length. Rounds of 10, 1,000 and 10,000 events are built
 * with AddMonitoringPoint commands, then more AddMonitoringPoint commands are timed on each (through the app's
 * HTTP stack, in-process with fastify's inject: validation, JWT, handler, read, fold, decide, append), once with
 * the command runner's per-process cache of folded state (warm) and once with it cleared before every command
 * (cold: the stream is read and folded). Ratios are against the 10-event streams of the same run. Writes
 * bench-results/streams.json. Embedded PostgreSQL in a temporary folder.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startEmbeddedPostgres } from '@app/database';
import { closeApp, createApp } from '../src/app.factory.js';
import { CommandRunner } from '../src/cases/application/command-runner.js';

const LENGTHS = [10, 1_000, 10_000];
const WARM_SAMPLES = 300;
const COLD_SAMPLES = 100;

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-bench-streams-'));
await fs.chmod(dataDir, 0o711);
const server = await startEmbeddedPostgres({ dataDir });
const config = loadConfig({
  DATA_DIR: dataDir,
  ADMIN_PASSWORD: 'bench-admin-pass',
  LOG_LEVEL: 'error',
  DEMO: 'off',
  PROJECTIONS: 'off',
});
const app = await createApp(config, { mode: 'embedded', url: server.url, stop: () => server.stop() });
const fastify = app.getHttpAdapter().getInstance();
// The runner's cache of folded state is private; the cold runs clear it before every command.
const runner = app.get<CommandRunner, { cache: Map<string, unknown> }>(CommandRunner);

async function call(method: 'GET' | 'POST', url: string, token: string | undefined, body?: unknown) {
  const res = await fastify.inject({
    method,
    url,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body || '{}') as Record<string, unknown>;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const started = Date.now();
try {
  const adminToken = (
    await call('POST', '/api/auth/login', undefined, { username: 'admin', password: 'bench-admin-pass' })
  ).accessToken as string;
  await call('POST', '/api/users', adminToken, {
    username: 'official.bench',
    password: 'official-bench-pw',
    role: 'official',
  });
  const token = (
    await call('POST', '/api/auth/login', undefined, { username: 'official.bench', password: 'official-bench-pw' })
  ).accessToken as string;
  const dept = (await call('POST', '/api/departments', token, { name: '区民政局', kind: 'bureau' }))
    .departmentId as string;
  const body = (i: number, fieldId: string) => ({
    fieldId,
    title: `监督重点 ${i}`,
    targets: [{ kind: 'department', name: '区民政局', departmentId: dept }],
  });

  // Streams of each length; enough 10-event streams that the timed commands barely lengthen any of them.
  const pools = new Map<number, { roundId: string; fieldId: string }[]>();
  for (const length of LENGTHS) {
    const count = length === 10 ? 100 : length === 1_000 ? 4 : 1;
    const pool: { roundId: string; fieldId: string }[] = [];
    for (let r = 0; r < count; r++) {
      const roundId = (
        await call('POST', '/api/rounds', token, {
          title: `流长度 ${length}`,
          kind: 'special',
          scope: 'bench',
          startsOn: '2024-09-01',
          endsOn: '2024-12-31',
        })
      ).roundId as string;
      const fieldId = (await call('POST', `/api/rounds/${roundId}/fields`, token, { name: '基层治理' }))
        .fieldId as string;
      for (let i = 2; i < length; i++)
        await call('POST', `/api/rounds/${roundId}/monitoring-points`, token, body(i, fieldId));
      pool.push({ roundId, fieldId });
    }
    pools.set(length, pool);
    process.stderr.write(
      `built ${count} stream(s) of ${length} events (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );
  }

  const results: Record<string, Record<string, { p50: number; p99: number; samples: number }>> = {};
  for (const mode of ['warm', 'cold'] as const) {
    results[mode] = {};
    for (const length of LENGTHS) {
      const pool = pools.get(length)!;
      const samples = mode === 'warm' ? WARM_SAMPLES : COLD_SAMPLES;
      const times: number[] = [];
      // Warm-up: fills the cache (warm) and the JIT.
      for (const s of pool.slice(0, 5))
        await call('POST', `/api/rounds/${s.roundId}/monitoring-points`, token, body(0, s.fieldId));
      for (let i = 0; i < samples; i++) {
        const s = pool[i % pool.length];
        if (mode === 'cold') runner.cache.clear();
        const t0 = process.hrtime.bigint();
        await call('POST', `/api/rounds/${s.roundId}/monitoring-points`, token, body(i, s.fieldId));
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      results[mode][String(length)] = { p50: quantile(times, 0.5), p99: quantile(times, 0.99), samples };
    }
  }

  const table = [];
  for (const mode of ['warm', 'cold'] as const) {
    const base = results[mode]['10'];
    for (const length of LENGTHS) {
      const r = results[mode][String(length)];
      table.push({
        cache: mode,
        events: length,
        p50Ms: +r.p50.toFixed(2),
        p99Ms: +r.p99.toFixed(2),
        p50Ratio: +(r.p50 / base.p50).toFixed(2),
        p99Ratio: +(r.p99 / base.p99).toFixed(2),
        samples: r.samples,
      });
    }
  }
  console.table(table);
  const out = path.resolve('bench-results/streams.json');
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(
    out,
    JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        loadAverage: os.loadavg(),
        command: 'AddMonitoringPoint over HTTP (in-process inject), one round stream per sample',
        seconds: Math.round((Date.now() - started) / 1000),
        results: table,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${out} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
} finally {
  await closeApp(app);
  await server.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
}
process.exit(0);
