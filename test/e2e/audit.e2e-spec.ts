import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createUser, loginAdmin, type Actor } from '../support/actors.js';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';

const run = promisify(execFile);
const cli = path.resolve('dist/apps/api/src/cli/audit-verify.js');

/** The auditor's integrity checks over HTTP and from the CLI, against four kinds of tampering. */
describe('audit: the log, and verification over HTTP and the CLI', () => {
  let t: TestApp;
  let official: Actor, inspector: Actor, auditor: Actor;
  let db: pg.Client;
  const findings: string[] = [];

  async function verifyCli(streamId?: string): Promise<{ code: number; out: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...(streamId ? [streamId] : [])], {
        env: { ...process.env, DATABASE_URL: t.appUrl, DATABASE_OWNER_URL: t.ownerUrl, NODE_OPTIONS: '' },
      });
      return { code: 0, out: stdout + stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  }

  async function tamper(sql: string, params: unknown[]) {
    await db.query('SET session_replication_role = replica');
    try {
      await db.query(sql, params);
    } finally {
      await db.query('SET session_replication_role = DEFAULT');
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    const admin = await loginAdmin(t);
    const dept = (await admin.post('/api/departments', { name: '区应急管理局', kind: 'bureau' })).body.departmentId;
    official = await createUser(t, admin, 'official.audit', 'official');
    inspector = await createUser(t, admin, 'inspector.audit', 'inspector');
    auditor = await createUser(t, admin, 'auditor.audit', 'auditor');
    const roundId = (
      await official.post('/api/rounds', {
        title: '电动车安全隐患专项',
        kind: 'special',
        scope: '电动车',
        startsOn: '2024-09-01',
        endsOn: '2024-09-30',
      })
    ).body.roundId;
    const fieldId = (await official.post(`/api/rounds/${roundId}/fields`, { name: '电动车安全隐患' })).body.fieldId;
    const pointId = (
      await official.post(`/api/rounds/${roundId}/monitoring-points`, {
        fieldId,
        title: '楼道充电',
        targets: [{ kind: 'department', name: '区应急管理局', departmentId: dept }],
      })
    ).body.pointId;
    await official.post(`/api/rounds/${roundId}/station`);
    for (let i = 0; i < 5; i++) {
      const id = (
        await inspector.post(`/api/rounds/${roundId}/findings`, {
          monitoringPointId: pointId,
          departmentId: dept,
          title: `楼道违规充电 ${i}`,
          description: '现场检查发现',
        })
      ).body.findingId;
      await official.post(`/api/findings/${id}/assign`, {
        type: 'deadline',
        departmentId: dept,
        responsiblePerson: '周敏',
        dueOn: '2024-10-15',
      });
      await official.post(`/api/findings/${id}/dismiss`, { reason: 'x' }).catch(() => undefined);
      findings.push(id);
    }
    await eventStoreOf(t.app).seal();
    db = new pg.Client({ connectionString: t.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('pages through the whole log in order with hashes, for auditors and officials only', async () => {
    // The log only shows what no older transaction can still precede; on a busy shared server that may take a moment.
    let first = (await auditor.get('/api/audit/events?limit=5').expect(200)).body;
    for (let i = 0; i < 100 && first.items.length < 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
      first = (await auditor.get('/api/audit/events?limit=5').expect(200)).body;
    }
    expect(first.items).toHaveLength(5);
    expect(first.items[0]).toMatchObject({
      position: expect.any(Number),
      streamId: expect.any(String),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      actor: expect.any(Object),
    });
    const next = (await auditor.get(`/api/audit/events?fromPosition=${first.nextFromPosition}&limit=5`).expect(200))
      .body;
    expect(next.items[0].position).toBeGreaterThan(first.items[4].position);
    expect((await inspector.get('/api/audit/events')).status).toBe(403);
    expect((await auditor.get('/api/audit/events?limit=5000')).status).toBe(400);
  });

  it('says all is intact with counts, over HTTP and from the CLI', async () => {
    const report = (await auditor.get('/api/audit/verify').expect(200)).body;
    expect(report).toMatchObject({ ok: true, sealsChecked: 1 });
    expect(report.eventsChecked).toBeGreaterThan(10);
    const out = await verifyCli();
    expect(out.code).toBe(0);
    expect(out.out).toMatch(/intact: \d+ events in \d+ streams/);
  });

  // Tampering goes through SQL on the PostgreSQL event store; with EVENT_STORE=esdb (npm run test:e2e:esdb)
  // the log is in EventStoreDB, where these edits cannot be made (the contract suite covers its verification).
  if (process.env.EVENT_STORE !== 'esdb') {
    it.each([
      [
        'an edited payload',
        0,
        `UPDATE event_store.es_events SET data = jsonb_set(data, '{title}', '"已整改"') WHERE stream_id = $1 AND revision = 1`,
        1,
      ],
      ['a deleted event', 1, `DELETE FROM event_store.es_events WHERE stream_id = $1 AND revision = 1`, 1],
      [
        'two swapped events',
        2,
        `UPDATE event_store.es_events SET revision = CASE revision WHEN 1 THEN 2 ELSE 1 END + 1000 WHERE stream_id = $1 AND revision IN (1, 2)`,
        1,
      ],
      [
        'a forged event',
        3,
        `INSERT INTO event_store.es_events (position, transaction_id, stream_id, revision, id, type, data, metadata, recorded_at, prev_hash, hash)
          SELECT 0, pg_current_xact_id(), stream_id, 3, gen_random_uuid(), 'RectificationVerified', '{}', metadata, now(), hash, hash FROM event_store.es_events WHERE stream_id = $1 AND revision = 2`,
        3,
      ],
    ] as const)(
      'PostgreSQL event store: reports %s with the stream and revision, over HTTP and from the CLI',
      async (_what, index, sql, revision) => {
        const streamId = `finding-${findings[index]}`;
        await tamper(sql, [streamId]);
        if (sql.includes('+ 1000'))
          await tamper(
            `UPDATE event_store.es_events SET revision = revision - 1000 WHERE stream_id = $1 AND revision > 1000`,
            [streamId],
          );
        const report = (await auditor.get(`/api/audit/verify?streamId=${streamId}`).expect(200)).body;
        expect(report.ok).toBe(false);
        expect(report.firstBreak).toMatchObject({ streamId, revision });
        const all = (await auditor.get('/api/audit/verify').expect(200)).body;
        expect(all.ok).toBe(false);
        const out = await verifyCli(streamId);
        expect(out.code).toBe(1);
        expect(out.out).toContain(`stream ${streamId}, revision ${revision}`);
        expect((await verifyCli()).code).toBe(1);
      },
    );
  }
});
