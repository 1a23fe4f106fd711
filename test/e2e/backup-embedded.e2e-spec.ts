import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { loadConfig, startEmbeddedPostgres, RESTORE_MARKER_FILE } from '@app/database';
import { closeApp, createApp, eventStoreOf } from '../../apps/api/src/app.factory.js';
import { describeOnPostgresLog } from '../support/event-store-kind.js';

const runFile = promisify(execFile);

async function cli(name: string, args: string[], env: Record<string, string>) {
  const clean = { ...process.env };
  delete clean.DATABASE_URL;
  try {
    const { stdout, stderr } = await runFile(
      process.execPath,
      [path.resolve(`dist/apps/api/src/cli/${name}.js`), ...args],
      {
        env: { ...clean, NODE_OPTIONS: '', ...env },
      },
    );
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** The embedded default: DATA_DIR backed up (the stopped server's folder) and restored into an empty DATA_DIR. */
describeOnPostgresLog('backup and restore of an embedded DATA_DIR', () => {
  let work: string;
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-backup-embedded-'));
    await fs.chmod(work, 0o711);
  });
  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  it('restores the log, the keys and the evidence, verified, and refuses a non-empty DATA_DIR', async () => {
    const source = path.join(work, 'source');
    const env = { DATA_DIR: source, ADMIN_PASSWORD: 'admin-pass-embedded', LOG_LEVEL: 'error', DEMO: 'off' };
    const server = await startEmbeddedPostgres({ dataDir: source });
    const config = loadConfig(env);
    const app = await createApp(config, { mode: 'embedded', url: server.url, stop: () => server.stop() });
    try {
      const http = request(app.getHttpServer());
      const token = (await http.post('/api/auth/login').send({ username: 'admin', password: 'admin-pass-embedded' }))
        .body.accessToken;
      for (const name of ['区民政局', '区教育局', '区卫健委']) {
        const res = await http
          .post('/api/departments')
          .set('Authorization', `Bearer ${token}`)
          .send({ name, kind: 'bureau' });
        expect(res.status).toBe(201);
      }
      await eventStoreOf(app).seal();
    } finally {
      await closeApp(app);
      await server.stop();
    }
    const content = Buffer.from('整改前后对比照片');
    const sha = createHash('sha256').update(content).digest('hex');
    await fs.mkdir(path.join(source, 'evidence'));
    await fs.writeFile(path.join(source, 'evidence', sha), content);

    const file = path.join(work, 'embedded.tar');
    const backup = await cli('backup', [file], { DATA_DIR: source });
    expect(backup.out).toContain('Backup written');
    expect(backup.code).toBe(0);

    const before = await cli('audit-verify', [], { DATA_DIR: source });
    const target = path.join(work, 'target');
    const restore = await cli('restore', [file], { DATA_DIR: target });
    expect(restore.out).toContain('verified');
    expect(restore.code).toBe(0);
    await expect(fs.access(path.join(target, RESTORE_MARKER_FILE))).rejects.toThrow();
    expect(await fs.readFile(path.join(target, 'evidence', sha))).toEqual(content);
    for (const key of ['personal-data.key', 'jwt-secret', 'pg-password']) {
      expect(await fs.readFile(path.join(target, key), 'utf8')).toBe(await fs.readFile(path.join(source, key), 'utf8'));
    }
    const after = await cli('audit-verify', [], { DATA_DIR: target });
    expect(after.code).toBe(0);
    const summary = (out: string) => /完整 intact: (\d+) events in (\d+) streams, (\d+) seals/.exec(out)?.slice(1);
    expect(summary(after.out)).toEqual(summary(before.out));
    expect(summary(after.out)).toBeDefined();

    const again = await cli('restore', [file], { DATA_DIR: target });
    expect(again.code).toBe(1);
    expect(again.out).toContain('is not empty');
  });
});
