import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

/**
 * A restored data folder or database is marked until `npm run restore` has verified every chain, seal and evidence
 * file; the app and the CLIs refuse to open it before then.
 */
export const RESTORE_MARKER_FILE = 'RESTORE-PENDING';
export const RESTORE_MARKER_TABLE = 'xuncha_restore_pending';

export class RestorePendingError extends Error {
  constructor(where: string) {
    super(
      `${where} was restored from a backup that has not been verified yet (the restore was interrupted or its ` +
        `verification failed). Run \`npm run restore <file>\` again into an empty target; the app will not serve from it.`,
    );
    this.name = 'RestorePendingError';
  }
}

export async function assertNoRestoreMarkerFile(dataDir: string): Promise<void> {
  const marker = path.join(dataDir, RESTORE_MARKER_FILE);
  const present = await fs.access(marker).then(
    () => true,
    () => false,
  );
  if (present) throw new RestorePendingError(`The data folder ${dataDir}`);
}

export async function assertNoRestoreMarkerTable(client: pg.Client | pg.Pool, what: string): Promise<void> {
  const { rows } = await client.query<{ found: string | null }>(
    `SELECT to_regclass('public.${RESTORE_MARKER_TABLE}') AS found`,
  );
  if (rows[0]?.found) throw new RestorePendingError(what);
}
