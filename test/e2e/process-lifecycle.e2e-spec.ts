import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PgEventStore } from '@app/event-store';
import { freePort } from '../support/fault.js';

/**
 * The real entry point (`node dist/apps/api/src/main.js`, what `npm start` runs) on the embedded
 * default: it starts its own PostgreSQL in DATA_DIR, and SIGTERM / SIGINT leave no server behind.
 */
const entry = path.resolve('dist/apps/api/src/main.js');
/** The health check details the database only to the scrape secret (or an admin's or official's token). */
const METRICS_TOKEN = 'lifecycle-scrape-secret-0123456789-abcdef';
const monitoring = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } };

function postgresFor(dir: string): string[] {
  const out = execFileSync('ps', ['-ww', '-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(dir) && /postgres/.test(l) && !l.includes('jest'));
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function start(dataDir: string, port: number): Promise<Running> {
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      DATABASE_URL: '',
      EVENT_STORE: '',
      JWT_SECRET: '',
      LOG_LEVEL: 'log',
      DEMO: 'off',
      NODE_OPTIONS: '',
      METRICS_TOKEN,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`app did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output, exited };
}

describe('the app process on its embedded PostgreSQL', () => {
  let root: string;
  beforeAll(async () => {
    await fs.access(entry).catch(() => {
      throw new Error(`${entry} is missing: run \`npm run build\` (npm test does)`);
    });
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-proc-'));
    await fs.chmod(root, 0o755);
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'starts with no DATABASE_URL, says so, and stops its server on %s',
    async (signal) => {
      const dataDir = path.join(root, signal);
      const port = await freePort();
      const app = await start(dataDir, port);
      try {
        expect(app.output()).toMatch(
          new RegExp(`Database: embedded PostgreSQL in ${dataDir}/pg on 127\\.0\\.0\\.1:\\d+`),
        );
        const health = await fetch(`http://127.0.0.1:${port}/api/health`, monitoring).then((r) => r.json());
        expect(health).toMatchObject({ status: 'ok', mode: 'embedded', store: { headPosition: 0 } });
        expect(postgresFor(dataDir).length).toBeGreaterThan(0);
      } finally {
        app.child.kill(signal);
        await app.exited;
      }
      expect(app.child.exitCode).toBe(0);
      expect(postgresFor(dataDir)).toEqual([]);
    },
    90_000,
  );

  it('keeps its data folder across restarts and runs migrations idempotently', async () => {
    const dataDir = path.join(root, 'restart');
    const first = await start(dataDir, await freePort());
    // Write one event into the running app's database through its own port and password.
    const dbPort = /on 127\.0\.0\.1:(\d+)/.exec(first.output())![1];
    const password = (await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
    const store = await PgEventStore.open({
      connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${dbPort}/xuncha`,
    });
    const departmentId = randomUUID();
    await store.appendToStream(`department-${departmentId}`, [
      {
        type: 'DepartmentRegistered',
        data: { departmentId, name: '区民政局', kind: 'bureau', occurredAt: new Date().toISOString() },
        metadata: { actor: { id: 't', username: 't', role: 'admin' } },
      },
    ]);
    await store.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const version = await fs.readFile(path.join(dataDir, 'pg', 'PG_VERSION'), 'utf8');
    const port = await freePort();
    const second = await start(dataDir, port);
    try {
      expect(await fs.readFile(path.join(dataDir, 'pg', 'PG_VERSION'), 'utf8')).toBe(version);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`, monitoring).then((r) => r.json());
      expect(health).toMatchObject({ status: 'ok', mode: 'embedded', store: { headPosition: 1 } });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    expect(second.child.exitCode).toBe(0);
    expect(postgresFor(dataDir)).toEqual([]);
  }, 120_000);

  it('after SIGKILL, starts again on the same folder by itself: the orphaned server is stopped, the data kept', async () => {
    const dataDir = path.join(root, 'killed');
    const first = await start(dataDir, await freePort());
    const dbPort = /on 127\.0\.0\.1:(\d+)/.exec(first.output())![1];
    const password = (await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
    const store = await PgEventStore.open({
      connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${dbPort}/xuncha`,
    });
    const departmentId = randomUUID();
    await store.appendToStream(`department-${departmentId}`, [
      {
        type: 'DepartmentRegistered',
        data: { departmentId, name: '区民政局', kind: 'bureau', occurredAt: new Date().toISOString() },
        metadata: { actor: { id: 't', username: 't', role: 'admin' } },
      },
    ]);
    await store.close();
    const orphans = postgresFor(dataDir);
    first.child.kill('SIGKILL');
    await first.exited;
    // The server outlived the app.
    expect(postgresFor(dataDir)).toEqual(orphans);

    const port = await freePort();
    const second = await start(dataDir, port);
    try {
      expect(second.output()).toContain('left running by an app that is no longer running');
      const health = await fetch(`http://127.0.0.1:${port}/api/health`, monitoring).then((r) => r.json());
      expect(health).toMatchObject({ status: 'ok', mode: 'embedded', store: { headPosition: 1 } });
    } finally {
      second.child.kill('SIGTERM');
      // Wait for the exit even when an expectation failed, so afterAll never removes a folder in use.
      await second.exited;
    }
    expect(second.child.exitCode).toBe(0);
    expect(postgresFor(dataDir)).toEqual([]);
  }, 120_000);
});
