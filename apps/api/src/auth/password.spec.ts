import {
  hashPassword,
  parsePasswordHash,
  PasswordPolicyError,
  verifyAgainstDummy,
  verifyPassword,
} from './password.js';

describe('password hashing (scrypt)', () => {
  it('hashes into scrypt$N$r$p$salt$hash and verifies the same password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    const [, N, r, p, salt, key] = stored.split('$');
    expect(Number(N)).toBeGreaterThanOrEqual(2 ** 14);
    expect(Number(r)).toBeGreaterThanOrEqual(8);
    expect(Number(p)).toBeGreaterThanOrEqual(1);
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
  });

  it('refuses a wrong password, a different case and a prefix', async () => {
    const stored = await hashPassword('correct horse battery');
    await expect(verifyPassword('correct horse batterx', stored)).resolves.toBe(false);
    await expect(verifyPassword('Correct horse battery', stored)).resolves.toBe(false);
    await expect(verifyPassword('correct horse', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('salts every hash afresh', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).not.toBe(b);
    await expect(verifyPassword('same password', a)).resolves.toBe(true);
    await expect(verifyPassword('same password', b)).resolves.toBe(true);
  });

  it('treats NFC and NFD spellings of a password as the same', async () => {
    const stored = await hashPassword('密码-café-2024');
    await expect(verifyPassword('密码-cafe\u0301-2024', stored)).resolves.toBe(true);
  });

  it('enforces the minimum length of 8 and a maximum of 200', async () => {
    await expect(hashPassword('1234567')).rejects.toBeInstanceOf(PasswordPolicyError);
    await expect(hashPassword('x'.repeat(201))).rejects.toBeInstanceOf(PasswordPolicyError);
    await expect(hashPassword('12345678')).resolves.toMatch(/^scrypt\$/);
  });

  it('answers false, without throwing, for malformed or hostile stored hashes', async () => {
    const good = await hashPassword('whatever-1');
    const [, , r, p, salt, key] = good.split('$');
    for (const stored of [
      '',
      'plain-text',
      'bcrypt$10$abc',
      `scrypt$16384$8$1$${salt}`,
      `scrypt$12345$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 24}$${r}$${p}$${salt}$${key}`, // N too large: would hang the login
      `scrypt$16384$999$1$${salt}$${key}`,
      `scrypt$16384$8$1$$${key}`,
    ]) {
      expect(parsePasswordHash(stored)).toBeUndefined();
      await expect(verifyPassword('whatever-1', stored)).resolves.toBe(false);
    }
  });

  it('verifies hashes made with other (older) parameters, as stored with them', async () => {
    const { scryptSync, randomBytes } = await import('node:crypto');
    const salt = randomBytes(16);
    const key = scryptSync('legacy-password', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const stored = `scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    await expect(verifyPassword('legacy-password', stored)).resolves.toBe(true);
    await expect(verifyPassword('legacy-passwore', stored)).resolves.toBe(false);
  });

  it('does the work of a real check for unknown users and always answers false', async () => {
    await expect(verifyAgainstDummy('anything-at-all')).resolves.toBe(false);
  });
});

describe('password hash parameters', () => {
  it('uses N=2^15, r=8, p=3 (an OWASP equivalent of N=2^17, r=8, p=1) and asks for a rehash of anything else', async () => {
    const { needsRehash } = await import('./password.js');
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(needsRehash(stored)).toBe(false);
    const old = stored.replace(/^scrypt\$32768\$8\$3\$/, 'scrypt$16384$8$1$');
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash('not a hash')).toBe(true);
  });
});
