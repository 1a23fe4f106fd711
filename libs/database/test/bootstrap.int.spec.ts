import net from 'node:net';
import path from 'node:path';
import { openDatabase, createPool, type DatabaseHandle } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { killServersAndRemove, makeTempRoot, postgresProcessesFor } from './helpers.js';

const TIMEOUT = 60_000;
let root: string;
const handles: DatabaseHandle[] = [];

function logger() {
  const info: string[] = [];
  const debug: string[] = [];
  const warn: string[] = [];
  return {
    info,
    debug,
    warn,
    log: { log: (m: string) => info.push(m), debug: (m: string) => debug.push(m), warn: (m: string) => warn.push(m) },
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === 'object' && address ? address.port : 1;
}

beforeAll(async () => {
  root = await makeTempRoot('xuncha-boot-');
});

afterAll(async () => {
  await Promise.allSettled(handles.map((h) => h.stop()));
  await killServersAndRemove(root);
}, TIMEOUT);

test(
  'without DATABASE_URL: starts the embedded server; with it: uses that server',
  async () => {
    const dataDir = path.join(root, 'data');
    const embeddedLog = logger();
    const embedded = await openDatabase(loadConfig({ DATA_DIR: dataDir }), embeddedLog.log);
    handles.push(embedded);
    expect(embedded.mode).toBe('embedded');
    const port = new URL(embedded.url).port;
    expect(embeddedLog.info).toEqual([
      `Database: embedded PostgreSQL in ${path.join(dataDir, 'pg')} on 127.0.0.1:${port}`,
    ]);
    expect(embeddedLog.debug.length).toBeGreaterThan(0);
    expect(embeddedLog.warn).toEqual([]);
    // The app's URL is the app role's; the owner's is kept apart, for migrations.
    expect(new URL(embedded.url).username).toBe('xuncha_app');
    expect(new URL(embedded.ownerUrl ?? '').username).toBe('xuncha_owner');

    const externalLog = logger();
    const external = await openDatabase(loadConfig({ DATABASE_URL: embedded.url }), externalLog.log);
    handles.push(external);
    expect(external).toMatchObject({ mode: 'external', url: embedded.url });
    expect(external.ownerUrl).toBeUndefined();
    expect(externalLog.info).toEqual([
      `Database: external PostgreSQL at postgres://xuncha_app@127.0.0.1:${port}/xuncha`,
    ]);
    // Only DATABASE_URL: works as before, with a warning that the log's triggers do not bind that user.
    expect(externalLog.warn).toEqual([expect.stringContaining('DATABASE_OWNER_URL is not set')]);
    await external.stop();

    const ownedLog = logger();
    const owned = await openDatabase(
      loadConfig({ DATABASE_URL: embedded.url, DATABASE_OWNER_URL: embedded.ownerUrl }),
      ownedLog.log,
    );
    expect(owned).toMatchObject({ mode: 'external', url: embedded.url, ownerUrl: embedded.ownerUrl });
    expect(ownedLog.warn).toEqual([]);

    const pool = createPool(external.url, { max: 2 });
    try {
      const { rows } = await pool.query<{ db: string }>('select current_database() as db');
      expect(rows).toEqual([{ db: 'xuncha' }]);
    } finally {
      await pool.end();
    }

    await embedded.stop();
    await embedded.stop();
    expect(await postgresProcessesFor(dataDir)).toEqual([]);
  },
  TIMEOUT,
);

test(
  'an unreachable DATABASE_URL fails with an error naming it, without the password',
  async () => {
    const port = await closedPort();
    const config = loadConfig({ DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${port}/xuncha` });
    const err: unknown = await openDatabase(config, logger().log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain(
      `Cannot connect to the database in DATABASE_URL (postgres://app@127.0.0.1:${port}/xuncha)`,
    );
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toContain('hunter2');
  },
  TIMEOUT,
);

test(
  'idle pool clients losing their server do not crash the process',
  async () => {
    const embedded = await openDatabase(loadConfig({ DATA_DIR: path.join(root, 'idle') }), logger().log);
    handles.push(embedded);
    const idleErrors: Error[] = [];
    const pool = createPool(embedded.url, { onIdleError: (e) => idleErrors.push(e) });
    await pool.query('select 1');
    await embedded.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(idleErrors.length).toBeGreaterThan(0);
    await pool.end();
  },
  TIMEOUT,
);
