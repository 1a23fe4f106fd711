import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JWT_SECRET_FILE, JwtSecretError, resolveJwtSecret } from './jwt-secret.js';

describe('resolveJwtSecret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-jwt-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('uses JWT_SECRET when set, in either mode, and writes no file', async () => {
    for (const mode of ['embedded', 'external'] as const) {
      await expect(resolveJwtSecret({ jwtSecret: 's'.repeat(40), dataDir: dir, mode })).resolves.toEqual({
        secret: 's'.repeat(40),
        source: 'config',
      });
    }
    await expect(fs.readdir(dir)).resolves.toEqual([]);
  });

  it('refuses an external database without JWT_SECRET, naming the variable', async () => {
    const attempt = resolveJwtSecret({ dataDir: dir, mode: 'external' });
    await expect(attempt).rejects.toBeInstanceOf(JwtSecretError);
    await expect(resolveJwtSecret({ dataDir: dir, mode: 'external' })).rejects.toThrow(
      'JWT_SECRET is required when DATABASE_URL points to an external database',
    );
  });

  it('embedded: generates 48 random bytes once into <dataDir>/jwt-secret (0600) and reuses them', async () => {
    const dataDir = path.join(dir, 'data'); // not there yet
    const first = await resolveJwtSecret({ dataDir, mode: 'embedded' });
    expect(first.source).toBe('generated');
    expect(first.file).toBe(path.join(dataDir, JWT_SECRET_FILE));
    expect(Buffer.from(first.secret, 'base64url')).toHaveLength(48);
    const stat = await fs.stat(first.file!);
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fs.readFile(first.file!, 'utf8')).trim()).toBe(first.secret);

    const second = await resolveJwtSecret({ dataDir, mode: 'embedded' });
    expect(second).toEqual({ secret: first.secret, source: 'file', file: first.file });
    expect(await fs.readdir(dataDir)).toEqual([JWT_SECRET_FILE]); // no temporary files left over
  });

  it('embedded: two instances starting at once end up with the same secret', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => resolveJwtSecret({ dataDir: dir, mode: 'embedded' })),
    );
    expect(new Set(results.map((r) => r.secret)).size).toBe(1);
    expect(results.filter((r) => r.source === 'generated').length).toBeLessThanOrEqual(1);
    expect(await fs.readdir(dir)).toEqual([JWT_SECRET_FILE]);
  });

  it('embedded: a different data directory gets a different secret', async () => {
    const a = await resolveJwtSecret({ dataDir: path.join(dir, 'a'), mode: 'embedded' });
    const b = await resolveJwtSecret({ dataDir: path.join(dir, 'b'), mode: 'embedded' });
    expect(a.secret).not.toBe(b.secret);
  });

  it('embedded: refuses an empty or truncated secret file rather than silently replacing it', async () => {
    await fs.writeFile(path.join(dir, JWT_SECRET_FILE), 'short\n', { mode: 0o600 });
    await expect(resolveJwtSecret({ dataDir: dir, mode: 'embedded' })).rejects.toThrow(/holds no usable JWT secret/);
  });
});
