import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { DataDirInUseError, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/embedded-postgres.js';
import { killServersAndRemove, makeTempRoot, postgresProcessesFor, waitUntil } from './helpers.js';

/**
 * The app killed without a chance to stop its server (SIGKILL, the OOM killer), and power loss (both killed): the
 * next start on the same DATA_DIR must work by itself, with the data, while a folder whose app is alive is refused.
 * The "app" is the real libs/database code in a process of its own (fixtures/hold-db.mjs).
 */
const TIMEOUT = 120_000;
const fixture = path.resolve('libs/database/test/fixtures/hold-db.mjs');

let root: string;
const handles: EmbeddedPostgresHandle[] = [];
const children: ChildProcess[] = [];

interface App {
  child: ChildProcess;
  port: number;
  output: () => string;
}

async function startApp(dataDir: string): Promise<App> {
  const child = spawn(process.execPath, [fixture, dataDir, '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await waitUntil(async () => /READY \d+/.test(out) || child.exitCode !== null, 60_000, 'the fixture to print READY');
  if (child.exitCode !== null) throw new Error(`fixture exited ${child.exitCode}:\n${out}`);
  return { child, port: Number(/READY (\d+)/.exec(out)![1]), output: () => out };
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function superuserUrl(dataDir: string, port: number): Promise<string> {
  const password = (await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/xuncha`;
}

/** Alive and not a zombie (an orphaned server, once stopped, may wait to be reaped by whoever adopted it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat[stat.lastIndexOf(')') + 2] !== 'Z';
}

beforeAll(async () => {
  root = await makeTempRoot('xuncha-crash-');
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.allSettled(handles.map((h) => h.stop()));
  await killServersAndRemove(root);
}, TIMEOUT);

test(
  'after SIGKILL of the app, the next start stops the orphaned server and starts with the data',
  async () => {
    const dataDir = path.join(root, 'app-killed');
    const app = await startApp(dataDir);
    await query(await superuserUrl(dataDir, app.port), 'create table notes (id int primary key, body text)');
    await query(await superuserUrl(dataDir, app.port), "insert into notes values (1, '写入后被杀')");
    const [orphan] = await postgresProcessesFor(dataDir);
    expect(orphan).toBeDefined();

    await kill9(app.child);
    // The server outlives its app: that is the situation to recover from.
    expect((await postgresProcessesFor(dataDir)).map((p) => p.pid)).toEqual([orphan.pid]);

    const warnings: string[] = [];
    const again = await startEmbeddedPostgres({ dataDir, warn: (m) => warnings.push(m) });
    handles.push(again);
    expect(alive(orphan.pid)).toBe(false);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Removing stale'),
        expect.stringContaining(`Stopping the embedded PostgreSQL (pid ${orphan.pid})`),
      ]),
    );
    expect(await query(again.url, 'select body from notes where id = 1')).toEqual([{ body: '写入后被杀' }]);
    await again.stop();
    expect(await postgresProcessesFor(dataDir)).toEqual([]);
    await expect(fs.access(path.join(dataDir, 'app.lock'))).rejects.toThrow();
  },
  TIMEOUT,
);

test(
  'after power loss (app and server both killed), the next start works with the data',
  async () => {
    const dataDir = path.join(root, 'both-killed');
    const app = await startApp(dataDir);
    await query(await superuserUrl(dataDir, app.port), 'create table notes (id int primary key, body text)');
    await query(await superuserUrl(dataDir, app.port), "insert into notes values (1, '断电前')");
    const [server] = await postgresProcessesFor(dataDir);
    process.kill(server.pid, 'SIGKILL');
    await kill9(app.child);
    await waitUntil(async () => !alive(server.pid), 10_000, 'the killed server to be gone');

    const again = await startEmbeddedPostgres({ dataDir, warn: () => undefined });
    handles.push(again);
    expect(await query(again.url, 'select body from notes where id = 1')).toEqual([{ body: '断电前' }]);
    await again.stop();
    expect(await postgresProcessesFor(dataDir)).toEqual([]);
  },
  TIMEOUT,
);

test(
  'a folder whose app is alive is refused with the message naming the pid, and left running',
  async () => {
    const dataDir = path.join(root, 'in-use');
    const app = await startApp(dataDir);
    const [server] = await postgresProcessesFor(dataDir);

    const err: unknown = await startEmbeddedPostgres({ dataDir, warn: () => undefined }).then(
      (h) => {
        handles.push(h);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataDirInUseError);
    expect((err as Error).message).toContain(`${path.join(dataDir, 'pg')} is in use by pid ${server.pid}`);
    // Neither the other app's server nor its lock was touched.
    expect(alive(server.pid)).toBe(true);
    expect(await query(await superuserUrl(dataDir, app.port), 'select 1 as ok')).toEqual([{ ok: 1 }]);
    expect(JSON.parse(await fs.readFile(path.join(dataDir, 'app.lock'), 'utf8'))).toMatchObject({ pid: app.child.pid });

    const exited = new Promise((r) => app.child.once('exit', r));
    app.child.kill('SIGTERM');
    await exited;
    expect(await postgresProcessesFor(dataDir)).toEqual([]);
  },
  TIMEOUT,
);

test(
  'stale postmaster.pid and app.lock naming unrelated live processes: they are not killed, the start proceeds',
  async () => {
    const dataDir = path.join(root, 'reused-pids');
    const first = await startEmbeddedPostgres({ dataDir, warn: () => undefined });
    await query(first.url, 'create table notes (id int primary key, body text)');
    await query(first.url, "insert into notes values (1, 'pid 复用')");
    await first.stop();

    // What a crash and a reboot may leave: both files naming pids that now belong to other programs.
    const unrelated = spawn('sleep', ['120'], { stdio: 'ignore' });
    const other = spawn('sleep', ['120'], { stdio: 'ignore' });
    children.push(unrelated, other);
    const pgDataDir = path.join(dataDir, 'pg');
    const { uid, gid } = await fs.stat(pgDataDir);
    const pidFile = path.join(pgDataDir, 'postmaster.pid');
    await fs.writeFile(pidFile, `${unrelated.pid}\n${pgDataDir}\n0\n5432\n\n127.0.0.1\n0 0\nready\n`, { mode: 0o600 });
    await fs.chown(pidFile, uid, gid);
    await fs.writeFile(path.join(dataDir, 'app.lock'), JSON.stringify({ pid: other.pid, start: '1' }) + '\n');

    const again = await startEmbeddedPostgres({ dataDir, warn: () => undefined });
    handles.push(again);
    expect(await query(again.url, 'select body from notes where id = 1')).toEqual([{ body: 'pid 复用' }]);
    expect(alive(unrelated.pid!)).toBe(true);
    expect(alive(other.pid!)).toBe(true);
    expect(JSON.parse(await fs.readFile(path.join(dataDir, 'app.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await again.stop();
    unrelated.kill('SIGKILL');
    other.kill('SIGKILL');
  },
  TIMEOUT,
);
