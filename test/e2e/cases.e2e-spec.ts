import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createUser, loginAdmin, type Actor } from '../support/actors.js';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';
import { CommandRunner } from '../../apps/api/src/cases/application/command-runner.js';

/**
 * Every workflow of docs/domain.md over HTTP against the real app and PostgreSQL, and every kind of
 * refusal, each followed by a check that the case's revision did not move.
 */
describe('rounds, findings and leads over HTTP', () => {
  let t: TestApp;
  let admin: Actor,
    official: Actor,
    official2: Actor,
    inspector: Actor,
    liaisonA: Actor,
    liaisonB: Actor,
    auditor: Actor;
  let deptA: string, deptB: string, roundId: string, fieldId: string, pointId: string;

  const revisionOf = async (path: string) => Number(JSON.parse((await official.get(path)).headers.etag));

  async function recordFinding(title = '学校食堂食材采购台账不全'): Promise<string> {
    const res = await inspector.post(`/api/rounds/${roundId}/findings`, {
      monitoringPointId: pointId,
      departmentId: deptA,
      title,
      description: '抽查3所学校，食材索证索票不全。',
    });
    expect(res.status).toBe(201);
    return res.body.findingId;
  }

  async function assign(findingId: string, type: 'immediate' | 'deadline' | 'long_term', dueOn = '2024-10-31') {
    const res = await official.post(`/api/findings/${findingId}/assign`, {
      type,
      departmentId: deptA,
      responsiblePerson: '王建国',
      dueOn,
    });
    expect(res.status).toBe(200);
    return res;
  }

  async function toPendingVerification(findingId: string, type: 'deadline' | 'long_term' = 'deadline') {
    await assign(findingId, type);
    expect((await liaisonA.post(`/api/findings/${findingId}/acknowledge`)).status).toBe(200);
    expect(
      (
        await liaisonA.post(`/api/findings/${findingId}/plan`, {
          measures: '建立食材进货查验台账',
          target: '10月底前全部学校建立台账',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await liaisonA.post(`/api/findings/${findingId}/progress`, {
          note: '已完成2所学校',
          percent: 60,
          evidence: ['台账照片-1.jpg'],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await liaisonA.post(`/api/findings/${findingId}/request-closure`, {
          evidence: ['整改报告.pdf'],
          signedOffBy: '局长 李明',
        })
      ).status,
    ).toBe(200);
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t);
    deptA = (await admin.post('/api/departments', { name: '区教育局', kind: 'bureau' })).body.departmentId;
    deptB = (await admin.post('/api/departments', { name: '区民政局', kind: 'bureau' })).body.departmentId;
    official = await createUser(t, admin, 'official1', 'official');
    official2 = await createUser(t, admin, 'official2', 'official');
    inspector = await createUser(t, admin, 'inspector1', 'inspector');
    liaisonA = await createUser(t, admin, 'liaison.edu', 'unit_liaison', deptA);
    liaisonB = await createUser(t, admin, 'liaison.civil', 'unit_liaison', deptB);
    auditor = await createUser(t, admin, 'auditor1', 'auditor');

    const round = await official.post('/api/rounds', {
      title: '平城区困难群众救助和基层执法领域机动式巡察',
      kind: 'mobile',
      scope: '困难群众救助领域和基层执法领域',
      startsOn: '2024-08-26',
      endsOn: '2024-10-31',
    });
    expect(round.status).toBe(201);
    roundId = round.body.roundId;
    fieldId = (await official.post(`/api/rounds/${roundId}/fields`, { name: '校园食品安全' })).body.fieldId;
    const point = await inspector.post(`/api/rounds/${roundId}/monitoring-points`, {
      fieldId,
      title: '学校食堂食材采购与查验',
      targets: [
        { kind: 'department', name: '区教育局', departmentId: deptA },
        { kind: 'post', name: '食堂管理员' },
      ],
    });
    expect(point.status).toBe(201);
    pointId = point.body.pointId;
    expect(
      (await official.post(`/api/rounds/${roundId}/station`, { occurredAt: '2024-08-26T09:00:00+08:00' })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('the round', () => {
    it('answers its state with fields, points and the revision as ETag', async () => {
      const res = await auditor.get(`/api/rounds/${roundId}`).expect(200);
      expect(res.body).toMatchObject({
        status: 'stationed',
        kind: 'mobile',
        revision: 4,
        fields: [{ fieldId, name: '校园食品安全' }],
      });
      expect(res.body.monitoringPoints[0]).toMatchObject({ pointId, fieldId });
      expect(res.headers.etag).toBe('"4"');
    });

    it('walks the whole lifecycle to archived and keeps the stated occurredAt', async () => {
      const r = (
        await official.post('/api/rounds', {
          title: '专项巡察',
          kind: 'special',
          scope: '医保基金',
          startsOn: '2024-09-01',
          endsOn: '2024-09-30',
        })
      ).body.roundId;
      for (const step of ['station', 'report', 'deliver-feedback', 'start-rectification', 'evaluate', 'archive']) {
        const res = await official.post(`/api/rounds/${r}/${step}`, { occurredAt: '2024-09-10T10:00:00+08:00' });
        expect(res.status).toBe(200);
      }
      expect((await official.get(`/api/rounds/${r}`)).body.status).toBe('archived');
      const history = (await auditor.get(`/api/rounds/${r}/history`).expect(200)).body;
      expect(history.events.map((e: { type: string }) => e.type)).toEqual([
        'RoundPlanned',
        'RoundStationed',
        'RoundReported',
        'RoundFeedbackDelivered',
        'RoundRectificationStarted',
        'RoundEvaluated',
        'RoundArchived',
      ]);
      expect(history.events[1]).toMatchObject({
        occurredAt: '2024-09-10T02:00:00.000Z',
        backdated: true,
        label: expect.any(String),
      });
      const refused = await official.post(`/api/rounds/${r}/station`);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('ROUND_NOT_PLANNED');
    });

    it('refuses a finding whose monitoring point is not part of the round', async () => {
      const before = await revisionOf(`/api/rounds/${roundId}`);
      const res = await inspector.post(`/api/rounds/${roundId}/findings`, {
        monitoringPointId: crypto.randomUUID(),
        departmentId: deptA,
        title: 't',
        description: 'd',
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'MONITORING_POINT_NOT_FOUND', errors: [{ field: 'monitoringPointId' }] });
      expect(await revisionOf(`/api/rounds/${roundId}`)).toBe(before);
    });

    it('refuses a finding for an unknown department with a field error', async () => {
      const res = await inspector.post(`/api/rounds/${roundId}/findings`, {
        monitoringPointId: pointId,
        departmentId: crypto.randomUUID(),
        title: 't',
        description: 'd',
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'DEPARTMENT_NOT_FOUND',
        errors: [{ field: 'departmentId', rule: 'exists' }],
      });
    });
  });

  describe('a finding and its rectification', () => {
    it('goes recorded → assigned → acknowledged → plan → progress → closure requested → verified → closed', async () => {
      const id = await recordFinding();
      const recorded = await official.get(`/api/findings/${id}`).expect(200);
      expect(recorded.body).toMatchObject({
        status: 'recorded',
        fieldId,
        monitoringPointId: pointId,
        departmentId: deptA,
        revision: 1,
      });
      await toPendingVerification(id);
      expect((await official.get(`/api/findings/${id}`)).body.status).toBe('pending_verification');
      const verified = await official.post(`/api/findings/${id}/verify`, { accepted: true });
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ id, revision: 7, position: expect.any(Number) });
      expect(verified.headers.etag).toBe('"7"');
      expect(Number(verified.headers['x-event-position'])).toBe(verified.body.position);
      const closed = (await liaisonA.get(`/api/findings/${id}`).expect(200)).body;
      expect(closed).toMatchObject({
        status: 'closed',
        rectification: { type: 'deadline', progressPercent: 60, cycle: 1 },
      });

      const history = (await auditor.get(`/api/findings/${id}/history`).expect(200)).body;
      expect(history.events.map((e: { type: string; role: string }) => [e.type, e.role])).toEqual([
        ['FindingRecorded', 'inspector'],
        ['RectificationAssigned', 'official'],
        ['RectificationAcknowledged', 'unit_liaison'],
        ['RectificationPlanSubmitted', 'unit_liaison'],
        ['ProgressReported', 'unit_liaison'],
        ['ClosureRequested', 'unit_liaison'],
        ['RectificationVerified', 'official'],
      ]);
      for (const e of history.events) {
        expect(e.actor.username).toBeTruthy();
        expect(e.correlationId).toBeTruthy();
        expect(e.causationId).toBeTruthy();
        expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(history.events[1].prevHash).toBe(history.events[0].hash);
    });

    it('records the request id as correlation id on the events it writes', async () => {
      const res = await inspector.post(
        `/api/rounds/${roundId}/findings`,
        { monitoringPointId: pointId, departmentId: deptA, title: '标题', description: '描述' },
        { 'X-Request-Id': 'trace-abc-1' },
      );
      expect(res.headers['x-request-id']).toBe('trace-abc-1');
      const history = (await official.get(`/api/findings/${res.body.findingId}/history`)).body;
      expect(history.events[0]).toMatchObject({
        correlationId: 'trace-abc-1',
        actor: { id: inspector.id, username: 'inspector1', role: 'inspector' },
      });
    });

    it('closes an immediate (立行立改) rectification fixed on the spot', async () => {
      const id = await recordFinding('夜市摊点肉制品来源不明');
      await assign(id, 'immediate', '2024-08-30');
      expect(
        (
          await liaisonA.post(`/api/findings/${id}/request-closure`, {
            evidence: ['现场整改照片.jpg'],
            signedOffBy: '科长 赵强',
          })
        ).status,
      ).toBe(200);
      expect((await official.post(`/api/findings/${id}/verify`, { accepted: true })).status).toBe(200);
      expect((await official.get(`/api/findings/${id}`)).body).toMatchObject({
        status: 'closed',
        rectification: { type: 'immediate' },
      });
    });

    it('sends a rejected closure back to work, then reopens a closed one with the next cycle', async () => {
      const id = await recordFinding('低保审核把关不严');
      await toPendingVerification(id);
      // A rejected 限期整改 gets a new deadline (docs/domain.md "Supervision").
      const rejected = await official.post(`/api/findings/${id}/verify`, {
        accepted: false,
        reason: '佐证材料不足',
        dueOn: '2099-11-30',
      });
      expect(rejected.status).toBe(200);
      expect((await official.get(`/api/findings/${id}`)).body).toMatchObject({
        status: 'in_progress',
        rectification: { rejectedCount: 1 },
      });
      expect(
        (
          await liaisonA.post(`/api/findings/${id}/request-closure`, {
            evidence: ['补充材料.pdf'],
            signedOffBy: '局长 李明',
          })
        ).status,
      ).toBe(200);
      expect((await official.post(`/api/findings/${id}/verify`, { accepted: true })).status).toBe(200);
      const reopened = await official.post(`/api/findings/${id}/reopen`, {
        reason: '回头看发现问题反弹',
        dueOn: '2099-12-31',
      });
      expect(reopened.status).toBe(200);
      expect((await official.get(`/api/findings/${id}`)).body).toMatchObject({
        status: 'in_progress',
        rectification: { cycle: 2, reopenedCount: 1 },
      });
    });

    it('marks a long-term rectification as ongoing (阶段性完成、持续整改)', async () => {
      const id = await recordFinding('基层执法记录仪使用不规范');
      await toPendingVerification(id, 'long_term');
      expect(
        (
          await official.post(`/api/findings/${id}/verify`, {
            accepted: true,
            ongoing: true,
            reason: '制度已建立，需持续执行',
          })
        ).status,
      ).toBe(200);
      expect((await official.get(`/api/findings/${id}`)).body.status).toBe('ongoing');
      const bad = await recordFinding('另一个问题');
      await toPendingVerification(bad, 'deadline');
      const refused = await official.post(`/api/findings/${bad}/verify`, { accepted: true, ongoing: true });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('ONGOING_ONLY_FOR_LONG_TERM');
    });

    it('dismisses a recorded finding with a reason', async () => {
      const id = await recordFinding('经核实不属实的问题');
      expect((await official.post(`/api/findings/${id}/dismiss`, { reason: '经核实已于巡察前整改' })).status).toBe(200);
      expect((await official.get(`/api/findings/${id}`)).body.status).toBe('dismissed');
    });

    it('keeps when the team found the problem (发现时间); a time after the recording is refused, naming it', async () => {
      const body = {
        monitoringPointId: pointId,
        departmentId: deptA,
        title: '食堂留样不足48小时',
        description: '抽查发现。',
      };
      const foundOn = '2024-09-02T01:30:00.000Z';
      const res = await inspector.post(`/api/rounds/${roundId}/findings`, { ...body, occurredAt: foundOn });
      expect(res.status).toBe(201);
      const history = (await official.get(`/api/findings/${res.body.findingId}/history`)).body;
      expect(history.events[0]).toMatchObject({ type: 'FindingRecorded', occurredAt: foundOn });
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      const late = await inspector.post(`/api/rounds/${roundId}/findings`, { ...body, occurredAt: tomorrow });
      expect(late.status).toBe(400);
      expect(late.body).toMatchObject({ code: 'OCCURRED_IN_FUTURE' });
      expect(JSON.stringify(late.body.errors)).toContain('occurredAt');
    });

    it('answers the state as it was at an earlier moment (?asOf)', async () => {
      const id = await recordFinding();
      await assign(id, 'deadline');
      const history = (await official.get(`/api/findings/${id}/history`)).body;
      const firstAt = history.events[0].recordedAt;
      const then = await official.get(`/api/findings/${id}?asOf=${encodeURIComponent(firstAt)}`).expect(200);
      expect(then.body).toMatchObject({ status: 'recorded', revision: 1, asOf: firstAt });
      expect(then.headers.etag).toBe('"1"');
      const before = await official.get(`/api/findings/${id}?asOf=2020-01-01T00:00:00Z`);
      expect(before.status).toBe(404);
      expect((await official.get(`/api/findings/${id}?asOf=yesterday`)).status).toBe(400);
    });
  });

  describe('refusals write nothing', () => {
    let id: string;
    beforeAll(async () => {
      id = await recordFinding('用于拒绝测试的问题');
      await assign(id, 'deadline');
    });

    it('400 with one entry per offending field: unknown field, wrong enum, malformed date, oversized text', async () => {
      const before = await revisionOf(`/api/findings/${id}`);
      const res = await official.post(`/api/findings/${id}/assign`, {
        type: 'someday',
        departmentId: 'not-a-uuid',
        responsiblePerson: 'x'.repeat(101),
        dueOn: '31/10/2024',
        extra: 1,
      });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['type', 'departmentId', 'responsiblePerson', 'dueOn', 'extra']));
      expect(res.body.errors.find((e: { field: string }) => e.field === 'extra').rule).toBe('unknown_field');
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', title: 'Bad Request' });
      expect(await revisionOf(`/api/findings/${id}`)).toBe(before);
    });

    it('400 for a malformed id in the path and for a malformed JSON body', async () => {
      expect((await official.post('/api/findings/123/verify', { accepted: true })).body).toMatchObject({
        status: 400,
        errors: [{ field: 'id' }],
      });
      const raw = await t.http
        .post(`/api/findings/${id}/verify`)
        .set('Authorization', `Bearer ${official.token}`)
        .set('Content-Type', 'application/json')
        .send('{"accepted": tru');
      expect(raw.status).toBe(400);
      expect(raw.headers['content-type']).toMatch(/problem\+json/);
    });

    it('401 without a token or with a forged one', async () => {
      const before = await revisionOf(`/api/findings/${id}`);
      expect((await t.http.post(`/api/findings/${id}/acknowledge`).send({})).status).toBe(401);
      expect(
        (await t.http.post(`/api/findings/${id}/acknowledge`).set('Authorization', 'Bearer forged.token.here').send({}))
          .status,
      ).toBe(401);
      expect(await revisionOf(`/api/findings/${id}`)).toBe(before);
    });

    it('403 for a role that may not, and for the liaison of another department', async () => {
      const before = await revisionOf(`/api/findings/${id}`);
      const wrongRole = await inspector.post(`/api/findings/${id}/verify`, { accepted: true });
      expect(wrongRole.status).toBe(403);
      const otherDept = await liaisonB.post(`/api/findings/${id}/acknowledge`);
      expect(otherDept.status).toBe(403);
      expect(otherDept.body.code).toBe('NOT_YOUR_DEPARTMENT');
      // Reading another unit's finding: 404, as for an id that does not exist (its existence is not revealed).
      const otherRead = await liaisonB.get(`/api/findings/${id}`);
      expect([otherRead.status, otherRead.body.code]).toEqual([404, 'FINDING_NOT_FOUND']);
      expect((await admin.get(`/api/findings/${id}`)).status).toBe(403);
      expect(await revisionOf(`/api/findings/${id}`)).toBe(before);
    });

    it('404 for an unknown finding', async () => {
      const res = await official.post(`/api/findings/${crypto.randomUUID()}/verify`, { accepted: true });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('FINDING_NOT_FOUND');
      expect((await official.get(`/api/findings/${crypto.randomUUID()}`)).status).toBe(404);
    });

    it('409 naming the rule for a command not allowed in the current state', async () => {
      const before = await revisionOf(`/api/findings/${id}`);
      const res = await official.post(`/api/findings/${id}/verify`, { accepted: true });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ status: 409, code: 'FINDING_NOT_PENDING_VERIFICATION' });
      expect((await official.post(`/api/findings/${id}/dismiss`, { reason: '晚了' })).status).toBe(409);
      expect(await revisionOf(`/api/findings/${id}`)).toBe(before);
    });

    it('412 when If-Match names a revision the case has moved past; 200 when it matches', async () => {
      const before = await revisionOf(`/api/findings/${id}`);
      const stale = await liaisonA.post(`/api/findings/${id}/acknowledge`, {}, { 'If-Match': `"${before - 1}"` });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ code: 'REVISION_MISMATCH', actualRevision: before });
      expect(await revisionOf(`/api/findings/${id}`)).toBe(before);
      expect((await liaisonA.post(`/api/findings/${id}/acknowledge`, {}, { 'If-Match': 'garbage' })).status).toBe(400);
      const fresh = await liaisonA.post(`/api/findings/${id}/acknowledge`, {}, { 'If-Match': `"${before}"` });
      expect(fresh.status).toBe(200);
      expect(fresh.headers.etag).toBe(`"${before + 1}"`);
    });

    it('answers a repeated Idempotency-Key with the first response and writes nothing; another body with that key is 422', async () => {
      const key = `plan-${crypto.randomUUID()}`;
      const body = { measures: '完善制度', target: '年底前完成' };
      const first = await liaisonA.post(`/api/findings/${id}/plan`, body, { 'Idempotency-Key': key });
      expect(first.status).toBe(200);
      const again = await liaisonA.post(`/api/findings/${id}/plan`, body, { 'Idempotency-Key': key });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers.etag).toBe(first.headers.etag);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await revisionOf(`/api/findings/${id}`)).toBe(first.body.revision);
      const other = await liaisonA.post(
        `/api/findings/${id}/plan`,
        { ...body, target: '明年' },
        { 'Idempotency-Key': key },
      );
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      // Keys are per user: another user may use the same key for their own request.
      const created = await inspector.post(
        `/api/rounds/${roundId}/findings`,
        { monitoringPointId: pointId, departmentId: deptA, title: '同一个键', description: 'd' },
        { 'Idempotency-Key': key },
      );
      expect(created.status).toBe(201);
      const createdAgain = await inspector.post(
        `/api/rounds/${roundId}/findings`,
        { monitoringPointId: pointId, departmentId: deptA, title: '同一个键', description: 'd' },
        { 'Idempotency-Key': key },
      );
      expect(createdAgain.status).toBe(201);
      expect(createdAgain.body.findingId).toBe(created.body.findingId);
    });
  });

  it('lets exactly one of two officials verifying the same finding at once succeed', async () => {
    const id = await recordFinding('并发验收的问题');
    await toPendingVerification(id);
    const [a, b] = await Promise.all([
      official.post(`/api/findings/${id}/verify`, { accepted: true }),
      official2.post(`/api/findings/${id}/verify`, { accepted: true }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.code).toBe('FINDING_NOT_PENDING_VERIFICATION');
    const events = await eventStoreOf(t.app).readStream(`finding-${id}`);
    expect(events.filter((e) => e.type === 'RectificationVerified')).toHaveLength(1);
  });

  it('decides on fresh state when another process appended to a stream this process has cached', async () => {
    const id = await recordFinding('另一进程已验收的问题');
    await toPendingVerification(id);
    const store = eventStoreOf(t.app);
    const head = (await store.readStream(`finding-${id}`)).length;
    // As if another API instance had verified it: this process's cached state is now stale.
    await store.appendToStream(
      `finding-${id}`,
      [
        {
          type: 'RectificationVerified',
          data: { findingId: id, occurredAt: new Date().toISOString() },
          metadata: { actor: { id: official2.id, username: 'official2', role: 'official' } },
        },
      ],
      { expectedRevision: head },
    );
    const res = await official.post(`/api/findings/${id}/verify`, { accepted: true });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('FINDING_NOT_PENDING_VERIFICATION');
    const reopened = await official.post(`/api/findings/${id}/reopen`, { reason: '回头看', dueOn: '2099-12-31' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.revision).toBe(head + 2);
  });

  describe('leads and their disposition', () => {
    async function recordLead(): Promise<string> {
      const res = await inspector.post(`/api/rounds/${roundId}/leads`, {
        monitoringPointId: pointId,
        source: 'petition',
        summary: '群众反映某执法队员执法不规范',
        subjects: [{ name: '张伟', post: '执法队员', departmentId: deptB }],
        informant: { name: '李秀英', contact: '13800000000' },
      });
      expect(res.status).toBe(201);
      return res.body.leadId;
    }

    it("lists an inspector's own leads only, with summaries that name no one", async () => {
      const mine = await recordLead();
      const colleague = await createUser(t, admin, 'inspector.leads2', 'inspector');
      const recorded = await colleague.post(`/api/rounds/${roundId}/leads`, {
        source: 'interview',
        summary: '个别谈话反映的问题线索',
      });
      expect(recorded.status).toBe(201);
      const theirs = recorded.body.leadId as string;
      // Read the lists once the projection has the colleague's lead (it was written last).
      const fresh = { 'X-Min-Position': String(recorded.body.position) };
      const listed = async (who: Actor) =>
        ((await who.get(`/api/leads?roundId=${roundId}&pageSize=200`, fresh)).body.items as { leadId: string }[]).map(
          (l) => l.leadId,
        );
      const own = await listed(inspector);
      expect(own).toContain(mine);
      expect(own).not.toContain(theirs);
      expect(await listed(colleague)).toEqual([theirs]);
      expect(await listed(official)).toEqual(expect.arrayContaining([mine, theirs]));
      const page = await inspector.get(`/api/leads?roundId=${roundId}&pageSize=200`);
      expect(JSON.stringify(page.body)).not.toMatch(/张伟|李秀英|13800000000/);
    });

    it.each([
      ['talk_or_letter', 'reminder'],
      ['preliminary_verification', 'case_opened'],
      ['shelved', 'cleared'],
      ['concluded', null],
    ] as const)('goes from recorded to closed through disposition %s', async (method, outcome) => {
      const id = await recordLead();
      expect(
        (await official.post(`/api/leads/${id}/triage`, { decision: 'transfer', note: '移交区纪委监委' })).status,
      ).toBe(200);
      expect((await official.post(`/api/leads/${id}/transfer`, { receiver: 'discipline_commission' })).status).toBe(
        200,
      );
      expect((await official.post(`/api/leads/${id}/receive`)).status).toBe(200);
      expect((await official.post(`/api/leads/${id}/dispose`, { method })).status).toBe(200);
      if (outcome) {
        expect((await official.get(`/api/leads/${id}`)).body.status).toBe('disposing');
        expect((await official.post(`/api/leads/${id}/outcome`, { outcome, note: '已办结' })).status).toBe(200);
      }
      expect((await official.get(`/api/leads/${id}`)).body.status).toBe('concluded');
      expect((await official.post(`/api/leads/${id}/close`)).status).toBe(200);
      expect((await official.get(`/api/leads/${id}`)).body.status).toBe('closed');
    });

    it('a keyed RecordLead whose process died after its commit: the retry answers the same lead, vault rows once', async () => {
      const body = {
        monitoringPointId: pointId,
        source: 'petition',
        summary: '崩溃后重试的线索',
        subjects: [{ name: '王强', post: '科员', departmentId: deptB }],
        informant: { name: '赵敏', contact: '13900000000' },
      };
      const key = `lead-crash-${Date.now()}`;
      const first = await inspector.post(`/api/rounds/${roundId}/leads`, body, { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      // What a SIGKILL between the commit and the stored answer leaves: the claim pending. While its
      // lease runs, a repeat is told to wait; once it has run out, the repeat takes the claim over.
      const db = t.app.get(DataSource);
      await db.query(
        `UPDATE idempotency_keys SET status = 'pending', response = NULL, lease_until = now() + interval '1 minute'
          WHERE key = $1`,
        [key],
      );
      const waiting = await inspector.post(`/api/rounds/${roundId}/leads`, body, { 'Idempotency-Key': key });
      expect(waiting.status).toBe(409);
      expect(waiting.body.code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');
      expect(waiting.headers['retry-after']).toBe('1');
      await db.query(
        `UPDATE idempotency_keys SET status = 'pending', response = NULL, lease_until = now() - interval '1 second'
          WHERE key = $1`,
        [key],
      );
      const retried = await inspector.post(`/api/rounds/${roundId}/leads`, body, { 'Idempotency-Key': key });
      expect(retried.status).toBe(201);
      expect(retried.body).toMatchObject({
        leadId: first.body.leadId,
        revision: first.body.revision,
        position: first.body.position,
      });
      const events = await eventStoreOf(t.app).readStream(`lead-${first.body.leadId}`);
      expect(events.map((e) => e.type)).toEqual(['LeadRecorded']);
      const data = events[0].data as { subjects: Array<{ ref: string }>; informantRef: string };
      const refs = [data.subjects[0].ref, data.informantRef];
      const counted = `SELECT count(*)::int AS n FROM personal_data WHERE ref = ANY($1::uuid[])`;
      const [vault] = await db.query(counted, [refs]);
      expect(vault.n).toBe(2);
      const again = await inspector.post(`/api/rounds/${roundId}/leads`, body, { 'Idempotency-Key': key });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.leadId).toBe(first.body.leadId);
    });

    it('lets a disposition change while disposing (暂存待查 → 初步核实)', async () => {
      const id = await recordLead();
      await official.post(`/api/leads/${id}/triage`, { decision: 'transfer' });
      await official.post(`/api/leads/${id}/transfer`, { receiver: 'discipline_commission' });
      await official.post(`/api/leads/${id}/receive`);
      await official.post(`/api/leads/${id}/dispose`, { method: 'shelved' });
      expect((await official.post(`/api/leads/${id}/dispose`, { method: 'preliminary_verification' })).status).toBe(
        200,
      );
      expect((await official.get(`/api/leads/${id}`)).body).toMatchObject({
        status: 'disposing',
        disposition: 'preliminary_verification',
      });
    });

    it('never writes names or posts into events; officials see them, auditors see them redacted', async () => {
      const id = await recordLead();
      const events = await eventStoreOf(t.app).readStream(`lead-${id}`);
      const raw = JSON.stringify(events);
      expect(raw).not.toContain('张伟');
      expect(JSON.stringify(events[0].data)).not.toMatch(/"post"|"legacyPost"/);
      expect(raw).not.toContain('李秀英');
      expect(raw).not.toContain('13800000000');
      const seen = (await official.get(`/api/leads/${id}`).expect(200)).body;
      expect(seen.subjects[0]).toMatchObject({ name: '张伟', post: '执法队员', departmentId: deptB });
      expect(seen.informant).toMatchObject({ name: '李秀英' });
      const redacted = (await auditor.get(`/api/leads/${id}`).expect(200)).body;
      expect(JSON.stringify(redacted)).not.toContain('张伟');
      expect(JSON.stringify(redacted)).not.toContain('李秀英');
      // A post identifies the person as the name does: redacted alike.
      expect(JSON.stringify(redacted.subjects)).not.toContain('执法队员');
      expect(redacted.subjects[0]).toMatchObject({ redacted: true, name: '［已隐去］', post: '［已隐去］' });
      expect((await inspector.get(`/api/leads/${id}`)).status).toBe(403);
      const reads = (await auditor.get(`/api/leads/${id}/personal-data-reads`).expect(200)).body;
      expect(reads.items.some((r: { reader: { username: string } }) => r.reader.username === 'official1')).toBe(true);
    });

    it('reclassifies a lead as a finding: the finding is recorded, both are linked, the lead is closed', async () => {
      const id = await recordLead();
      const finding = {
        monitoringPointId: pointId,
        departmentId: deptA,
        title: '执法记录仪使用不规范',
        description: '线索反映的执法不规范问题属制度执行问题，转为问题整改。',
      };
      const res = await official.post(`/api/leads/${id}/triage`, {
        decision: 'reclassify_as_finding',
        note: '属制度执行问题',
        finding,
      });
      expect(res.status).toBe(200);
      const { findingId } = res.body;
      expect(findingId).toMatch(/^[0-9a-f-]{36}$/);
      const lead = (await official.get(`/api/leads/${id}`).expect(200)).body;
      expect(lead).toMatchObject({ status: 'closed', findingId, triage: { decision: 'reclassify_as_finding' } });
      const recorded = (await official.get(`/api/findings/${findingId}`).expect(200)).body;
      expect(recorded).toMatchObject({ status: 'recorded', leadId: id, roundId, title: finding.title, fieldId });
      const events = await eventStoreOf(t.app).readStream(`finding-${findingId}`);
      // The finding's event names the command that was sent, by the official who sent it.
      expect(events.map((e) => [e.type, e.metadata.command, (e.metadata.actor as { role: string }).role])).toEqual([
        ['FindingRecorded', 'TriageLead', 'official'],
      ]);
      const leadEvents = await eventStoreOf(t.app).readStream(`lead-${id}`);
      expect(leadEvents.map((e) => e.type)).toEqual(['LeadRecorded', 'LeadTriaged', 'LeadClosed']);
    });

    it('a keyed reclassification retried answers the same finding and writes it once', async () => {
      const id = await recordLead();
      const body = {
        decision: 'reclassify_as_finding',
        finding: { monitoringPointId: pointId, departmentId: deptA, title: '重试的问题', description: '重试' },
      };
      const key = `reclassify-${Date.now()}`;
      const first = await official.post(`/api/leads/${id}/triage`, body, { 'Idempotency-Key': key });
      expect(first.status).toBe(200);
      const again = await official.post(`/api/leads/${id}/triage`, body, { 'Idempotency-Key': key });
      expect(again.status).toBe(200);
      expect(again.body.findingId).toBe(first.body.findingId);
      const events = await eventStoreOf(t.app).readStream(`finding-${first.body.findingId}`);
      expect(events.map((e) => e.type)).toEqual(['FindingRecorded']);
    });

    it('refers a lead elsewhere and closes it (not left 已研判)', async () => {
      const id = await recordLead();
      const res = await official.post(`/api/leads/${id}/triage`, { decision: 'refer_elsewhere', note: '转信访渠道' });
      expect(res.status).toBe(200);
      expect(res.body.findingId).toBeUndefined();
      expect((await official.get(`/api/leads/${id}`)).body).toMatchObject({ status: 'closed' });
    });

    it('refuses a reclassification without its finding, or with a point outside the round, writing nothing', async () => {
      const id = await recordLead();
      const before = await revisionOf(`/api/leads/${id}`);
      const missing = await official.post(`/api/leads/${id}/triage`, { decision: 'reclassify_as_finding' });
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ code: 'RECLASSIFIED_FINDING_REQUIRED' });
      expect(missing.body.errors[0]).toMatchObject({ field: 'finding' });
      const elsewhere = await official.post(`/api/leads/${id}/triage`, {
        decision: 'reclassify_as_finding',
        finding: {
          monitoringPointId: '00000000-0000-4000-8000-000000000000',
          departmentId: deptA,
          title: '不在本轮的监督点',
          description: '应被拒绝',
        },
      });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.errors[0]).toMatchObject({ field: 'finding.monitoringPointId' });
      const unknownUnit = await official.post(`/api/leads/${id}/triage`, {
        decision: 'reclassify_as_finding',
        finding: {
          monitoringPointId: pointId,
          departmentId: '00000000-0000-4000-8000-000000000000',
          title: '未知单位',
          description: '应被拒绝',
        },
      });
      expect(unknownUnit.status).toBe(400);
      expect(unknownUnit.body.errors[0]).toMatchObject({ field: 'finding.departmentId' });
      const withFinding = await official.post(`/api/leads/${id}/triage`, {
        decision: 'transfer',
        finding: { monitoringPointId: pointId, departmentId: deptA, title: '多余', description: '多余' },
      });
      expect(withFinding.status).toBe(400);
      expect(withFinding.body.code).toBe('FINDING_ONLY_FOR_RECLASSIFICATION');
      const invalid = await official.post(`/api/leads/${id}/triage`, {
        decision: 'reclassify_as_finding',
        finding: { monitoringPointId: 'x', departmentId: deptA, title: '', description: 'd' },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
        ['finding.monitoringPointId', 'finding.title'].sort(),
      );
      expect(await revisionOf(`/api/leads/${id}`)).toBe(before);
    });

    it('refuses a transfer without a triage decision to transfer, and an unknown source', async () => {
      const id = await recordLead();
      const res = await official.post(`/api/leads/${id}/transfer`, { receiver: 'discipline_commission' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('LEAD_NOT_TRIAGED_FOR_TRANSFER');
      const bad = await inspector.post(`/api/rounds/${roundId}/leads`, { source: 'rumour', summary: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ field: 'source', rule: 'isIn' });
    });
  });

  describe('回访 (follow-up visits)', () => {
    const today = new Date().toISOString().slice(0, 10);
    const visit = (satisfaction: string, name = '王秀兰') => ({
      visitedOn: today,
      visitee: { name, contact: '138****5521' },
      satisfaction,
      note: '因病致贫家庭已纳入最低生活保障，群众表示满意。',
    });

    async function closedFinding(): Promise<string> {
      const id = await recordFinding('困难群众救助不及时');
      await assign(id, 'immediate', '2024-08-30');
      await liaisonA.post(`/api/findings/${id}/request-closure`, { evidence: ['救助审批表.pdf'], signedOffBy: '局长' });
      expect((await official.post(`/api/findings/${id}/verify`, { accepted: true })).status).toBe(200);
      return id;
    }

    it('records a visit after the rectification: the visitee in the vault, shown to officials, redacted to auditors', async () => {
      const id = await closedFinding();
      const res = await inspector.post(`/api/findings/${id}/follow-up`, visit('satisfied'));
      expect(res.status).toBe(200);
      const events = await eventStoreOf(t.app).readStream(`finding-${id}`);
      const last = events[events.length - 1];
      expect(last.type).toBe('FindingFollowUpRecorded');
      expect(JSON.stringify(events)).not.toContain('王秀兰');
      expect(JSON.stringify(events)).not.toContain('138****5521');
      expect(last.data).toMatchObject({ findingId: id, roundId, visitedOn: today, satisfaction: 'satisfied' });
      const seen = (await official.get(`/api/findings/${id}`).expect(200)).body;
      expect(seen.followUps).toEqual([
        expect.objectContaining({
          visitedOn: today,
          satisfaction: 'satisfied',
          visitee: { name: '王秀兰', contact: '138****5521' },
        }),
      ]);
      const redacted = (await auditor.get(`/api/findings/${id}`).expect(200)).body;
      expect(JSON.stringify(redacted)).not.toContain('王秀兰');
      expect(redacted.followUps[0].visitee).toMatchObject({ redacted: true });
      const unit = (await liaisonA.get(`/api/findings/${id}`).expect(200)).body;
      expect(JSON.stringify(unit)).not.toContain('王秀兰');
    });

    it('refuses a visit before the rectification, a day in the future and a visit without a visitee', async () => {
      const open = await recordFinding('尚未整改的问题');
      const early = await inspector.post(`/api/findings/${open}/follow-up`, visit('satisfied'));
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('FOLLOW_UP_BEFORE_RECTIFICATION');
      const id = await closedFinding();
      const before = await revisionOf(`/api/findings/${id}`);
      const future = await inspector.post(`/api/findings/${id}/follow-up`, {
        ...visit('satisfied'),
        visitedOn: '2999-01-01',
      });
      expect(future.status).toBe(400);
      expect(future.body.errors[0]).toMatchObject({ field: 'visitedOn', rule: 'FOLLOW_UP_IN_FUTURE' });
      const { visitee: _, ...noVisitee } = visit('satisfied');
      const missing = await inspector.post(`/api/findings/${id}/follow-up`, { ...noVisitee, satisfaction: 'happy' });
      expect(missing.status).toBe(400);
      expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['satisfaction', 'visitee']);
      expect((await liaisonA.post(`/api/findings/${id}/follow-up`, visit('satisfied'))).status).toBe(403);
      expect(await revisionOf(`/api/findings/${id}`)).toBe(before);
    });

    it('records visits on leads after their disposition, and the overview counts every visit by satisfaction', async () => {
      const lead = (
        await inspector.post(`/api/rounds/${roundId}/leads`, {
          monitoringPointId: pointId,
          source: 'hotline_12345',
          summary: '12345 热线反映救助申请久拖不办',
        })
      ).body.leadId as string;
      const early = await official.post(`/api/leads/${lead}/follow-up`, visit('satisfied'));
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('FOLLOW_UP_BEFORE_DISPOSITION');
      await official.post(`/api/leads/${lead}/triage`, { decision: 'refer_elsewhere' });
      const overviewOf = async (position: number) =>
        (
          await official
            .get(`/api/dashboard/overview?roundId=${roundId}`, { 'X-Min-Position': String(position) })
            .expect(200)
        ).body;
      const before = (await overviewOf(0)).followUps;
      const a = await official.post(`/api/leads/${lead}/follow-up`, visit('basically_satisfied', '陈大爷'));
      expect(a.status).toBe(200);
      const b = await inspector.post(`/api/findings/${await closedFinding()}/follow-up`, visit('dissatisfied'));
      expect(b.status).toBe(200);
      const seen = (await official.get(`/api/leads/${lead}`).expect(200)).body;
      expect(seen.followUps[0]).toMatchObject({ satisfaction: 'basically_satisfied', visitee: { name: '陈大爷' } });
      const after = (await overviewOf(b.body.position)).followUps;
      expect(after).toEqual({
        satisfied: before.satisfied,
        basicallySatisfied: before.basicallySatisfied + 1,
        dissatisfied: before.dissatisfied + 1,
      });
    });
  });

  it('answers 500 problem+json when a handler fails unexpectedly, and keeps serving (@nestjs/cqrs #409, #1838)', async () => {
    const runner = t.app.get(CommandRunner);
    const original = runner.run.bind(runner);
    runner.run = async () => {
      throw new TypeError('boom inside a command handler');
    };
    try {
      const res = await official.post('/api/rounds', {
        title: '出错的轮次',
        kind: 'mobile',
        scope: 's',
        startsOn: '2024-09-01',
        endsOn: '2024-09-30',
      });
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
      expect(JSON.stringify(res.body)).not.toContain('boom');
    } finally {
      runner.run = original;
    }
    const after = await official.post('/api/rounds', {
      title: '正常的轮次',
      kind: 'mobile',
      scope: 's',
      startsOn: '2024-09-01',
      endsOn: '2024-09-30',
    });
    expect(after.status).toBe(201);
  });

  it('keeps the whole log verifiable after all of the above', async () => {
    const report = await eventStoreOf(t.app).verifyAll();
    expect(report.ok).toBe(true);
    expect(report.eventsChecked).toBeGreaterThan(50);
  });
});
