import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';
import { onEsdb } from '../support/event-store-kind.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createUser, loginAdmin, type Actor } from '../support/actors.js';

const run = promisify(execFile);
const cli = path.resolve('dist/apps/api/src/cli/audit-verify.js');

/** The smallest files of each kind evidence may be, made here (recognised by content, not by name). */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** superagent's parser for a binary body (the response is a stream at run time). */
const binary = ((res: NodeJS.ReadableStream, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}) as unknown as Parameters<import('supertest').Test['parse']>[0];

/**
 * 佐证材料 files, 督办 notices, extensions and new deadlines over HTTP (docs/api.md "Evidence files",
 * "Supervision"), against the real app, PostgreSQL, the evidence folder and LibreOffice.
 */
describe('evidence files, notices, extensions and deadlines', () => {
  let t: TestApp;
  let official: Actor, inspector: Actor, liaisonA: Actor, liaisonB: Actor, auditor: Actor;
  let deptA: string, roundId: string, pointId: string;
  const evidenceDir = () => path.join(t.config.dataDir, 'evidence');

  const upload = (who: Actor, bytes: Buffer, filename: string) =>
    t.http.post('/api/evidence').set('Authorization', `Bearer ${who.token}`).attach('file', bytes, filename);

  async function inProgressFinding(title: string, type: 'deadline' | 'immediate' = 'deadline'): Promise<string> {
    const recorded = await inspector.post(`/api/rounds/${roundId}/findings`, {
      monitoringPointId: pointId,
      departmentId: deptA,
      title,
      description: '抽查3所学校，食材索证索票不全。',
    });
    expect(recorded.status).toBe(201);
    const id = recorded.body.findingId as string;
    const assign = { type, departmentId: deptA, responsiblePerson: '王建国', dueOn: '2099-10-31' };
    expect((await official.post(`/api/findings/${id}/assign`, assign)).status).toBe(200);
    expect((await liaisonA.post(`/api/findings/${id}/acknowledge`)).status).toBe(200);
    const plan = { measures: '建立食材进货查验台账', target: '全部学校建立台账' };
    expect((await liaisonA.post(`/api/findings/${id}/plan`, plan)).status).toBe(200);
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp();
    const admin = await loginAdmin(t);
    deptA = (await admin.post('/api/departments', { name: '区教育局', kind: 'bureau' })).body.departmentId;
    const deptB = (await admin.post('/api/departments', { name: '区民政局', kind: 'bureau' })).body.departmentId;
    official = await createUser(t, admin, 'official1', 'official');
    inspector = await createUser(t, admin, 'inspector1', 'inspector');
    liaisonA = await createUser(t, admin, 'liaison.edu', 'unit_liaison', deptA);
    liaisonB = await createUser(t, admin, 'liaison.civil', 'unit_liaison', deptB);
    auditor = await createUser(t, admin, 'auditor1', 'auditor');
    const round = await official.post('/api/rounds', {
      title: '校园食品安全机动式巡察',
      kind: 'mobile',
      scope: '校园食品安全',
      startsOn: '2024-08-26',
      endsOn: '2099-10-31',
    });
    roundId = round.body.roundId;
    const fieldId = (await official.post(`/api/rounds/${roundId}/fields`, { name: '校园食品安全' })).body.fieldId;
    const point = await inspector.post(`/api/rounds/${roundId}/monitoring-points`, {
      fieldId,
      title: '学校食堂食材采购与查验',
      targets: [{ kind: 'department', name: '区教育局', departmentId: deptA }],
    });
    pointId = point.body.pointId;
    expect((await official.post(`/api/rounds/${roundId}/station`, {})).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('upload', () => {
    it('stores a PDF once under its SHA-256 and answers hash, name, size and type', async () => {
      const res = await upload(liaisonA, PDF, '整改报告.pdf');
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        sha256: sha256(PDF),
        name: '整改报告.pdf',
        size: PDF.length,
        mediaType: 'application/pdf',
      });
      const again = await upload(inspector, PDF, '另一个名字.pdf');
      expect(again.status).toBe(201);
      expect(again.body.sha256).toBe(sha256(PDF));
      const stored = (await fs.readdir(evidenceDir())).filter((name) => !name.startsWith('.'));
      expect(stored).toEqual([sha256(PDF)]);
      expect(await fs.readFile(path.join(evidenceDir(), sha256(PDF)))).toEqual(PDF);
    });

    it('recognises the type by content: a PNG named .pdf is a PNG, a text file named .pdf is 415', async () => {
      const png = await upload(liaisonA, PNG, '照片.pdf');
      expect(png.status).toBe(201);
      expect(png.body.mediaType).toBe('image/png');
      const text = await upload(liaisonA, Buffer.from('这不是PDF文件'), '整改报告.pdf');
      expect(text.status).toBe(415);
      expect(text.body).toMatchObject({ code: 'EVIDENCE_TYPE_NOT_ALLOWED' });
      expect(text.body.errors[0]).toMatchObject({ field: 'file', rule: 'mediaType' });
    });

    it('refuses a file over 20 MiB with 413 and keeps nothing of it', async () => {
      const big = Buffer.alloc(20 * 1024 * 1024 + 1, 0x20);
      PDF.copy(big);
      const res = await upload(liaisonA, big, '太大的文件.pdf');
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'EVIDENCE_TOO_LARGE' });
      expect(await fs.readdir(`${evidenceDir()}.incoming`)).toEqual([]);
      const stored = (await fs.readdir(evidenceDir())).filter((name) => !name.startsWith('.'));
      expect(stored).not.toContain(sha256(big));
    });

    it('takes a file of exactly 20 MiB', async () => {
      const edge = Buffer.alloc(20 * 1024 * 1024, 0x20);
      PDF.copy(edge);
      const res = await upload(liaisonA, edge, '刚好20MiB.pdf');
      expect(res.status).toBe(201);
      expect(res.body.size).toBe(20 * 1024 * 1024);
    });

    it('refuses a request without a file, and roles that do not upload', async () => {
      const none = await liaisonA.post('/api/evidence', { file: 'x' });
      expect(none.status).toBe(400);
      expect(none.body).toMatchObject({ code: 'EVIDENCE_FILE_REQUIRED' });
      expect((await upload(auditor, PDF, 'a.pdf')).status).toBe(403);
    });
  });

  describe('citing and reading evidence', () => {
    let findingId: string;

    beforeAll(async () => {
      findingId = await inProgressFinding('学校食堂食材采购台账不全');
    });

    it('refuses a cited hash that was never uploaded with 400 naming the item', async () => {
      const res = await liaisonA.post(`/api/findings/${findingId}/progress`, {
        note: '已完成2所学校',
        percent: 60,
        evidence: ['纸质台账', { sha256: 'f'.repeat(64), name: '没有上传.pdf' }],
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'EVIDENCE_NOT_UPLOADED' });
      expect(res.body.errors[0]).toMatchObject({ field: 'evidence[1].sha256', rule: 'uploaded' });
    });

    it('refuses a malformed citation before anything is decided', async () => {
      const res = await liaisonA.post(`/api/findings/${findingId}/progress`, {
        note: 'x',
        percent: 10,
        evidence: [{ sha256: 'xyz', name: 'a.pdf' }],
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });

    it('puts {kind, sha256, name, size, mediaType} in the event, next to paper references', async () => {
      const res = await liaisonA.post(`/api/findings/${findingId}/progress`, {
        note: '已完成2所学校',
        percent: 60,
        evidence: ['纸质台账第3册', { sha256: sha256(PDF), name: '整改报告.pdf' }],
      });
      expect(res.status).toBe(200);
      const finding = (await official.get(`/api/findings/${findingId}`)).body;
      expect(finding.rectification.evidence).toEqual([
        { kind: 'paper', name: '纸质台账第3册' },
        { kind: 'file', sha256: sha256(PDF), name: '整改报告.pdf', size: PDF.length, mediaType: 'application/pdf' },
      ]);
      const history = (await official.get(`/api/findings/${findingId}/history`)).body;
      const items = history.events as Array<{ type: string; data: { evidence?: unknown[] } }>;
      const event = items.find((e) => e.type === 'ProgressReported')!;
      expect(event.data.evidence).toContainEqual(expect.objectContaining({ sha256: sha256(PDF), size: PDF.length }));
    });

    it('lets the unit, the office and the auditor download the file with its name; another unit gets 404', async () => {
      const res = await liaisonA
        .get(`/api/evidence/${sha256(PDF)}`)
        .buffer(true)
        .parse(binary);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('整改报告.pdf')}`);
      expect(res.body).toEqual(PDF);
      expect((await auditor.get(`/api/evidence/${sha256(PDF)}`)).status).toBe(200);
      expect((await liaisonB.get(`/api/evidence/${sha256(PDF)}`)).status).toBe(404);
      expect((await liaisonA.get(`/api/evidence/${sha256(PNG)}`)).status).toBe(404); // cited by no case yet
      expect((await official.get(`/api/evidence/${'0'.repeat(64)}`)).status).toBe(404);
      expect((await official.get('/api/evidence/not-a-hash')).status).toBe(400);
    });

    it('names a tampered and a missing file in /api/audit/verify and in npm run audit:verify', async () => {
      const other = await inProgressFinding('学校食堂留样记录缺失');
      const closure = await liaisonA.post(`/api/findings/${other}/request-closure`, {
        evidence: [{ sha256: sha256(PNG), name: '留样照片.png' }],
        signedOffBy: '局长 李明',
      });
      expect(closure.status).toBe(200);
      // The log's readers (verify among them) take an event once every older transaction of the database cluster has
      // ended (the store's gap-free rule), which may be a moment after the command answered: wait for it, bounded.
      const store = eventStoreOf(t.app);
      for (let i = 0; i < 200 && (await store.headPosition()) < closure.body.position; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(await store.headPosition()).toBeGreaterThanOrEqual(closure.body.position);
      const intact = (await auditor.get('/api/audit/verify')).body;
      expect(intact).toMatchObject({ ok: true, evidenceChecked: 2, evidenceBroken: [] });

      const pdfFile = path.join(evidenceDir(), sha256(PDF));
      const pngFile = path.join(evidenceDir(), sha256(PNG));
      const original = await fs.readFile(pdfFile);
      await fs.writeFile(pdfFile, Buffer.concat([original, Buffer.from('% 篡改')]));
      await fs.rename(pngFile, `${pngFile}.moved`);
      try {
        const report = (await auditor.get('/api/audit/verify')).body;
        expect(report.ok).toBe(false);
        expect(report.evidenceBroken).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ sha256: sha256(PDF), streamId: `finding-${findingId}`, reason: 'altered' }),
            expect.objectContaining({ sha256: sha256(PNG), streamId: `finding-${other}`, reason: 'missing' }),
          ]),
        );
        const env = { ...process.env, DATABASE_URL: t.appUrl, DATABASE_OWNER_URL: t.ownerUrl, NODE_OPTIONS: '' };
        const out = await run(process.execPath, [cli], { env: { ...env, DATA_DIR: t.config.dataDir } }).then(
          () => ({ code: 0, text: '' }),
          (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, text: error.stderr }),
        );
        expect(out.code).toBe(1);
        expect(out.text).toContain(`evidence ${sha256(PDF)}, cited by stream finding-${findingId}`);
        expect(out.text).toContain(`evidence ${sha256(PNG)}, cited by stream finding-${other}`);
      } finally {
        await fs.writeFile(pdfFile, original);
        await fs.rename(`${pngFile}.moved`, pngFile);
      }
      expect((await auditor.get('/api/audit/verify')).body.ok).toBe(true);
    });
  });

  describe('督办 notices', () => {
    let findingId: string;

    beforeAll(async () => {
      findingId = await inProgressFinding('学校食堂从业人员健康证过期');
    });

    it('issues numbered notices as events; the finding lists them', async () => {
      const first = await official.post(`/api/findings/${findingId}/supervise`, {
        level: 'notice',
        text: '请立即组织整改，逐校核查从业人员健康证。',
        respondBy: '2099-09-20',
      });
      expect(first.status).toBe(200);
      const second = await official.post(`/api/findings/${findingId}/supervise`, {
        level: 'summons',
        text: '请分管负责同志到巡察办说明情况。',
        respondBy: '2099-09-25',
      });
      expect(second.status).toBe(200);
      const finding = (await liaisonA.get(`/api/findings/${findingId}`)).body;
      expect(finding.rectification.notices.map((n: { number: number; level: string }) => [n.number, n.level])).toEqual([
        [1, 'notice'],
        [2, 'summons'],
      ]);
    });

    it('refuses a liaison issuing one, a level unknown, a respond-by date in the past', async () => {
      const body = { level: 'notice', text: '请整改', respondBy: '2099-09-20' };
      expect((await liaisonA.post(`/api/findings/${findingId}/supervise`, body)).status).toBe(403);
      const bad = await official.post(`/api/findings/${findingId}/supervise`, { ...body, level: 'warning' });
      expect(bad.status).toBe(400);
      const past = await official.post(`/api/findings/${findingId}/supervise`, { ...body, respondBy: '2020-01-01' });
      expect(past.status).toBe(400);
      expect(past.body.code).toBe('DATE_IN_THE_PAST');
    });

    it('answers the notice as a DOCX that LibreOffice turns into a PDF naming the unit and the problem', async () => {
      const res = await liaisonA.get(`/api/findings/${findingId}/notices/1`).buffer(true).parse(binary);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      );
      const docx = res.body as Buffer;
      expect(docx.subarray(0, 2).toString()).toBe('PK');
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-notice-'));
      try {
        await fs.writeFile(path.join(dir, 'notice.docx'), docx);
        await run(
          'soffice',
          [
            `-env:UserInstallation=file://${dir}/profile`,
            '--headless',
            '--convert-to',
            'pdf',
            '--outdir',
            dir,
            'notice.docx',
          ],
          { cwd: dir, env: { ...process.env, HOME: dir } },
        );
        const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', path.join(dir, 'notice.pdf'), '-']);
        const text = stdout.replace(/\s+/g, '');
        expect(text).toContain('区教育局');
        expect(text).toContain('学校食堂从业人员健康证过期');
        expect(text).toContain('整改督办通知书');
        expect(text).toContain('2099年10月31日'); // the deadline
        expect(text).toContain('2099年9月20日'); // respond by
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    }, 180_000);

    it('answers 404 for a notice not issued and to another unit, 403 to the auditor', async () => {
      expect((await official.get(`/api/findings/${findingId}/notices/3`)).status).toBe(404);
      expect((await official.get(`/api/findings/${findingId}/notices/3`)).body.code).toBe('NOTICE_NOT_FOUND');
      expect((await liaisonB.get(`/api/findings/${findingId}/notices/1`)).status).toBe(404);
      expect((await auditor.get(`/api/findings/${findingId}/notices/1`)).status).toBe(403);
    });
  });

  describe('extensions and new deadlines', () => {
    it('moves the due date only on a grant, keeping the original and the history', async () => {
      const id = await inProgressFinding('食堂库房管理混乱');
      const asked = await liaisonA.post(`/api/findings/${id}/request-extension`, {
        newDueOn: '2099-12-31',
        reason: '需跨年度完成设备采购',
      });
      expect(asked.status).toBe(200);
      expect((await official.get(`/api/findings/${id}`)).body.rectification.dueOn).toBe('2099-10-31');
      const twice = await liaisonA.post(`/api/findings/${id}/request-extension`, {
        newDueOn: '2099-12-30',
        reason: '再次申请',
      });
      expect(twice.status).toBe(409);
      expect(twice.body.code).toBe('EXTENSION_ALREADY_REQUESTED');
      expect((await official.post(`/api/findings/${id}/decide-extension`, { granted: true })).status).toBe(200);
      const granted = (await official.get(`/api/findings/${id}`)).body.rectification;
      expect(granted).toMatchObject({
        dueOn: '2099-12-31',
        originalDueOn: '2099-10-31',
        extension: { state: 'granted', requestedDueOn: '2099-12-31' },
      });
      expect(granted.deadlines.map((d: { cause: string }) => d.cause)).toEqual(['assigned', 'extension']);
    });

    it('keeps the due date on a refusal, which needs a reason', async () => {
      const id = await inProgressFinding('食堂餐具消毒记录不全');
      await liaisonA.post(`/api/findings/${id}/request-extension`, { newDueOn: '2099-11-30', reason: '人手不足' });
      const bare = await official.post(`/api/findings/${id}/decide-extension`, { granted: false });
      expect(bare.status).toBe(400);
      expect(bare.body.code).toBe('REASON_REQUIRED');
      const refused = await official.post(`/api/findings/${id}/decide-extension`, {
        granted: false,
        reason: '理由不充分',
      });
      expect(refused.status).toBe(200);
      const r = (await official.get(`/api/findings/${id}`)).body.rectification;
      expect(r).toMatchObject({ dueOn: '2099-10-31', extension: { state: 'refused', decisionReason: '理由不充分' } });
      const other = await liaisonB.post(`/api/findings/${id}/request-extension`, {
        newDueOn: '2099-12-31',
        reason: 'x',
      });
      expect(other.status).toBe(403);
    });

    it('requires a new due date when a 限期整改 closure is rejected', async () => {
      const id = await inProgressFinding('食堂从业人员未经培训上岗');
      await liaisonA.post(`/api/findings/${id}/request-closure`, { evidence: ['培训记录'], signedOffBy: '局长 李明' });
      const bare = await official.post(`/api/findings/${id}/verify`, { accepted: false, reason: '材料不全' });
      expect(bare.status).toBe(400);
      expect(bare.body.code).toBe('NEW_DUE_DATE_REQUIRED');
      expect(bare.body.errors[0]).toMatchObject({ field: 'dueOn' });
      const res = await official.post(`/api/findings/${id}/verify`, {
        accepted: false,
        reason: '材料不全',
        dueOn: '2099-11-15',
      });
      expect(res.status).toBe(200);
      const r = (await official.get(`/api/findings/${id}`)).body.rectification;
      expect(r).toMatchObject({ dueOn: '2099-11-15', originalDueOn: '2099-10-31' });
    });
  });

  describe('红牌清单, lead deadlines and results', () => {
    let overdueId: string, leadId: string;
    /** Dashboards read the read models: wait until they have every event written so far. */
    // Read after the last event written. On PostgreSQL not the visible head: that stops below any transaction
    // still running (the projector's own, say), so it can lag behind a command that has already answered.
    const fresh = async () => {
      if (onEsdb) return { 'x-min-position': String(await eventStoreOf(t.app).headPosition()) };
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      try {
        const { rows } = await c.query<{ p: string }>(
          'SELECT coalesce(max(position), 0) AS p FROM event_store.es_events',
        );
        return { 'x-min-position': rows[0].p };
      } finally {
        await c.end();
      }
    };

    beforeAll(async () => {
      overdueId = await inProgressFinding('食堂食品留样柜损坏未修');
      await official.post(`/api/findings/${overdueId}/supervise`, {
        level: 'reminder',
        text: '请抓紧整改。',
        respondBy: '2099-09-01',
      });
      await liaisonA.post(`/api/findings/${overdueId}/request-extension`, {
        newDueOn: '2099-12-31',
        reason: '需采购新设备',
      });
      const recorded = await inspector.post(`/api/rounds/${roundId}/leads`, {
        monitoringPointId: pointId,
        source: 'petition',
        summary: '反映食堂承包经营中存在利益输送',
      });
      leadId = recorded.body.leadId;
      expect((await official.post(`/api/leads/${leadId}/triage`, { decision: 'transfer' })).status).toBe(200);
      const transfer = await official.post(`/api/leads/${leadId}/transfer`, {
        receiver: 'discipline_commission',
        feedbackDueOn: '2099-06-30',
      });
      expect(transfer.status).toBe(200);
    });

    it('lists a rectification once it is past due on the day asked, with notices and the extension', async () => {
      const on = '2099-11-10';
      const res = await auditor.get(`/api/dashboard/red-list?roundId=${roundId}&on=${on}`, await fresh());
      expect(res.status).toBe(200);
      expect(res.body.on).toBe(on);
      const item = res.body.findings.find((f: { findingId: string }) => f.findingId === overdueId);
      expect(item).toMatchObject({
        title: '食堂食品留样柜损坏未修',
        department: '区教育局',
        dueOn: '2099-10-31',
        originalDueOn: '2099-10-31',
        daysOverdue: 10,
        notices: 1,
        extension: { state: 'requested', requestedDueOn: '2099-12-31' },
      });
      const before = await auditor.get(`/api/dashboard/red-list?roundId=${roundId}&on=2099-10-31`, await fresh());
      expect(before.body.findings.map((f: { findingId: string }) => f.findingId)).not.toContain(overdueId);
    });

    it('lists a transferred lead past its feedback deadline, counts it 超期未反馈, and keeps transfers cumulative', async () => {
      const red = (await official.get(`/api/dashboard/red-list?roundId=${roundId}&on=2099-07-10`, await fresh())).body;
      expect(red.leads).toEqual([
        expect.objectContaining({
          leadId,
          feedbackDueOn: '2099-06-30',
          daysOverdue: 10,
          receiver: 'discipline_commission',
        }),
      ]);
      const overview = (await official.get(`/api/dashboard/overview?roundId=${roundId}&on=2099-07-10`, await fresh()))
        .body;
      expect(overview.leadFigures).toEqual({ transferredTotal: 1, overdueFeedback: 1 });
      const earlier = (await official.get(`/api/dashboard/overview?roundId=${roundId}&on=2099-06-30`, await fresh()))
        .body;
      expect(earlier.leadFigures.overdueFeedback).toBe(0);
    });

    it('totals sanctions by kind and recovered funds from outcomes; the lead leaves the red list', async () => {
      await official.post(`/api/leads/${leadId}/receive`);
      await official.post(`/api/leads/${leadId}/dispose`, { method: 'preliminary_verification' });
      const outcome = await official.post(`/api/leads/${leadId}/outcome`, {
        outcome: 'case_opened',
        sanctions: [
          { kind: 'party', count: 2 },
          { kind: 'government', count: 1 },
        ],
        recoveredFunds: 86000.5,
      });
      expect(outcome.status).toBe(200);
      // Read after the outcome's own position (the log's visible head can lag while another transaction runs).
      const after = { 'x-min-position': String(outcome.body.position) };
      const overview = (await official.get(`/api/dashboard/overview?roundId=${roundId}&on=2099-07-10`, after)).body;
      expect(overview).toMatchObject({
        sanctions: { party: 2, government: 1, organizational: 0 },
        recoveredFunds: 86000.5,
        leadFigures: { transferredTotal: 1, overdueFeedback: 0 },
      });
      const red = (await official.get(`/api/dashboard/red-list?roundId=${roundId}&on=2099-07-10`, after)).body;
      expect(red.leads).toEqual([]);
      const bad = await official.get(`/api/dashboard/red-list?on=2099-02-30`, await fresh());
      expect(bad.status).toBe(400);
      expect((await liaisonA.get(`/api/dashboard/red-list`)).status).toBe(403);
    });

    it('refuses a sanction kind unknown and funds below zero', async () => {
      const bad = await official.post(`/api/leads/${leadId}/outcome`, {
        outcome: 'case_opened',
        sanctions: [{ kind: 'moral', count: 1 }],
      });
      expect(bad.status).toBe(400);
      const negative = await official.post(`/api/leads/${leadId}/outcome`, { outcome: 'cleared', recoveredFunds: -5 });
      expect(negative.status).toBe(400);
    });

    it('shows the original and the extended deadline and the Terms columns in the ledger', async () => {
      await official.post(`/api/findings/${overdueId}/decide-extension`, { granted: true });
      const csv = await official
        .get(`/api/exports/ledger?roundId=${roundId}&format=csv`, await fresh())
        .buffer(true)
        .parse(binary);
      expect(csv.status).toBe(200);
      const text = (csv.body as Buffer).toString('utf8');
      const [header, ...lines] = text.replace(/^\uFEFF/, '').split('\r\n');
      for (const column of [
        '问题表现',
        '牵头单位',
        '配合单位',
        '责任领导',
        '整改目标',
        '佐证材料',
        '验收意见',
        '重新整改次数',
      ]) {
        expect(header.split(',')).toContain(column);
      }
      const line = lines.find((l) => l.includes('食堂食品留样柜损坏未修'))!;
      expect(line).toContain('2099-10-31'); // original
      expect(line).toContain('2099-12-31'); // extended
      expect(line).toContain('已同意延期');
    });
  });
});
