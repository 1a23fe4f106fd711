import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** This installation's Ed25519 key (a laptop signs its bundles with it, an office its receipts). */
export const HANDOVER_KEY_FILE = 'handover-key.pem';

/** Reads DATA_DIR/handover-key.pem, generating it (mode 0600) the first time; two starts at once agree on one. */
export async function loadOrCreateHandoverKey(dataDir: string): Promise<KeyObject> {
  const file = path.join(dataDir, HANDOVER_KEY_FILE);
  try {
    return createPrivateKey(await fs.readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is not a readable Ed25519 private key: ${(error as Error).message}`, { cause: error });
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  await fs.mkdir(dataDir, { recursive: true });
  try {
    await fs.writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return createPrivateKey(await fs.readFile(file, 'utf8'));
  }
}
