import { createHash, generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';
import { createUser, login, loginAdmin, type Actor } from '../support/actors.js';
import { BUNDLE_MEDIA_TYPE, KIT_MEDIA_TYPE, buildBundle, signJson } from '../../apps/api/src/handover/bundle.js';
import { enrolmentProof, type FieldKit, type Receipt } from '../../apps/api/src/handover/kit.js';
import type { HandoverBundle } from '../../apps/api/src/handover/bundle.js';
import { describeOnPostgresLog } from '../support/event-store-kind.js';

/**
 * The whole round trip over HTTP with three real app instances: an office that issues a round's field kits to two
 * team laptops (配置), the teams recording findings on them (使用), the office importing both bundles side by side
 * (移交—存储), the office's receipts and the purge of a laptop (清理).
 */
describeOnPostgresLog('field kit → two laptops → office → receipt → purge', () => {
  let office: TestApp, laptop1: TestApp, laptop2: TestApp;
  let oOfficial: Actor, oAuditor: Actor, l1Admin: Actor, l2Admin: Actor, team1: Actor, team2: Actor;
  let roundId: string, deptId: string, pointId: string;
  let kit1: FieldKit, kit2: FieldKit;
  const receipts: Record<string, Receipt> = {};

  async function send(who: Actor, url: string, body: object = {}) {
    const res = await who.post(url, body);
    if (res.status !== 200 && res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  const post = (t: TestApp, who: Actor, url: string, type: string, body: unknown) =>
    t.http.post(url).set('Authorization', `Bearer ${who.token}`).set('content-type', type).send(JSON.stringify(body));
  const importKit = (t: TestApp, admin: Actor, kit: unknown) => post(t, admin, '/api/field-kit', KIT_MEDIA_TYPE, kit);
  const importBundle = (bundle: unknown) => post(office, oOfficial, '/api/handover', BUNDLE_MEDIA_TYPE, bundle);
  async function exportBundle(who: Actor): Promise<HandoverBundle> {
    const res = await who.get(`/api/rounds/${roundId}/handover-bundle`).expect(200);
    return JSON.parse(res.text) as HandoverBundle;
  }
  async function exportKit(users: string): Promise<FieldKit> {
    const res = await oOfficial.get(`/api/rounds/${roundId}/field-kit?users=${users}`).expect(200);
    expect(res.headers['content-type']).toContain(KIT_MEDIA_TYPE);
    return JSON.parse(res.text) as FieldKit;
  }
  async function eventCount(t: TestApp): Promise<number> {
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    try {
      return Number((await c.query('SELECT count(*) AS n FROM event_store.es_events')).rows[0].n);
    } finally {
      await c.end();
    }
  }
  const finding = (who: Actor, title: string) =>
    send(who, `/api/rounds/${roundId}/findings`, {
      monitoringPointId: pointId,
      departmentId: deptId,
      title,
      description: `${title}，详见底稿。`,
    });

  beforeAll(async () => {
    [office, laptop1, laptop2] = await Promise.all([startTestApp(), startTestApp(), startTestApp()]);
    const oAdmin = await loginAdmin(office);
    deptId = (await send(oAdmin, '/api/departments', { name: '区民政局', kind: 'bureau' })).departmentId;
    oOfficial = await createUser(office, oAdmin, 'official.office', 'official');
    oAuditor = await createUser(office, oAdmin, 'auditor.office', 'auditor');
    await createUser(office, oAdmin, 'inspector.team1', 'inspector');
    await createUser(office, oAdmin, 'inspector.team2', 'inspector');
    roundId = (
      await send(oOfficial, '/api/rounds', {
        title: '平城区困难群众救助领域机动式巡察',
        kind: 'mobile',
        scope: '困难群众救助领域',
        startsOn: '2024-08-26',
        endsOn: '2024-09-20',
      })
    ).roundId;
    const fieldId = (await send(oOfficial, `/api/rounds/${roundId}/fields`, { name: '社会救助' })).fieldId;
    pointId = (
      await send(oOfficial, `/api/rounds/${roundId}/monitoring-points`, {
        fieldId,
        title: '低保审核审批',
        targets: [{ kind: 'department', name: '区民政局', departmentId: deptId }],
      })
    ).pointId;
    await send(oOfficial, `/api/rounds/${roundId}/station`);
    [l1Admin, l2Admin] = await Promise.all([loginAdmin(laptop1), loginAdmin(laptop2)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([office?.close(), laptop1?.close(), laptop2?.close()]);
  });

  it('issues a kit per team: the round and the units with their chains, the team (hashes only), the office key', async () => {
    kit1 = await exportKit('inspector.team1');
    kit2 = await exportKit('inspector.team2');
    expect(kit1.kit).toMatchObject({ format: 'xuncha-field-kit', version: 1, roundId });
    expect(kit1.kit.users).toEqual([
      expect.objectContaining({ username: 'inspector.team1', role: 'inspector', passwordHash: expect.any(String) }),
    ]);
    expect(JSON.stringify(kit1)).not.toContain('inspector.team1-password');
    expect(kit1.kit.enrolmentSecret).not.toBe(kit2.kit.enrolmentSecret);
    const streams = kit1.bundle.manifest.streams.map((s) => s.streamId).sort();
    expect(streams).toEqual([`department-${deptId}`, `round-${roundId}`]);
    expect(kit1.bundle.manifest.signer.fingerprint).toBe(kit1.kit.office.fingerprint);
  });

  it('refuses an altered kit on a laptop, writing nothing', async () => {
    const altered = structuredClone(kit2);
    altered.kit.users[0].role = 'official';
    const before = await eventCount(laptop2);
    const res = await importKit(laptop2, l2Admin, altered);
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain('altered');
    const edited = structuredClone(kit2);
    (edited.bundle.events[0].data as { title: string }).title = '另一轮巡察';
    const res2 = await importKit(laptop2, l2Admin, edited);
    expect(res2.status).toBe(422);
    expect(await eventCount(laptop2)).toBe(before);
  });

  it('sets each laptop up for the round, once: the team signs in there with its office password', async () => {
    const res = await importKit(laptop1, l1Admin, kit1);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kitId: kit1.kit.kitId, roundId, users: 1, events: kit1.bundle.events.length });
    const twice = await importKit(laptop1, l1Admin, kit1);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('FIELD_KIT_ALREADY_IMPORTED');
    expect((await importKit(laptop2, l2Admin, kit2)).status).toBe(201);

    team1 = await login(laptop1, 'inspector.team1', 'inspector.team1-password');
    team2 = await login(laptop2, 'inspector.team2', 'inspector.team2-password');
    const round = await team1.get(`/api/rounds/${roundId}`).expect(200);
    expect(round.body).toMatchObject({ status: 'stationed', title: '平城区困难群众救助领域机动式巡察' });
  });

  it('imports both teams’ bundles side by side at the office, and the dashboards add up', async () => {
    await finding(team1, '低保对象动态管理不及时');
    await finding(team1, '临时救助审批超时限');
    await finding(team2, '特困人员供养标准执行不到位');
    const [b1, b2] = [await exportBundle(team1), await exportBundle(team2)];
    expect(b1.manifest.kit?.kitId).toBe(kit1.kit.kitId);
    const r1 = await importBundle(b1);
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ alreadyImported: false, events: 2 });
    const r2 = await importBundle(b2);
    expect(r2.status).toBe(200);
    expect(r2.body).toMatchObject({ alreadyImported: false, events: 1 });
    receipts.team1 = r1.body.receipt;
    receipts.team2 = r2.body.receipt;
    expect(r1.body.receipt.receipt).toMatchObject({ bundleSha256: r1.body.bundleSha256, roundId });

    const overview = await oOfficial
      .get(`/api/dashboard/overview?roundId=${roundId}`, { 'X-Min-Position': String(r2.body.position) })
      .expect(200);
    expect(overview.body).toMatchObject({ fields: 1, monitoringPoints: 1, findings: 3 });
    const verify = await oAuditor.get('/api/audit/verify').expect(200);
    expect(verify.body.ok).toBe(true);
    const history = await oOfficial.get(`/api/rounds/${roundId}/history`).expect(200);
    const records = history.body.events.filter((e: { type: string }) => e.type === 'HandoverImported');
    expect(records.map((e: { data: { bundleSha256: string } }) => e.data.bundleSha256)).toEqual([
      r1.body.bundleSha256,
      r2.body.bundleSha256,
    ]);
  });

  it('accepts bundles of a kit only from the laptop its first bundle bound, and the kit’s laptops only', async () => {
    const b1 = await exportBundle(team1);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const files = new Map<string, Buffer>();
    const asStranger = buildBundle({
      roundId,
      events: b1.events,
      files,
      privateKey: stranger,
      kit: (fp) => ({ kitId: kit1.kit.kitId, proof: enrolmentProof(kit1.kit.enrolmentSecret, kit1.kit.kitId, fp) }),
    });
    const res = await importBundle(asStranger);
    expect(res.status).toBe(422);
    expect(res.body.brokenLink.reason).toBe('foreign signature');
    expect(res.body.detail).toContain('is bound to laptop key');

    const withoutKit = buildBundle({ roundId, events: b1.events, files, privateKey: stranger });
    const res2 = await importBundle(withoutKit);
    expect(res2.status).toBe(422);
    expect(res2.body.detail).toContain('names none');

    // A kit not bound yet: a key that does not know its enrolment secret cannot bind it.
    const kit3 = await exportKit('inspector.team1');
    const wrongProof = buildBundle({
      roundId,
      events: b1.events,
      files,
      privateKey: stranger,
      kit: () => ({ kitId: kit3.kit.kitId, proof: createHash('sha256').update('guess').digest('hex') }),
    });
    const res3 = await importBundle(wrongProof);
    expect(res3.status).toBe(422);
    expect(res3.body.detail).toContain('enrolment secret is wrong');
  });

  it('keeps the office’s receipt only when signed by the kit’s office for a bundle the laptop made', async () => {
    const forged = structuredClone(receipts.team1);
    forged.signature = signJson(forged.receipt, generateKeyPairSync('ed25519').privateKey);
    const official1 = await loginOfficialOnLaptop(laptop1, l1Admin);
    const refused = await official1.post(`/api/rounds/${roundId}/handover-receipt`, forged);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('HANDOVER_RECEIPT_INVALID');
    const other = await official1.post(`/api/rounds/${roundId}/handover-receipt`, receipts.team2);
    expect(other.status).toBe(422);
    const ok = await official1.post(`/api/rounds/${roundId}/handover-receipt`, receipts.team1);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ bundleSha256: receipts.team1.receipt.bundleSha256 });
  });

  it('purges a laptop only with a receipt matching its last bundle, and the office keeps everything', async () => {
    // Laptop 2 has no receipt on file: refused, nothing deleted.
    const before2 = await eventCount(laptop2);
    const refused = await l2Admin.post(`/api/rounds/${roundId}/purge`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('HANDOVER_RECEIPT_REQUIRED');
    expect(await eventCount(laptop2)).toBe(before2);

    // Laptop 1's receipt matches an earlier bundle, not its last one (exported in the test above): refused too.
    const stale = await l1Admin.post(`/api/rounds/${roundId}/purge`);
    expect(stale.status).toBe(409);

    const last = await exportBundle(team1);
    const again = await importBundle(last);
    expect(again.body.alreadyImported).toBe(true);
    const official1 = await loginOfficialOnLaptop(laptop1, l1Admin);
    await official1.post(`/api/rounds/${roundId}/handover-receipt`, again.body.receipt).expect(200);
    const officeBefore = await eventCount(office);
    const purged = await l1Admin.post(`/api/rounds/${roundId}/purge`);
    expect(purged.status).toBe(200);
    expect(purged.body).toMatchObject({ roundId, streams: 3 });
    expect((await team1.get(`/api/rounds/${roundId}`)).status).toBe(404);
    const list = await team1.get('/api/findings').expect(200);
    expect(list.body.items).toEqual([]);
    expect(await eventCount(office)).toBe(officeBefore);
    // What remains on the laptop (the units) still verifies; the seals start again.
    expect(await eventStoreOf(laptop1.app).verifyAll()).toMatchObject({ ok: true, sealsChecked: 0 });
    const verify = await oAuditor.get('/api/audit/verify').expect(200);
    expect(verify.body.ok).toBe(true);
  });

  let laptopOfficial: Actor | undefined;
  async function loginOfficialOnLaptop(t: TestApp, admin: Actor): Promise<Actor> {
    laptopOfficial ??= await createUser(t, admin, 'official.team1', 'official');
    return laptopOfficial;
  }
});
