import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { loadConfig, openDatabase } from '@app/database';
import { closeApp, createApp, eventStoreOf } from '../../apps/api/src/app.factory.js';
import { JWT_SECRET, startTestApp, type TestApp } from '../support/test-app.js';
import { createUser, loginAdmin, type Actor } from '../support/actors.js';
import { BUNDLE_MEDIA_TYPE, KIT_MEDIA_TYPE } from '../../apps/api/src/handover/bundle.js';
import { describeOnPostgresLog } from '../support/event-store-kind.js';

const runFile = promisify(execFile);

async function cli(args: string[], env: Record<string, string>) {
  const clean = { ...process.env };
  delete clean.DATABASE_URL;
  try {
    const { stdout, stderr } = await runFile(
      process.execPath,
      [path.resolve('dist/apps/api/src/cli/handover.js'), ...args],
      {
        env: { ...clean, NODE_OPTIONS: '', JWT_SECRET, LOG_LEVEL: 'error', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/**
 * The 单机版 as it is meant to run: the laptop on its embedded PostgreSQL in its own DATA_DIR, the office on the
 * machine's PostgreSQL, each a real app over HTTP, through the whole lifecycle (配置—使用—移交—存储—清理); then the
 * office's side of the same bundle once more through `npm run handover -- import`.
 */
describeOnPostgresLog('laptop on embedded PostgreSQL ↔ office', () => {
  let office: TestApp;
  let work: string;
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-laptop-'));
    await fs.chmod(work, 0o711);
    office = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await office?.close();
    await fs.rm(work, { recursive: true, force: true });
  });

  it('configures, works offline, hands over, gets a receipt and purges', async () => {
    // The office: a stationed round with one unit, and the team's inspector.
    const oAdmin = await loginAdmin(office);
    const send = async (who: Actor, url: string, body: object = {}) => {
      const res = await who.post(url, body);
      if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const deptId = (await send(oAdmin, '/api/departments', { name: '区卫健委', kind: 'bureau' })).departmentId;
    const official = await createUser(office, oAdmin, 'official.office', 'official');
    await createUser(office, oAdmin, 'inspector.field', 'inspector');
    const roundId = (
      await send(official, '/api/rounds', {
        title: '医保基金使用专项巡察',
        kind: 'special',
        scope: '定点医疗机构',
        startsOn: '2024-10-08',
        endsOn: '2024-11-08',
      })
    ).roundId;
    const fieldId = (await send(official, `/api/rounds/${roundId}/fields`, { name: '医保基金' })).fieldId;
    const pointId = (
      await send(official, `/api/rounds/${roundId}/monitoring-points`, {
        fieldId,
        title: '住院费用结算',
        targets: [{ kind: 'department', name: '区卫健委', departmentId: deptId }],
      })
    ).pointId;
    await send(official, `/api/rounds/${roundId}/station`);
    const kit = (await official.get(`/api/rounds/${roundId}/field-kit?users=inspector.field`).expect(200)).text;

    // The laptop: its own embedded PostgreSQL and key in DATA_DIR.
    const dataDir = path.join(work, 'laptop');
    const config = loadConfig({
      DATA_DIR: dataDir,
      ADMIN_PASSWORD: 'laptop-admin-pass',
      LOG_LEVEL: 'error',
      DEMO: 'off',
    });
    const database = await openDatabase(config, { log: () => undefined });
    const app = await createApp(config, database);
    let bundleText: string;
    try {
      const http = request(app.getHttpServer());
      await expect(fs.access(path.join(dataDir, 'handover-key.pem'))).resolves.toBeUndefined();
      const signIn = async (username: string, password: string) =>
        (await http.post('/api/auth/login').send({ username, password }).expect(200)).body.accessToken as string;
      const admin = await signIn('admin', 'laptop-admin-pass');
      const imported = await http
        .post('/api/field-kit')
        .set('Authorization', `Bearer ${admin}`)
        .set('content-type', KIT_MEDIA_TYPE)
        .send(kit);
      expect(imported.status).toBe(201);
      const inspector = await signIn('inspector.field', 'inspector.field-password');
      const as = (token: string) => ({ Authorization: `Bearer ${token}` });
      const recorded = await http.post(`/api/rounds/${roundId}/findings`).set(as(inspector)).send({
        monitoringPointId: pointId,
        departmentId: deptId,
        title: '串换项目收费',
        description: '抽查病历12份。',
      });
      expect(recorded.status).toBe(201);
      // An evidence file on the laptop, cited by an event of the round.
      const file = Buffer.from('病历抽查记录 %PDF');
      const sha = createHash('sha256').update(file).digest('hex');
      await fs.mkdir(path.join(dataDir, 'evidence'), { recursive: true });
      await fs.writeFile(path.join(dataDir, 'evidence', sha), file);
      await eventStoreOf(app).appendToStream(`finding-${recorded.body.findingId}`, [
        {
          type: 'ProgressReported',
          data: {
            findingId: recorded.body.findingId,
            note: '附病历抽查记录',
            percent: 0,
            evidence: [],
            attachments: [{ sha256: sha, name: '抽查记录.pdf', size: file.length, mediaType: 'application/pdf' }],
            occurredAt: new Date().toISOString(),
          },
          metadata: { actor: { id: 'x', username: 'inspector.field', role: 'inspector' } },
        },
      ]);

      const exported = await http.get(`/api/rounds/${roundId}/handover-bundle`).set(as(inspector)).expect(200);
      bundleText = exported.text;
      const atOffice = await office.http
        .post('/api/handover')
        .set('Authorization', `Bearer ${official.token}`)
        .set('content-type', BUNDLE_MEDIA_TYPE)
        .send(bundleText);
      expect(atOffice.status).toBe(200);
      expect(atOffice.body).toMatchObject({ alreadyImported: false, events: 2, evidenceFiles: 1 });
      expect(await fs.readFile(path.join(office.config.dataDir, 'evidence', sha))).toEqual(file);

      const officialOnLaptop = await signIn('admin', 'laptop-admin-pass').then(async (token) => {
        await http
          .post('/api/users')
          .set(as(token))
          .send({ username: 'official.field', password: 'official-field-pass', role: 'official' })
          .expect(201);
        return signIn('official.field', 'official-field-pass');
      });
      const early = await http.post(`/api/rounds/${roundId}/purge`).set(as(admin)).send({});
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('HANDOVER_RECEIPT_REQUIRED');
      await http
        .post(`/api/rounds/${roundId}/handover-receipt`)
        .set(as(officialOnLaptop))
        .send(atOffice.body.receipt)
        .expect(200);
      const purged = await http.post(`/api/rounds/${roundId}/purge`).set(as(admin)).send({});
      expect(purged.status).toBe(200);
      expect((await http.get(`/api/rounds/${roundId}`).set(as(inspector))).status).toBe(404);
      expect((await eventStoreOf(app).verifyAll()).ok).toBe(true);
    } finally {
      await closeApp(app);
      await database.stop();
    }

    // The office imports the same file again from a terminal: verified, nothing written.
    const file = path.join(work, 'bundle.json');
    await fs.writeFile(file, bundleText);
    const officeEnv = {
      DATA_DIR: office.config.dataDir,
      DATABASE_URL: office.appUrl,
      DATABASE_OWNER_URL: office.ownerUrl,
    };
    const again = await cli(['import', file], officeEnv);
    expect(again.out).toContain('Already imported');
    expect(again.code).toBe(0);
    await expect(fs.access(`${file}.receipt.json`)).resolves.toBeUndefined();
    const tampered = JSON.parse(bundleText);
    tampered.events[tampered.events.length - 1].data.note = '已整改完毕';
    await fs.writeFile(file, JSON.stringify(tampered));
    const refused = await cli(['import', file], officeEnv);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('HANDOVER_BROKEN_LINK');
    expect(refused.out).toContain('first broken link');
  }, 240_000);
});
