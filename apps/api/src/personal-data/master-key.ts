import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { KEY_BYTES, parseMasterKey } from './crypto.js';

export const MASTER_KEY_VARIABLE = 'PERSONAL_DATA_KEY';
export const MASTER_KEY_FILE = 'personal-data.key';

/** Injection token of the loaded {@link MasterKey}. */
export const PERSONAL_DATA_MASTER_KEY = Symbol('PERSONAL_DATA_MASTER_KEY');

export interface MasterKey {
  readonly key: Buffer;
  /** Where it came from, for messages: the variable's name or the file's path. */
  readonly source: string;
}

export interface MasterKeyOptions {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  databaseMode: 'embedded' | 'external';
  logger: { log(message: string): void; warn(message: string): void };
}

const isErrno = (error: unknown, code: string): boolean => (error as NodeJS.ErrnoException)?.code === code;

/**
 * `PERSONAL_DATA_KEY` when set (validated: the process does not start with a malformed one);
 * otherwise `<dataDir>/personal-data.key`, created once with mode 0600. With an external database the
 * file fallback still works but is warned about: the key then lives apart from the data it opens, and
 * whoever moves or restores the database must carry the file along or lose every name.
 */
export async function loadMasterKey(options: MasterKeyOptions): Promise<MasterKey> {
  const fromEnv = options.env[MASTER_KEY_VARIABLE];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const key = parseMasterKey(fromEnv, MASTER_KEY_VARIABLE);
    options.logger.log(`Personal data is encrypted under the master key from ${MASTER_KEY_VARIABLE}`);
    return { key, source: MASTER_KEY_VARIABLE };
  }

  const file = path.join(options.dataDir, MASTER_KEY_FILE);
  const { key, created } = await readOrCreateKeyFile(file);
  if (options.databaseMode === 'external') {
    options.logger.warn(
      `${MASTER_KEY_VARIABLE} is not set: personal data in the external database is encrypted under the master key in ${file}. ` +
        `Back that file up with the database (without it every protected name is lost), or set ${MASTER_KEY_VARIABLE} to its contents.`,
    );
  } else {
    options.logger.log(`Personal data is encrypted under the master key in ${file}${created ? ' (created now)' : ''}`);
  }
  return { key, source: file };
}

async function readOrCreateKeyFile(file: string): Promise<{ key: Buffer; created: boolean }> {
  let created = false;
  for (;;) {
    try {
      const text = await fs.readFile(file, 'utf8');
      const { mode } = await fs.stat(file);
      if ((mode & 0o077) !== 0) await fs.chmod(file, 0o600);
      return { key: parseMasterKey(text, `The master key file ${file}`), created };
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
    await fs.mkdir(path.dirname(file), { recursive: true });
    try {
      await fs.writeFile(file, randomBytes(KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (error) {
      // Another process created it first: read theirs.
      if (!isErrno(error, 'EEXIST')) throw error;
    }
  }
}
