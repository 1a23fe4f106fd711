import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { envNumber, freePort, machineFacts, machineNow, median, writeResults } from '@app/bench';
import { startEmbeddedPostgres } from '@app/database';

/**
 * `npm run bench:startup`: time from process start to a healthy API, cold (empty data folder:
 * initdb, migrations, demo tour) and warm (same folder again), against the baseline of the
 * embedded PostgreSQL alone (initdb + start, then start) measured in the same run.
 */
const entry = path.resolve('dist/apps/api/src/main.js');
const RUNS = Math.floor(envNumber('BENCH_RUNS', 3));
const loadAtStart = os.loadavg();

async function startApp(dataDir: string): Promise<{ ms: number; demo: boolean }> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      DATABASE_URL: '',
      JWT_SECRET: '',
      DEMO: 'on',
      LOG_LEVEL: 'log',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`app exited:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, demo: output.includes('demo-2024') };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function startPostgresOnly(dataDir: string): Promise<number> {
  const started = process.hrtime.bigint();
  const pg = await startEmbeddedPostgres({ dataDir });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await pg.stop();
  return ms;
}

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-startup-'));
await fs.chmod(root, 0o755);
const results = {
  appCold: [] as number[],
  appWarm: [] as number[],
  pgCold: [] as number[],
  pgWarm: [] as number[],
  demoLoaded: true,
};
try {
  for (let i = 0; i < RUNS; i++) {
    const pgDir = path.join(root, `pg-${i}`);
    results.pgCold.push(await startPostgresOnly(pgDir));
    results.pgWarm.push(await startPostgresOnly(pgDir));
    const appDir = path.join(root, `app-${i}`);
    const cold = await startApp(appDir);
    results.demoLoaded &&= cold.demo;
    results.appCold.push(cold.ms);
    results.appWarm.push((await startApp(appDir)).ms);
  }
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
const row = (name: string, app: number[], pg: number[]) =>
  `| ${name} | ${(median(app) / 1000).toFixed(2)} s | ${(median(pg) / 1000).toFixed(2)} s | ${(median(app) / median(pg)).toFixed(2)}× |`;
console.log(`\nStart-up, median of ${RUNS} runs (machine: ${machineNow()})\n`);
console.log('| start | app to healthy | embedded PostgreSQL alone | ratio |');
console.log('|---|---:|---:|---:|');
console.log(row('cold (empty data folder, demo tour loaded)', results.appCold, results.pgCold));
console.log(row('warm (same folder again)', results.appWarm, results.pgWarm));
console.log(
  `\nTarget cold ≤ 20 s: ${median(results.appCold) <= 20_000 ? 'PASS' : 'MISS'}; demo loaded at cold start: ${results.demoLoaded}`,
);
writeResults('startup', { runs: RUNS, ...results, machine: machineFacts(loadAtStart) });
process.exit(0);
