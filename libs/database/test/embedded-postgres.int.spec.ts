import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { DataDirInUseError, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/embedded-postgres.js';
import { killServersAndRemove, makeTempRoot, postgresProcessesFor } from './helpers.js';

// initdb plus a few server starts per test.
const TIMEOUT = 60_000;

let root: string;
const handles: EmbeddedPostgresHandle[] = [];
const debugLines: string[] = [];

async function start(dataDir: string): Promise<EmbeddedPostgresHandle> {
  const handle = await startEmbeddedPostgres({ dataDir, log: (m) => debugLines.push(m) });
  handles.push(handle);
  return handle;
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

beforeAll(async () => {
  root = await makeTempRoot('xuncha-db-');
});

afterAll(async () => {
  await Promise.allSettled(handles.map((h) => h.stop()));
  await killServersAndRemove(root);
}, TIMEOUT);

test(
  'data survives a stop and a restart; nothing is left running',
  async () => {
    const dataDir = path.join(root, 'persist');
    const first = await start(dataDir);
    expect(first.pgDataDir).toBe(path.join(dataDir, 'pg'));
    expect(first.url).toMatch(new RegExp(`^postgres://postgres:[^@]+@127\\.0\\.0\\.1:${first.port}/xuncha$`));
    expect(await postgresProcessesFor(dataDir)).toHaveLength(1);

    await query(first.url, 'create table notes (id int primary key, body text)');
    await query(first.url, 'insert into notes values (1, $1)', ['巡察 first note']);
    await first.stop();
    await first.stop();
    expect(await postgresProcessesFor(dataDir)).toEqual([]);

    const second = await start(dataDir);
    expect(await query(second.url, 'select body from notes where id = 1')).toEqual([{ body: '巡察 first note' }]);
    expect(
      await query(
        second.url,
        "select current_setting('server_encoding') as enc, current_setting('listen_addresses') as la",
      ),
    ).toEqual([{ enc: 'UTF8', la: '127.0.0.1' }]);
    await Promise.all([second.stop(), second.stop()]);
    expect(await postgresProcessesFor(dataDir)).toEqual([]);

    const pwFile = await fs.stat(path.join(dataDir, 'pg-password'));
    expect(pwFile.mode & 0o777).toBe(0o600);
    // initdb chatter goes to the debug callback, not the console.
    expect(debugLines.some((l) => l.includes('ready to accept connections'))).toBe(true);
  },
  TIMEOUT,
);

test(
  'refuses a data folder held by a running server and names its pid',
  async () => {
    const dataDir = path.join(root, 'busy');
    const running = await start(dataDir);
    const [server] = await postgresProcessesFor(dataDir);

    const err: unknown = await startEmbeddedPostgres({ dataDir }).then(
      (h) => {
        handles.push(h);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataDirInUseError);
    expect((err as Error).message).toContain(`${path.join(dataDir, 'pg')} is in use by pid ${server?.pid}`);

    expect(await query(running.url, 'select 1 as ok')).toEqual([{ ok: 1 }]);
    await running.stop();
  },
  TIMEOUT,
);

test(
  'starts over a stale postmaster.pid left by a crash',
  async () => {
    const dataDir = path.join(root, 'stale');
    const handle = await start(dataDir);
    await handle.stop();

    // The pid of a process that has certainly exited.
    const gone = spawnSync('true').pid;
    const pgDataDir = path.join(dataDir, 'pg');
    const { uid, gid } = await fs.stat(pgDataDir);
    const pidFile = path.join(pgDataDir, 'postmaster.pid');
    await fs.writeFile(pidFile, `${gone}\n${pgDataDir}\n0\n0\n\n127.0.0.1\n0 0\nready\n`, { mode: 0o600 });
    await fs.chown(pidFile, uid, gid);

    const again = await start(dataDir);
    expect(await query(again.url, 'select 1 as ok')).toEqual([{ ok: 1 }]);
    await again.stop();
    expect(await postgresProcessesFor(dataDir)).toEqual([]);
  },
  TIMEOUT,
);

test(
  'removes a postmaster.pid whose pid now belongs to an unrelated process',
  async () => {
    const dataDir = path.join(root, 'reused');
    const handle = await start(dataDir);
    await handle.stop();

    const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pgDataDir = path.join(dataDir, 'pg');
      const pidFile = path.join(pgDataDir, 'postmaster.pid');
      await fs.writeFile(pidFile, `${unrelated.pid}\n${pgDataDir}\n`, { mode: 0o600 });
      const again = await start(dataDir);
      expect(debugLines).toContain(`Removing stale ${pidFile}: pid ${unrelated.pid} is now an unrelated process`);
      expect(await query(again.url, 'select 1 as ok')).toEqual([{ ok: 1 }]);
      await again.stop();
    } finally {
      unrelated.kill('SIGKILL');
    }
  },
  TIMEOUT,
);

const asRoot = process.getuid?.() === 0;
(asRoot ? test : test.skip)(
  'as root, explains which parent folder the postgres user cannot enter',
  async () => {
    const locked = path.join(root, 'locked');
    await fs.mkdir(locked, { mode: 0o700 });
    await fs.chmod(locked, 0o700);
    await expect(startEmbeddedPostgres({ dataDir: path.join(locked, 'data') })).rejects.toThrow(
      `"postgres" system user, which cannot enter ${locked}.`,
    );
  },
  TIMEOUT,
);
