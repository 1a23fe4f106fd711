import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { decideLead, initialLeadState, leadStream } from '@app/domain';
import type { AuthUser } from '../../apps/api/src/auth/auth-user.js';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';
import { PersonalDataService, REDACTED } from '../../apps/api/src/personal-data/index.js';
import { PersonalDataController } from '../../apps/api/src/personal-data/personal-data.controller.js';
import { ProblemFilter } from '../../apps/api/src/http/problem.filter.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The problem+json a refusal of the service answers (its code's status comes from the one table). */
const answered = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => new ProblemFilter().toProblem(error),
  );

const SUBJECT = '王建国';
const SUBJECT_2 = '李秀英';
const INFORMANT = '赵举报';
const CONTACT = '13800001234';

const user = (role: AuthUser['role'], username: string): AuthUser => ({ id: randomUUID(), username, role });
const official = user('official', 'official-zhou');
const inspector = user('inspector', 'inspector-chen');
const auditor = user('auditor', 'auditor-sun');
const liaison = user('unit_liaison', 'liaison-qian');

const containsUtf8 = (bytes: Buffer, text: string): boolean => bytes.includes(Buffer.from(text, 'utf8'));

describe('personal data of leads: encrypted, read-logged, erasable', () => {
  let t: TestApp;
  let db: pg.Client;
  let dataDir: string;
  let service: PersonalDataService;
  const leadId = randomUUID();
  let subjectRef: string;
  let subject2Ref: string;
  let informantRef: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-pd-e2e-'));
    t = await startTestApp({ DATA_DIR: dataDir });
    db = new pg.Client({ connectionString: t.url });
    await db.connect();
    service = t.app.get(PersonalDataService);

    [subjectRef, subject2Ref, informantRef] = await service.protect([
      { kind: 'lead_subject', value: { name: SUBJECT } },
      { kind: 'lead_subject', value: { name: SUBJECT_2 } },
      { kind: 'informant', value: { name: INFORMANT, contact: CONTACT } },
    ]);
    // The event the lead module will write: references only (a post travels with the name), built by the real decider.
    const events = decideLead(
      {
        type: 'RecordLead',
        data: {
          leadId,
          roundId: randomUUID(),
          source: 'petition',
          summary: '反映某街道执法队员在夜市检查中选择性执法',
          subjects: [{ ref: subjectRef }, { ref: subject2Ref }],
          informantRef,
        },
        metadata: { now: new Date().toISOString() },
      },
      initialLeadState(),
    );
    await eventStoreOf(t.app).appendToStream(
      leadStream(leadId),
      events.map((e) => ({
        type: e.type,
        data: e.data,
        metadata: { actor: { id: inspector.id, username: inspector.username, role: inspector.role } },
      })),
      { expectedRevision: 'no_stream' },
    );
  });

  afterAll(async () => {
    await db?.end();
    await t?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  // Without PERSONAL_DATA_KEY in the environment the app falls back to a key file in DATA_DIR.
  (process.env.PERSONAL_DATA_KEY ? it.skip : it)(
    'keeps the master key in <DATA_DIR>/personal-data.key, readable by the owner only',
    async () => {
      const stat = await fs.stat(path.join(dataDir, 'personal-data.key'));
      expect(stat.mode & 0o777).toBe(0o600);
    },
  );

  it('stores no name in clear: not in the event log, not in any personal-data table', async () => {
    const names = [SUBJECT, SUBJECT_2, INFORMANT, CONTACT];
    // readAll shows only what no older open transaction (e.g. the projector's) can still precede: wait for the head.
    const store = eventStoreOf(t.app);
    const written = (await store.readStream(`lead-${leadId}`)).at(-1)!.position;
    for (let i = 0; i < 200 && (await store.headPosition()) < written; i++) await new Promise((r) => setTimeout(r, 25));
    const log = JSON.stringify(await store.readAll());
    expect(log).toContain(subjectRef);
    expect(log).toContain(informantRef);
    for (const name of names) expect(log).not.toContain(name);

    const { rows } = await db.query<{
      ref: string;
      kind: string;
      ciphertext: Buffer;
      iv: Buffer;
      tag: Buffer;
      key: Buffer;
    }>(
      `SELECT d.ref, d.kind, d.ciphertext, d.iv, d.tag, k.key FROM personal_data d JOIN personal_data_keys k USING (subject_id) ORDER BY d.kind, d.ref`,
    );
    expect(rows.map((r) => r.ref).sort()).toEqual([subjectRef, subject2Ref, informantRef].sort());
    for (const row of rows) {
      const bytes = Buffer.concat([row.ciphertext, row.iv, row.tag, row.key]);
      for (const name of names) expect(containsUtf8(bytes, name)).toBe(false);
    }
    // Also as the database would print it (e.g. in a dump).
    const dump = await db.query(
      `SELECT row_to_json(x)::text AS j FROM (SELECT * FROM personal_data) x UNION ALL SELECT row_to_json(y)::text FROM (SELECT * FROM personal_data_keys) y`,
    );
    for (const { j } of dump.rows as Array<{ j: string }>) for (const name of names) expect(j).not.toContain(name);
  });

  it('shows names to an official and records one read per ref, with reader, lead and purpose', async () => {
    const shown = await service.reveal([subjectRef, informantRef, subjectRef], official, { leadId, purpose: 'triage' });
    expect(shown.get(subjectRef)).toEqual({ status: 'revealed', kind: 'lead_subject', value: { name: SUBJECT } });
    expect(shown.get(informantRef)).toEqual({
      status: 'revealed',
      kind: 'informant',
      value: { name: INFORMANT, contact: CONTACT },
    });

    const reads = await service.readsOf(leadId);
    expect(reads).toHaveLength(2);
    expect(reads.map((r) => r.ref).sort()).toEqual([subjectRef, informantRef].sort());
    for (const read of reads) {
      expect(read).toMatchObject({
        leadId,
        reader: { id: official.id, username: official.username, role: 'official' },
        purpose: 'triage',
        outcome: 'revealed',
      });
      expect(Date.now() - Date.parse(read.readAt)).toBeLessThan(60_000);
    }
  });

  it('shows names to the inspector who records leads', async () => {
    const shown = await service.reveal([subject2Ref], inspector, { leadId, purpose: 'edit lead' });
    expect(shown.get(subject2Ref)).toMatchObject({ status: 'revealed', value: { name: SUBJECT_2 } });
  });

  it('redacts every character of the name for an auditor and a unit liaison, and still records the read', async () => {
    for (const reader of [auditor, liaison]) {
      const before = (await service.readsOf(leadId)).length;
      const shown = await service.reveal([subjectRef, informantRef], reader, { leadId, purpose: 'history review' });
      expect(shown.get(subjectRef)).toEqual({
        status: 'redacted',
        kind: 'lead_subject',
        redacted: true,
        value: { name: REDACTED },
      });
      expect(shown.get(informantRef)).toEqual({
        status: 'redacted',
        kind: 'informant',
        redacted: true,
        value: { name: REDACTED },
      });
      const text = JSON.stringify([...shown.values()]);
      for (const part of [SUBJECT, SUBJECT_2, INFORMANT, CONTACT, SUBJECT[0], INFORMANT[0]])
        expect(text).not.toContain(part);
      const reads = await service.readsOf(leadId);
      expect(reads.slice(before)).toEqual([
        expect.objectContaining({
          reader: expect.objectContaining({ id: reader.id, role: reader.role }),
          outcome: 'redacted',
        }),
        expect.objectContaining({
          reader: expect.objectContaining({ id: reader.id, role: reader.role }),
          outcome: 'redacted',
        }),
      ]);
    }
  });

  it('reveals nothing when the read cannot be recorded', async () => {
    await db.query(
      `CREATE FUNCTION refuse_reads() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'log unavailable'; END $$`,
    );
    await db.query(
      `CREATE TRIGGER refuse_reads BEFORE INSERT ON personal_data_reads FOR EACH ROW EXECUTE FUNCTION refuse_reads()`,
    );
    try {
      await expect(service.reveal([subjectRef], official, { leadId, purpose: 'triage' })).rejects.toThrow(
        /log unavailable/,
      );
    } finally {
      await db.query(`DROP TRIGGER refuse_reads ON personal_data_reads; DROP FUNCTION refuse_reads()`);
    }
  });

  it('keeps the access log append-only', async () => {
    await expect(db.query(`UPDATE personal_data_reads SET reader_username = 'someone else'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query(`DELETE FROM personal_data_reads`)).rejects.toThrow(/append-only/);
  });

  it('requires a purpose for every read', async () => {
    expect(await answered(service.reveal([subjectRef], official, { leadId, purpose: ' ' }))).toMatchObject({
      status: 400,
    });
  });

  it('lets only an official erase, and only with a reason', async () => {
    expect(await answered(service.erase(subjectRef, auditor, 'court order'))).toMatchObject({ status: 403 });
    expect(await answered(service.erase(subjectRef, inspector, 'court order'))).toMatchObject({ status: 403 });
    expect(await answered(service.erase(subjectRef, official, '  '))).toMatchObject({ status: 400 });
    expect(await answered(service.erase(randomUUID(), official, 'court order'))).toMatchObject({
      status: 404,
      code: 'PERSONAL_DATA_NOT_FOUND',
    });
  });

  it('erases by destroying the key: the ciphertext stays, the name is gone for good, the log still verifies', async () => {
    const erased = await service.erase(subjectRef, official, '依法删除申请（测试）');
    expect(erased).toMatchObject({
      refs: [subjectRef],
      alreadyErased: false,
      erasedBy: { id: official.id },
      reason: '依法删除申请（测试）',
    });

    const shown = await service.reveal([subjectRef, subject2Ref], official, { leadId, purpose: 'after erasure' });
    expect(shown.get(subjectRef)).toMatchObject({ status: 'erased', erased: true, kind: 'lead_subject' });
    expect(JSON.stringify(shown.get(subjectRef))).not.toContain(SUBJECT);
    expect(shown.get(subject2Ref)).toMatchObject({ status: 'revealed', value: { name: SUBJECT_2 } });
    expect((await service.readsOf(leadId)).at(-2)).toMatchObject({ ref: subjectRef, outcome: 'erased' });

    const { rows } = await db.query(
      `SELECT d.ciphertext, k.key, k.destroyed_at, k.destroyed_by, k.reason FROM personal_data d JOIN personal_data_keys k USING (subject_id) WHERE d.ref = $1`,
      [subjectRef],
    );
    expect(rows[0].ciphertext.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ key: null, destroyed_by: official.id, reason: '依法删除申请（测试）' });
    expect(rows[0].destroyed_at).toBeInstanceOf(Date);

    // A destroyed key cannot be put back, and a repeated request reports the first erasure.
    await expect(
      db.query(`UPDATE personal_data_keys SET key = $1, destroyed_at = NULL WHERE subject_id = $2`, [
        randomBytes(61),
        erased.subjectId,
      ]),
    ).rejects.toThrow(/destroyed/);
    await expect(service.erase(erased.subjectId, user('official', 'official-li'), 'again')).resolves.toMatchObject({
      alreadyErased: true,
      erasedBy: { id: official.id },
      reason: '依法删除申请（测试）',
    });

    const store = eventStoreOf(t.app);
    await store.seal();
    const report = await store.verifyAll();
    expect(report).toMatchObject({ ok: true, eventsChecked: 1 });
    expect(JSON.stringify(await store.readAll())).toContain(subjectRef);
  });

  it('joins a caller transaction: nothing is stored when it rolls back', async () => {
    const dataSource = t.app.get(DataSource);
    let refs: string[] = [];
    await expect(
      dataSource.transaction(async (manager) => {
        refs = await service.protect([{ kind: 'lead_subject', value: { name: '回滚人' } }], manager);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(refs).toHaveLength(1);
    const { rowCount } = await db.query(`SELECT 1 FROM personal_data WHERE ref = $1`, [refs[0]]);
    expect(rowCount).toBe(0);
  });

  it('refuses to start with a master key that does not open the stored keys', async () => {
    const other = new PersonalDataService(t.app.get(DataSource), { key: randomBytes(32), source: 'PERSONAL_DATA_KEY' });
    await expect(other.onModuleInit()).rejects.toThrow(
      /master key from PERSONAL_DATA_KEY does not open the keys already in the database/,
    );
  });

  describe('over HTTP', () => {
    it('answers 401 without a token', async () => {
      await t.http.get(`/api/leads/${leadId}/personal-data-reads`).expect(401);
      await t.http.post(`/api/personal-data/${subject2Ref}/erase`).send({ reason: 'x' }).expect(401);
    });

    it('lists the access log of a lead for officials and auditors, 404 for an unknown lead, 403 for others', async () => {
      const controller = t.app.get(PersonalDataController);
      const { items } = await controller.reads(leadId, auditor);
      expect(items.length).toBeGreaterThanOrEqual(8);
      expect(items[0]).toMatchObject({
        leadId,
        reader: { username: official.username },
        outcome: 'revealed',
        purpose: 'triage',
      });
      await expect(controller.reads(randomUUID(), official)).rejects.toMatchObject({
        status: 404,
        code: 'LEAD_NOT_FOUND',
      });
      await expect(controller.reads(leadId, inspector)).rejects.toMatchObject({ status: 403 });
      await expect(controller.erase(subject2Ref, { reason: 'x' }, auditor)).rejects.toMatchObject({ status: 403 });
    });
  });
});
