import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openDatabase, loadConfig, RestorePendingError } from '@app/database';
import { JWT_SECRET, startTestApp, type TestApp } from '../support/test-app.js';
import { createUser, login, loginAdmin, type Actor } from '../support/actors.js';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';
import { listTar } from '../../apps/api/src/backup/tar.js';
import { BackupScheduler, backupsToPrune } from '../../apps/api/src/backup/backup-scheduler.js';
import { emptyDatabase as emptyDatabaseOnServer, rowsOf, type EmptyDatabase } from '../support/empty-database.js';
import { describeOnPostgresLog } from '../support/event-store-kind.js';

const runFile = promisify(execFile);
const cliPath = (name: string) => path.resolve(`dist/apps/api/src/cli/${name}.js`);

interface CliResult {
  code: number;
  out: string;
}

async function cli(name: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  try {
    const { stdout, stderr } = await runFile(process.execPath, [cliPath(name), ...args], {
      env: { ...process.env, NODE_OPTIONS: '', JWT_SECRET, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const created: EmptyDatabase[] = [];
async function emptyDatabase(): Promise<string> {
  const db = await emptyDatabaseOnServer('xuncha_restore');
  created.push(db);
  return db.url;
}

async function logFacts(url: string) {
  const [row] = await rowsOf<{ events: string; head: string; seal: string | null }>(
    url,
    `SELECT (SELECT count(*) FROM event_store.es_events) AS events,
            (SELECT max(position) FROM event_store.es_events) AS head,
            (SELECT encode(hash, 'hex') FROM event_store.es_seals ORDER BY seq DESC LIMIT 1) AS seal`,
  );
  return { events: Number(row.events), head: Number(row.head), seal: row.seal };
}

/** Copies the backup with one byte changed in the middle of the named part. */
async function tampered(backup: string, part: string, dir: string): Promise<string> {
  const entry = (await listTar(backup)).find((e) => e.name === part);
  if (!entry) throw new Error(`no part ${part}`);
  const copy = path.join(dir, `tampered-${randomUUID()}.tar`);
  const bytes = await fs.readFile(backup);
  const at = entry.offset + Math.floor(entry.size / 2);
  bytes[at] = bytes[at] ^ 0x01;
  await fs.writeFile(copy, bytes);
  return copy;
}

/**
 * A restored database holds the grants of the dump to the source app's role: it goes before that app's roles do
 * (a role cannot be dropped while another database still grants it something).
 */
async function dropRestoredDatabases() {
  for (const db of created.splice(0)) await db.drop();
}
afterAll(dropRestoredDatabases);

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describeOnPostgresLog(
  'backup and restore (DATABASE_URL): one verified file, refused when it or the target is wrong',
  () => {
    let t: TestApp;
    let official: Actor, inspector: Actor;
    let work: string;
    let backup: string;
    let roundId: string, pointId: string, dept: string;
    const evidence = ['整改照片一', 'scan of the 台账', 'x'.repeat(10_000)].map((s) => Buffer.from(s));

    beforeAll(async () => {
      t = await startTestApp();
      work = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-backup-e2e-'));
      const admin = await loginAdmin(t);
      dept = (await admin.post('/api/departments', { name: '区市场监管局', kind: 'bureau' })).body.departmentId;
      official = await createUser(t, admin, 'official.backup', 'official');
      inspector = await createUser(t, admin, 'inspector.backup', 'inspector');
      roundId = (
        await official.post('/api/rounds', {
          title: '食品安全专项',
          kind: 'special',
          scope: '食堂',
          startsOn: '2024-09-01',
          endsOn: '2024-09-30',
        })
      ).body.roundId;
      const fieldId = (await official.post(`/api/rounds/${roundId}/fields`, { name: '食品安全' })).body.fieldId;
      pointId = (
        await official.post(`/api/rounds/${roundId}/monitoring-points`, {
          fieldId,
          title: '进货查验',
          targets: [{ kind: 'department', name: '区市场监管局', departmentId: dept }],
        })
      ).body.pointId;
      await official.post(`/api/rounds/${roundId}/station`);
      for (let i = 0; i < 4; i++) {
        await inspector.post(`/api/rounds/${roundId}/findings`, {
          monitoringPointId: pointId,
          departmentId: dept,
          title: `台账缺失 ${i}`,
          description: '抽查',
        });
      }
      await eventStoreOf(t.app).seal();
      const evidenceDir = path.join(t.config.dataDir, 'evidence');
      await fs.mkdir(evidenceDir, { recursive: true });
      for (const content of evidence) await fs.writeFile(path.join(evidenceDir, sha256(content)), content);
      await fs.writeFile(path.join(t.config.dataDir, 'personal-data.key'), Buffer.alloc(32, 7).toString('base64'));
      backup = path.join(work, 'backup.tar');
      const res = await cli('backup', [backup], { DATABASE_URL: t.url, DATA_DIR: t.config.dataDir });
      if (res.code !== 0) throw new Error(`backup failed: ${res.out}`);
      expect(res.out).toContain('master key');
    });

    afterAll(async () => {
      await dropRestoredDatabases();
      await t?.close();
      await fs.rm(work, { recursive: true, force: true });
    });

    it('writes one tar: manifest first with the seal head, counts and the SHA-256 of each part', async () => {
      const entries = await listTar(backup);
      expect(entries[0].name).toBe('manifest.json');
      const names = entries.map((e) => e.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'database.dump',
          'keys/personal-data.key',
          ...evidence.map((e) => `evidence/${sha256(e)}`),
        ]),
      );
      const bytes = await fs.readFile(backup);
      const manifest = JSON.parse(bytes.subarray(entries[0].offset, entries[0].offset + entries[0].size).toString());
      const facts = await logFacts(t.url);
      expect(manifest).toMatchObject({
        counts: { events: facts.events, evidenceFiles: 3 },
        headPosition: facts.head,
        latestSeal: { hash: facts.seal },
      });
      expect(manifest.warning).toContain('master key');
      for (const entry of entries.slice(1)) {
        const part = manifest.parts.find((p: { name: string }) => p.name === entry.name);
        expect(sha256(bytes.subarray(entry.offset, entry.offset + entry.size))).toBe(part.sha256);
      }
    });

    it('restores into an empty database and folder, verified: same event count, head and seal; audit:verify opens it', async () => {
      const url = await emptyDatabase();
      const dataDir = path.join(work, 'restored');
      const res = await cli('restore', [backup], { DATABASE_URL: url, DATA_DIR: dataDir });
      expect(res.out).toContain('verified');
      expect(res.code).toBe(0);
      expect(await logFacts(url)).toEqual(await logFacts(t.url));
      for (const content of evidence)
        expect(await fs.readFile(path.join(dataDir, 'evidence', sha256(content)))).toEqual(content);
      expect(await fs.readFile(path.join(dataDir, 'personal-data.key'), 'utf8')).toBe(
        Buffer.alloc(32, 7).toString('base64'),
      );
      const verify = await cli('audit-verify', [], { DATABASE_URL: url, DATA_DIR: dataDir });
      expect(verify.code).toBe(0);
      expect(verify.out).toContain('完整 intact');
    });

    it.each([
      ['one byte of the dump changed', 'database.dump'],
      ['an evidence file changed', `evidence/${sha256(Buffer.from('scan of the 台账'))}`],
    ])('refuses a backup with %s, naming the part, and leaves the target empty', async (_what, part) => {
      const copy = await tampered(backup, part, work);
      const url = await emptyDatabase();
      const res = await cli('restore', [copy], { DATABASE_URL: url, DATA_DIR: path.join(work, `t-${randomUUID()}`) });
      expect(res.code).toBe(1);
      expect(res.out).toContain(`part ${part} does not match the manifest`);
      const tables = await rowsOf(
        url,
        `SELECT 1 FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
      );
      expect(tables).toHaveLength(0);
    });

    it('refuses a target database that is not empty, and changes nothing in it', async () => {
      const before = await logFacts(t.url);
      const res = await cli('restore', [backup], {
        DATABASE_URL: t.url,
        DATA_DIR: path.join(work, `n-${randomUUID()}`),
      });
      expect(res.code).toBe(1);
      expect(res.out).toMatch(/target database .* is not empty/);
      expect(await logFacts(t.url)).toEqual(before);
    });

    it('a restore whose verification fails stays marked: the app and the CLIs refuse to open it', async () => {
      const source = await emptyDatabase();
      const restored = await emptyDatabase();
      const dataDir = path.join(work, `v-${randomUUID()}`);
      expect(
        (await cli('restore', [backup], { DATABASE_URL: source, DATA_DIR: path.join(work, `s-${randomUUID()}`) })).code,
      ).toBe(0);
      // A superuser edits an event (the trigger disabled): the backup is faithful, its verification is not.
      await rowsOf(
        source,
        `SET session_replication_role = replica;
       UPDATE event_store.es_events SET data = jsonb_set(data, '{title}', '"改过的"') WHERE type = 'FindingRecorded';
       SET session_replication_role = DEFAULT`,
      );
      const tamperedBackup = path.join(work, `edited-${randomUUID()}.tar`);
      expect(
        (
          await cli('backup', [tamperedBackup], {
            DATABASE_URL: source,
            DATA_DIR: path.join(work, `e-${randomUUID()}`),
          })
        ).code,
      ).toBe(0);
      const res = await cli('restore', [tamperedBackup], { DATABASE_URL: restored, DATA_DIR: dataDir });
      expect(res.code).toBe(1);
      expect(res.out).toContain('NOT verified');
      expect(res.out).toContain('hash chain broken');
      const config = loadConfig({ DATABASE_URL: restored, DATA_DIR: dataDir, JWT_SECRET });
      await expect(openDatabase(config, { log: () => undefined })).rejects.toBeInstanceOf(RestorePendingError);
      const verify = await cli('audit-verify', [], { DATABASE_URL: restored, DATA_DIR: dataDir });
      expect(verify.code).toBe(2);
      expect(verify.out).toContain('has not been verified');
    });

    it('a backup taken while commands are written restores consistently: verify passes, rebuilt read models match', async () => {
      let writing = true;
      let written = 0;
      const writer = (async () => {
        while (writing) {
          const res = await inspector.post(`/api/rounds/${roundId}/findings`, {
            monitoringPointId: pointId,
            departmentId: dept,
            title: `负载 ${written}`,
            description: '备份期间写入',
          });
          if (res.status !== 201) throw new Error(`command failed: ${res.status}`);
          written++;
        }
      })();
      const during = path.join(work, 'during.tar');
      // Some commands land before, during and after the dump.
      while (written < 5) await new Promise((r) => setTimeout(r, 20));
      const res = await cli('backup', [during], {
        DATABASE_URL: t.url,
        DATA_DIR: path.join(work, `l-${randomUUID()}`),
      });
      const atEnd = written;
      writing = false;
      await writer;
      expect(res.code).toBe(0);
      expect(atEnd).toBeGreaterThan(5);

      const restoredDir = path.join(work, `r-${randomUUID()}`);
      let restoredUrl = '';
      const app = await startTestApp(
        {},
        {
          prepare: async (url) => {
            restoredUrl = url;
            const r = await cli('restore', [during], { DATABASE_URL: url, DATA_DIR: restoredDir });
            expect(r.out).toContain('verified');
            expect(r.code).toBe(0);
          },
        },
      );
      try {
        const official2 = await login(app, 'official.backup', 'official.backup-password');
        const admin2 = await loginAdmin(app);
        expect([200, 201]).toContain((await admin2.post('/api/admin/projections/rebuild')).status);
        const [recorded] = await rowsOf<{ n: string }>(
          restoredUrl,
          `SELECT count(*) AS n FROM event_store.es_events WHERE type = 'FindingRecorded'`,
        );
        const list = await official2.get(`/api/findings?roundId=${roundId}&pageSize=1`);
        expect(list.status).toBe(200);
        expect(list.body.total).toBe(Number(recorded.n));
        expect(Number(recorded.n)).toBeGreaterThan(4);
      } finally {
        await app.close();
      }
    });
  },
);

describeOnPostgresLog('scheduled backups (BACKUP_DIR, BACKUP_KEEP)', () => {
  it('writes restorable backups from inside the app and keeps the newest BACKUP_KEEP', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-scheduled-'));
    const t = await startTestApp({ BACKUP_DIR: dir, BACKUP_INTERVAL_HOURS: '24', BACKUP_KEEP: '2' });
    try {
      const scheduler = t.app.get(BackupScheduler);
      const written: string[] = [];
      for (let i = 0; i < 3; i++) {
        await loginAdmin(t).then((a) => a.post('/api/departments', { name: `单位${i}`, kind: 'bureau' }));
        written.push((await scheduler.backupNow())!);
      }
      expect(written.every(Boolean)).toBe(true);
      expect((await fs.readdir(dir)).sort()).toEqual(
        written
          .slice(1)
          .map((f) => path.basename(f))
          .sort(),
      );
      const url = await emptyDatabase();
      const res = await cli('restore', [written[2]], { DATABASE_URL: url, DATA_DIR: path.join(dir, 'restored-data') });
      expect(res.code).toBe(0);
      expect(await logFacts(url)).toMatchObject({ events: (await logFacts(t.url)).events });
    } finally {
      await dropRestoredDatabases();
      await t.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('prunes only its own files, oldest first', () => {
    const names = [
      'notes.txt',
      'xuncha-backup-2024-01-03.tar',
      'xuncha-backup-2024-01-01.tar',
      'xuncha-backup-2024-01-02.tar',
    ];
    expect(backupsToPrune(names, 2)).toEqual(['xuncha-backup-2024-01-01.tar']);
    expect(backupsToPrune(names, 5)).toEqual([]);
  });
});
