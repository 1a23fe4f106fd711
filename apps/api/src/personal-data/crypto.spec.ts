import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DecryptionError, newDataKey, open, parseMasterKey, seal, unwrapKey, valueAad, wrapKey } from './crypto.js';
import { loadMasterKey, MASTER_KEY_FILE } from './master-key.js';

const NAME = '张三丰';

describe('personal-data encryption (AES-256-GCM)', () => {
  const key = newDataKey();
  const ref = randomUUID();
  const aad = valueAad(ref, 'lead_subject');
  const plaintext = Buffer.from(JSON.stringify({ name: NAME }), 'utf8');

  it('opens what it sealed, and the ciphertext does not contain the name', () => {
    const sealed = seal(key, plaintext, aad);
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.tag).toHaveLength(16);
    expect(sealed.ciphertext.includes(Buffer.from(NAME, 'utf8'))).toBe(false);
    expect(JSON.parse(open(key, sealed, aad).toString('utf8'))).toEqual({ name: NAME });
  });

  it('uses a fresh IV each time, so the same name never gives the same ciphertext', () => {
    const a = seal(key, plaintext, aad);
    const b = seal(key, plaintext, aad);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it('refuses a ciphertext moved to another ref or kind (AAD mismatch)', () => {
    const sealed = seal(key, plaintext, aad);
    expect(() => open(key, sealed, valueAad(randomUUID(), 'lead_subject'))).toThrow(DecryptionError);
    expect(() => open(key, sealed, valueAad(ref, 'informant'))).toThrow(DecryptionError);
  });

  it('refuses tampered ciphertext, tag or IV, and the wrong key', () => {
    const sealed = seal(key, plaintext, aad);
    const flip = (b: Buffer) => {
      const c = Buffer.from(b);
      c[0] ^= 0x01;
      return c;
    };
    expect(() => open(key, { ...sealed, ciphertext: flip(sealed.ciphertext) }, aad)).toThrow(DecryptionError);
    expect(() => open(key, { ...sealed, tag: flip(sealed.tag) }, aad)).toThrow(DecryptionError);
    expect(() => open(key, { ...sealed, iv: flip(sealed.iv) }, aad)).toThrow(DecryptionError);
    expect(() => open(newDataKey(), sealed, aad)).toThrow(DecryptionError);
  });

  it('wraps a data key under the master key and unwraps it only for the same subject and master', () => {
    const master = randomBytes(32);
    const subjectId = randomUUID();
    const wrapped = wrapKey(master, key, subjectId);
    expect(wrapped).toHaveLength(1 + 12 + 16 + 32);
    expect(wrapped.includes(key)).toBe(false);
    expect(unwrapKey(master, wrapped, subjectId).equals(key)).toBe(true);
    expect(() => unwrapKey(master, wrapped, randomUUID())).toThrow(DecryptionError);
    expect(() => unwrapKey(randomBytes(32), wrapped, subjectId)).toThrow(DecryptionError);
    const tampered = Buffer.from(wrapped);
    tampered[tampered.length - 1] ^= 0x80;
    expect(() => unwrapKey(master, tampered, subjectId)).toThrow(DecryptionError);
  });
});

describe('master key', () => {
  const logger = () => {
    const warnings: string[] = [];
    return { warnings, log: (_message: string) => undefined, warn: (message: string) => void warnings.push(message) };
  };
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-pdk-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('takes PERSONAL_DATA_KEY when set (base64 of 32 bytes) and writes no file', async () => {
    const raw = randomBytes(32);
    const master = await loadMasterKey({
      env: { PERSONAL_DATA_KEY: raw.toString('base64') },
      dataDir: dir,
      databaseMode: 'external',
      logger: logger(),
    });
    expect(master.key.equals(raw)).toBe(true);
    expect(master.source).toBe('PERSONAL_DATA_KEY');
    await expect(fs.readdir(dir)).resolves.toEqual([]);
  });

  it('refuses a malformed PERSONAL_DATA_KEY with a message naming the variable, not the value', async () => {
    const short = randomBytes(16).toString('base64');
    const load = (value: string) =>
      loadMasterKey({ env: { PERSONAL_DATA_KEY: value }, dataDir: dir, databaseMode: 'embedded', logger: logger() });
    await expect(load(short)).rejects.toThrow(/PERSONAL_DATA_KEY must be 32 random bytes in base64.*16 bytes/);
    await expect(load('not base64 at all!')).rejects.toThrow(/PERSONAL_DATA_KEY .*not base64/);
    await load(short).catch((error: Error) => expect(error.message).not.toContain(short));
    expect(() => parseMasterKey(randomBytes(32).toString('base64url'), 'X')).not.toThrow();
  });

  it('without the variable, creates <dataDir>/personal-data.key once (0600) and reads it back after', async () => {
    const quiet = logger();
    const first = await loadMasterKey({ env: {}, dataDir: dir, databaseMode: 'embedded', logger: quiet });
    const file = path.join(dir, MASTER_KEY_FILE);
    expect(first.source).toBe(file);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(quiet.warnings).toEqual([]);
    const again = await loadMasterKey({
      env: { PERSONAL_DATA_KEY: '' },
      dataDir: dir,
      databaseMode: 'embedded',
      logger: logger(),
    });
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('warns when an external database falls back to the key file', async () => {
    const loud = logger();
    await loadMasterKey({ env: {}, dataDir: path.join(dir, 'nested'), databaseMode: 'external', logger: loud });
    expect(loud.warnings).toEqual([expect.stringMatching(/PERSONAL_DATA_KEY is not set.*personal-data\.key/)]);
  });

  it('refuses a key file that does not hold a key', async () => {
    await fs.writeFile(path.join(dir, MASTER_KEY_FILE), 'garbage\n', { mode: 0o600 });
    await expect(loadMasterKey({ env: {}, dataDir: dir, databaseMode: 'embedded', logger: logger() })).rejects.toThrow(
      /personal-data\.key must be 32 random bytes/,
    );
  });
});
