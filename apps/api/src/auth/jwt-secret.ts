import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const JWT_SECRET_FILE = 'jwt-secret';
const MIN_SECRET_LENGTH = 32;

export class JwtSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwtSecretError';
  }
}

export interface JwtSecretSource {
  /** JWT_SECRET, when set. */
  jwtSecret?: string;
  /** DATA_DIR: where the embedded database lives, and the generated secret with it. */
  dataDir: string;
  mode: 'embedded' | 'external';
}

export interface ResolvedJwtSecret {
  secret: string;
  source: 'config' | 'generated' | 'file';
  file?: string;
}

/**
 * The key tokens are signed with:
 * - JWT_SECRET when set;
 * - else, with the embedded database, 48 random bytes generated once into `<dataDir>/jwt-secret`
 *   (mode 0600) and read back on every later start, so tokens survive a restart;
 * - else (an external database, i.e. possibly several instances) there is no safe default: refuse.
 */
export async function resolveJwtSecret(source: JwtSecretSource): Promise<ResolvedJwtSecret> {
  if (source.jwtSecret) return { secret: source.jwtSecret, source: 'config' };
  if (source.mode !== 'embedded') {
    throw new JwtSecretError('JWT_SECRET is required when DATABASE_URL points to an external database');
  }
  const file = path.join(source.dataDir, JWT_SECRET_FILE);
  const existing = await readSecretFile(file);
  if (existing !== undefined) return { secret: existing, source: 'file', file };

  await fs.mkdir(source.dataDir, { recursive: true, mode: 0o700 });
  // Written whole to a private temporary file, then linked into place: a crash never leaves a
  // half-written secret, and of two instances starting at once exactly one wins (link fails on EEXIST).
  const secret = randomBytes(48).toString('base64url');
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temporary, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(temporary, file);
    return { secret, source: 'generated', file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readSecretFile(file);
    if (winner === undefined) throw new JwtSecretError(`${file} vanished while it was being created; start again`);
    return { secret: winner, source: 'file', file };
  } finally {
    await fs.unlink(temporary).catch(() => undefined);
  }
}

async function readSecretFile(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new JwtSecretError(`cannot read the JWT secret in ${file}: ${(error as Error).message}`);
  }
  const secret = text.trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new JwtSecretError(
      `${file} holds no usable JWT secret (fewer than ${MIN_SECRET_LENGTH} characters); delete it to have a new one generated, or set JWT_SECRET`,
    );
  }
  return secret;
}
