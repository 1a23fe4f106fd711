import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BACKUP_NEEDS_POSTGRES_LOG,
  ConfigError,
  RESTORE_MARKER_FILE,
  loadConfig,
  redactDatabaseUrl,
  startEmbeddedPostgres,
  type AppConfig,
} from '@app/database';
import {
  BackupRefused,
  dropRestoreMarker,
  evidenceDirOf,
  restoreDump,
  unpackVerified,
  verifyRestored,
  type Manifest,
} from '../backup/backup.js';
import { phaseProgress } from './backup-progress.js';
import { exitWith } from './cli-context.js';

/**
 * `npm run restore <file>`: checks every part against the manifest, restores into an empty data folder (embedded)
 * or an empty database (DATABASE_URL), then verifies every chain, seal and evidence file. Until that verification
 * has passed the target carries a marker and the app refuses to start on it.
 */
let config: AppConfig;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
if (config.eventStore === 'esdb') {
  console.error(`Refused: ${BACKUP_NEEDS_POSTGRES_LOG.replace('BACKUP_DIR needs', 'a restore needs')}`);
  exitWith(2);
}
const file = process.argv[2];
if (!file) {
  console.error('Usage: npm run restore <backup file>');
  exitWith(2);
}
const archive = path.resolve(file);
const evidenceDir = evidenceDirOf(config.dataDir);
const progress = phaseProgress();
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-restore-'));

async function isEmptyDir(dir: string): Promise<boolean> {
  const names = await fs
    .readdir(dir)
    .catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  return names.length === 0;
}

/** Moves parts/<prefix>/… into dest (created), refusing to overwrite. */
async function place(prefix: string, dest: string, manifest: Manifest): Promise<void> {
  for (const part of manifest.parts.filter((p) => p.name.startsWith(`${prefix}/`))) {
    const target = path.join(dest, part.name.slice(prefix.length + 1));
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await fs.rename(path.join(work, 'parts', part.name), target).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      await fs.copyFile(path.join(work, 'parts', part.name), target, fs.constants.COPYFILE_EXCL);
    });
  }
}

async function placeKeys(manifest: Manifest): Promise<void> {
  await fs.mkdir(config.dataDir, { recursive: true });
  for (const key of manifest.keys) {
    const target = path.join(config.dataDir, key);
    if (existsSync(target)) throw new BackupRefused(`${target} already exists; restore into an empty DATA_DIR`);
    await fs.copyFile(path.join(work, 'parts', 'keys', key), target, fs.constants.COPYFILE_EXCL);
    await fs.chmod(target, 0o600);
  }
}

let code = 0;
try {
  if (!(await isEmptyDir(evidenceDir))) throw new BackupRefused(`the evidence folder ${evidenceDir} is not empty`);
  const embedded = config.databaseUrl === undefined;
  if (embedded && !(await isEmptyDir(config.dataDir))) {
    throw new BackupRefused(`the data folder ${config.dataDir} is not empty; restore into a new DATA_DIR`);
  }
  const manifest = await unpackVerified(archive, work, (phase, done, total) => progress.update(phase, done, total));
  progress.done();
  let verification;
  if (embedded) {
    if (manifest.database.kind !== 'pg-data-folder') {
      throw new BackupRefused('this backup holds a pg_dump; restore it with DATABASE_URL set to an empty database');
    }
    await fs.mkdir(config.dataDir, { recursive: true });
    const marker = path.join(config.dataDir, RESTORE_MARKER_FILE);
    await fs.writeFile(marker, `restore of ${archive} started ${new Date().toISOString()}\n`);
    await placeKeys(manifest);
    const pgDir = path.join(config.dataDir, 'pg');
    await fs.mkdir(pgDir, { mode: 0o700 });
    for (const dir of manifest.database.directories ?? []) {
      if (dir.includes('..') || path.isAbsolute(dir)) throw new BackupRefused(`unsafe folder name ${dir}`);
      await fs.mkdir(path.join(pgDir, dir), { recursive: true, mode: 0o700 });
    }
    await place('pg', pgDir, manifest);
    await fs.chmod(path.join(config.dataDir, 'pg'), 0o700);
    await place('evidence', evidenceDir, manifest);
    const server = await startEmbeddedPostgres({ dataDir: config.dataDir, warn: (m) => console.error(m) });
    try {
      verification = await verifyRestored(server.url, manifest, evidenceDir, (p, d, t) => progress.update(p, d, t));
    } finally {
      progress.done();
      await server.stop();
    }
    if (verification.ok) await fs.rm(marker);
  } else {
    if (manifest.database.kind !== 'pg_dump-custom') {
      throw new BackupRefused(
        'this backup is a copy of an embedded data folder; restore it without DATABASE_URL into an empty DATA_DIR',
      );
    }
    const url = config.databaseUrl!;
    progress.update('Restoring the database', 0, 1);
    await restoreDump(url, path.join(work, 'parts', 'database.dump'), manifest);
    progress.update('Restoring the database', 1, 1);
    progress.done();
    await placeKeys(manifest);
    await place('evidence', evidenceDir, manifest);
    verification = await verifyRestored(url, manifest, evidenceDir, (p, d, t) => progress.update(p, d, t));
    progress.done();
    if (verification.ok) await dropRestoreMarker(url);
    console.log(`Restored into ${redactDatabaseUrl(url)}`);
  }
  if (verification.ok) {
    console.log(
      `完整 verified: ${verification.eventsChecked} events, ${verification.sealsChecked} seals, ` +
        `${manifest.counts.evidenceFiles} evidence files; head position ${manifest.headPosition}` +
        (manifest.latestSeal ? `, latest seal ${manifest.latestSeal.hash}` : ''),
    );
    if (manifest.warning) console.log(`注意: ${manifest.warning}`);
  } else {
    console.error('Restore NOT verified; the app will refuse to start on it:');
    for (const p of verification.problems) console.error(`  ${p}`);
    code = 1;
  }
} catch (error) {
  progress.done();
  console.error(
    error instanceof BackupRefused
      ? `Restore refused: ${error.message}`
      : `Restore failed: ${(error as Error).message}`,
  );
  code = 1;
} finally {
  await fs.rm(work, { recursive: true, force: true });
}
exitWith(code);
