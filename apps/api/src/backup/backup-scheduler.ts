import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { APP_CONFIG, DATABASE } from '../infrastructure/tokens.js';
import { createBackup, evidenceDirOf, findPgTool } from './backup.js';

export const BACKUP_PREFIX = 'xuncha-backup-';

/** Names of backups in the folder beyond the newest `keep` (names sort by their UTC timestamp). */
export function backupsToPrune(names: readonly string[], keep: number): string[] {
  const ours = names.filter((n) => n.startsWith(BACKUP_PREFIX) && n.endsWith('.tar')).sort();
  return ours.slice(0, Math.max(0, ours.length - keep));
}

/**
 * BACKUP_DIR + BACKUP_INTERVAL_HOURS (+ BACKUP_KEEP): a pg_dump backup from inside the running app, the newest
 * N kept. The embedded server cannot be copied while it runs, so embedded mode needs a pg_dump of its version.
 */
@Injectable()
export class BackupScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Backups');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const schedule = this.config.backup;
    if (!schedule) return;
    try {
      await findPgTool('pg_dump', await this.serverMajor());
    } catch (error) {
      this.logger.error(`Scheduled backups are off: ${(error as Error).message}`);
      return;
    }
    await fs.mkdir(schedule.dir, { recursive: true });
    this.logger.log(
      `Backups every ${schedule.intervalHours} h into ${schedule.dir}, keeping the newest ${schedule.keep}`,
    );
    this.timer = setInterval(() => void this.backupNow(), schedule.intervalHours * 3600 * 1000);
    this.timer.unref();
  }

  private async serverMajor(): Promise<number> {
    const client = new pg.Client({ connectionString: this.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      return Math.floor(Number(rows[0].v) / 10000);
    } finally {
      await client.end();
    }
  }

  /** One backup, then pruning; runs never overlap. Answers the file written. */
  backupNow(): Promise<string | undefined> {
    const schedule = this.config.backup;
    if (!schedule) return Promise.resolve(undefined);
    const next = this.running.then(async () => {
      const out = path.join(schedule.dir, `${BACKUP_PREFIX}${new Date().toISOString().replace(/[:.]/g, '-')}.tar`);
      try {
        const m = await createBackup(
          { kind: 'dump', url: this.database.url },
          { out, dataDir: this.config.dataDir, evidenceDir: evidenceDirOf(this.config.dataDir) },
        );
        this.logger.log(
          `Backup written: ${path.basename(out)} (${m.counts.events} events, ${m.counts.evidenceFiles} evidence files)`,
        );
        for (const old of backupsToPrune(await fs.readdir(schedule.dir), schedule.keep)) {
          await fs.rm(path.join(schedule.dir, old), { force: true });
        }
        return out;
      } catch (error) {
        this.logger.error(`Backup failed: ${(error as Error).message}`);
        return undefined;
      }
    });
    this.running = next;
    return next;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
