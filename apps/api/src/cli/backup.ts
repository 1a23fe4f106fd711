import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BACKUP_NEEDS_POSTGRES_LOG, ConfigError, loadConfig, openDatabase, type AppConfig } from '@app/database';
import { BackupRefused, createBackup, evidenceDirOf, findPgTool, type DatabaseSource } from '../backup/backup.js';
import { phaseProgress } from './backup-progress.js';
import { exitWith } from './cli-context.js';

/**
 * `npm run backup [-- <file>]`: one tar with the database, the evidence files, the key files of DATA_DIR and a
 * manifest. On the embedded default stop the app first.
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
  console.error(`Refused: ${BACKUP_NEEDS_POSTGRES_LOG.replace('BACKUP_DIR needs', 'a backup needs')}`);
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = path.resolve(process.argv[2] ?? `xuncha-backup-${stamp}.tar`);
const quiet = { log: (m: string) => console.error(m), debug: () => undefined, warn: (m: string) => console.error(m) };
const progress = phaseProgress();
let code = 0;
try {
  const database = await openDatabase(config, quiet).catch((error: Error) => {
    throw new BackupRefused(`${error.message}\nIs the app running on this data folder? Stop it first.`);
  });
  let source: DatabaseSource = { kind: 'dump', url: database.url };
  if (database.mode === 'embedded') {
    const pgDataDir = path.join(config.dataDir, 'pg');
    const major = Number(readFileSync(path.join(pgDataDir, 'PG_VERSION'), 'utf8').trim());
    const dump = await findPgTool('pg_dump', major).catch(() => undefined);
    // Without a pg_dump of the embedded server's version, the stopped server's folder is copied instead.
    if (!dump) source = { kind: 'cold', pgDataDir, url: database.url, stop: () => database.stop() };
  }
  try {
    const manifest = await createBackup(source, {
      out,
      dataDir: config.dataDir,
      evidenceDir: evidenceDirOf(config.dataDir),
      progress: (phase, done, total) => progress.update(phase, done, total),
    });
    progress.done();
    console.log(
      `Backup written to ${out}: ${manifest.counts.events} events in ${manifest.counts.streams} streams, ` +
        `${manifest.counts.seals} seals, ${manifest.counts.evidenceFiles} evidence files` +
        (manifest.latestSeal ? `; latest seal ${manifest.latestSeal.hash}` : '; no seal yet'),
    );
    if (manifest.warning) console.log(`注意: ${manifest.warning}`);
    for (const name of manifest.evidenceNameMismatches) {
      console.error(`Warning: ${name} is not named by the SHA-256 of its content (backed up as it is)`);
    }
  } finally {
    await database.stop();
  }
} catch (error) {
  progress.done();
  console.error(
    error instanceof BackupRefused ? `Backup refused: ${error.message}` : `Backup failed: ${(error as Error).message}`,
  );
  code = 1;
  if (existsSync(`${out}.partial`)) console.error(`(left ${out}.partial)`);
}
exitWith(code);
