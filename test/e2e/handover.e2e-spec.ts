import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createUser, loginAdmin, type Actor } from '../support/actors.js';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';
import { eventHash } from '@app/event-store';
import {
  BUNDLE_MEDIA_TYPE,
  buildBundle,
  contentSha256,
  signJson,
  type HandoverBundle,
} from '../../apps/api/src/handover/bundle.js';
import { describeOnPostgresLog } from '../support/event-store-kind.js';

/**
 * The hand-over over HTTP between two real app instances: a "laptop" that records a round and exports its signed
 * bundle, and an "office" that verifies it before writing anything. Each tampering is a bundle edited in the test.
 */
describeOnPostgresLog('hand-over bundle: laptop → office', () => {
  let laptop: TestApp, office: TestApp;
  let lOfficial: Actor, lInspector: Actor, oOfficial: Actor, oAuditor: Actor;
  let roundId: string, deptId: string, pointId: string;
  const file = Buffer.from('整改佐证：食堂进货台账扫描件 %PDF-1.7 …', 'utf8');
  const fileSha = createHash('sha256').update(file).digest('hex');
  let last = 0;

  async function send(who: Actor, url: string, body: object = {}) {
    const res = await who.post(url, body);
    if (res.status !== 200 && res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    last = Math.max(last, res.body.position ?? 0);
    return res.body;
  }

  async function exportBundle(): Promise<HandoverBundle> {
    const res = await lInspector.get(`/api/rounds/${roundId}/handover-bundle`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain(BUNDLE_MEDIA_TYPE);
    return JSON.parse(res.text) as HandoverBundle;
  }

  const importBundle = (bundle: unknown) =>
    office.http
      .post('/api/handover')
      .set('Authorization', `Bearer ${oOfficial.token}`)
      .set('content-type', BUNDLE_MEDIA_TYPE)
      .send(JSON.stringify(bundle));

  async function officeEventCount(): Promise<number> {
    const c = new pg.Client({ connectionString: office.url });
    await c.connect();
    try {
      return Number((await c.query('SELECT count(*) AS n FROM event_store.es_events')).rows[0].n);
    } finally {
      await c.end();
    }
  }

  /** Re-signs an edited bundle as its own laptop would not: with a key of the test's (content hash recomputed). */
  function resigned(bundle: HandoverBundle): HandoverBundle {
    const { privateKey } = generateKeyPairSync('ed25519');
    return buildBundle({
      roundId: bundle.manifest.roundId,
      events: bundle.events,
      files: new Map(bundle.evidence.map((f) => [f.sha256, Buffer.from(f.content, 'base64')])),
      privateKey,
    });
  }

  const clone = (b: HandoverBundle): HandoverBundle => structuredClone(b);

  beforeAll(async () => {
    [laptop, office] = await Promise.all([startTestApp(), startTestApp()]);
    const lAdmin = await loginAdmin(laptop);
    deptId = (await send(lAdmin, '/api/departments', { name: '区教育局', kind: 'bureau' })).departmentId;
    lOfficial = await createUser(laptop, lAdmin, 'official.team1', 'official');
    lInspector = await createUser(laptop, lAdmin, 'inspector.team1', 'inspector');
    const oAdmin = await loginAdmin(office);
    oOfficial = await createUser(office, oAdmin, 'official.office', 'official');
    oAuditor = await createUser(office, oAdmin, 'auditor.office', 'auditor');

    roundId = (
      await send(lOfficial, '/api/rounds', {
        title: '校园食品安全回头看',
        kind: 'special',
        scope: '中小学食堂',
        startsOn: '2024-11-01',
        endsOn: '2024-11-30',
      })
    ).roundId;
    const fieldId = (await send(lOfficial, `/api/rounds/${roundId}/fields`, { name: '校园食品安全' })).fieldId;
    pointId = (
      await send(lInspector, `/api/rounds/${roundId}/monitoring-points`, {
        fieldId,
        title: '食材采购查验',
        targets: [{ kind: 'department', name: '区教育局', departmentId: deptId }],
      })
    ).pointId;
    await send(lOfficial, `/api/rounds/${roundId}/station`);
    for (const title of ['食堂进货台账缺失', '留样记录不全']) {
      await send(lInspector, `/api/rounds/${roundId}/findings`, {
        monitoringPointId: pointId,
        departmentId: deptId,
        title,
        description: `${title}，详见底稿。`,
      });
    }
    // A finding citing an evidence file (as evidence references are stored: {sha256, name, size, mediaType}),
    // written through the laptop's own store, with the file where the laptop keeps evidence.
    await fs.mkdir(path.join(laptop.config.dataDir, 'evidence'), { recursive: true });
    await fs.writeFile(path.join(laptop.config.dataDir, 'evidence', fileSha), file);
    const findingId = randomUUID();
    await eventStoreOf(laptop.app).appendToStream(`finding-${findingId}`, [
      {
        type: 'FindingRecorded',
        data: {
          findingId,
          roundId,
          fieldId,
          monitoringPointId: pointId,
          departmentId: deptId,
          title: '食品安全管理员未持证',
          description: '抽查3所学校，附检查记录。',
          occurredAt: new Date().toISOString(),
          attachments: [{ sha256: fileSha, name: '检查记录.pdf', size: file.length, mediaType: 'application/pdf' }],
        },
        metadata: { actor: { id: lInspector.id, username: lInspector.username, role: 'inspector' } },
      },
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([laptop?.close(), office?.close()]);
  });

  it('exports every event of the round with its chain, the departments it cites and the files, signed', async () => {
    const bundle = await exportBundle();
    expect(bundle.manifest).toMatchObject({ format: 'xuncha-handover', version: 1, roundId });
    const streams = bundle.manifest.streams.map((s) => s.streamId.split('-')[0]).sort();
    expect(streams).toEqual(['department', 'finding', 'finding', 'finding', 'round']);
    expect(bundle.manifest.events).toBe(bundle.events.length);
    expect(bundle.events[0]).toEqual(
      expect.objectContaining({ revision: 1, prevHash: '0'.repeat(64), recordedAt: expect.any(String) }),
    );
    expect(bundle.evidence.map((f) => f.sha256)).toEqual([fileSha]);
    expect(bundle.manifest.evidence).toEqual([{ sha256: fileSha, size: file.length }]);
  });

  it.each([
    [
      'an edited event',
      (b: HandoverBundle) => {
        const e = b.events.find((x) => x.type === 'FindingRecorded')!;
        (e.data as { title: string }).title = '已整改';
        return { bundle: resigned(b), streamId: e.streamId, revision: 1, reason: /content does not match its hash/ };
      },
    ],
    [
      'a dropped event',
      (b: HandoverBundle) => {
        const i = b.events.findIndex((x) => x.streamId === `round-${roundId}` && x.revision === 2);
        b.events.splice(i, 1);
        return { bundle: resigned(b), streamId: `round-${roundId}`, revision: 2, reason: /revision 2 is missing/ };
      },
    ],
    [
      'reordered events',
      (b: HandoverBundle) => {
        const round = b.events.filter((x) => x.streamId === `round-${roundId}`);
        const [i, j] = [b.events.indexOf(round[1]), b.events.indexOf(round[2])];
        [b.events[i], b.events[j]] = [b.events[j], b.events[i]];
        return { bundle: resigned(b), streamId: `round-${roundId}`, revision: 2, reason: /revision 2 is missing/ };
      },
    ],
    [
      'the newest event of a stream dropped (manifest as signed)',
      (b: HandoverBundle) => {
        const round = b.events.filter((x) => x.streamId === `round-${roundId}`);
        b.events.splice(b.events.indexOf(round[round.length - 1]), 1);
        return { bundle: b, streamId: `round-${roundId}`, revision: round.length, reason: /missing after the last/ };
      },
    ],
  ])('refuses %s with 422 naming the first broken link, writing nothing', async (_name, tamper) => {
    const { bundle, streamId, revision, reason } = tamper(clone(await exportBundle()));
    const before = await officeEventCount();
    const res = await importBundle(bundle);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('HANDOVER_BROKEN_LINK');
    expect(res.body.brokenLink).toEqual(expect.objectContaining({ streamId, revision }));
    expect(res.body.brokenLink.reason).toMatch(reason);
    expect(await officeEventCount()).toBe(before);
  });

  it('refuses a stream of another round, and a record only the office writes, signed or not', async () => {
    const bundle = clone(await exportBundle());
    const other = bundle.events.find((e) => e.type === 'FindingRecorded')!;
    const findingStream = other.streamId;
    const stray = bundle.events.filter((e) => e.streamId === findingStream);
    const otherRound = '00000000-0000-4000-8000-000000000001';
    // A finding of another round, its chain rebuilt so that only its scope is wrong.
    const { privateKey } = generateKeyPairSync('ed25519');
    const events = bundle.events.map((e) => (e.streamId === findingStream ? structuredClone(e) : e));
    let prev = '0'.repeat(64);
    for (const e of events.filter((x) => x.streamId === findingStream)) {
      if (e.revision === 1) (e.data as { roundId: string }).roundId = otherRound;
      e.prevHash = prev;
      e.hash = eventHash({
        ...e,
        recordedAt: new Date(e.recordedAt),
        occurredAt: e.occurredAt ? new Date(e.occurredAt) : null,
      });
      prev = e.hash;
    }
    expect(stray.length).toBeGreaterThan(0);
    const files = new Map(bundle.evidence.map((f) => [f.sha256, Buffer.from(f.content, 'base64')]));
    const res = await importBundle(buildBundle({ roundId, events, files, privateKey }));
    expect(res.status).toBe(422);
    expect(res.body.brokenLink).toEqual(
      expect.objectContaining({ streamId: findingStream, reason: "stream outside the bundle's round" }),
    );

    const forged = clone(await exportBundle());
    const roundEvents = forged.events.filter((e) => e.streamId === `round-${roundId}`);
    const last = roundEvents[roundEvents.length - 1];
    const record = {
      ...structuredClone(last),
      id: randomUUID(),
      revision: last.revision + 1,
      type: 'HandoverImported',
      prevHash: last.hash,
    };
    record.hash = eventHash({ ...record, recordedAt: new Date(record.recordedAt), occurredAt: null });
    record.occurredAt = null;
    forged.events.push(record);
    const res2 = await importBundle(buildBundle({ roundId, events: forged.events, files, privateKey }));
    expect(res2.status).toBe(422);
    expect(res2.body.brokenLink).toEqual(
      expect.objectContaining({
        streamId: `round-${roundId}`,
        reason: 'event type HandoverImported cannot be handed over',
      }),
    );
  });

  it('refuses a foreign signature: the manifest signed by another key than the one it names', async () => {
    const bundle = clone(await exportBundle());
    bundle.signature = signJson(bundle.manifest, generateKeyPairSync('ed25519').privateKey);
    const res = await importBundle(bundle);
    expect(res.status).toBe(422);
    expect(res.body.brokenLink.reason).toBe('the manifest signature does not verify');
  });

  it('refuses content changed under a valid signature', async () => {
    const bundle = clone(await exportBundle());
    bundle.events[0].metadata = { ...bundle.events[0].metadata, note: 'added later' };
    const res = await importBundle(bundle);
    expect(res.status).toBe(422);
    expect(res.body.brokenLink).toEqual(
      expect.objectContaining({ streamId: bundle.events[0].streamId, revision: 1, reason: expect.any(String) }),
    );
  });

  it('refuses an altered evidence file, and a cited file that is missing', async () => {
    const altered = clone(await exportBundle());
    altered.evidence[0].content = Buffer.from('另一个文件').toString('base64');
    altered.manifest.contentSha256 = contentSha256(altered.events, altered.evidence);
    const { privateKey } = generateKeyPairSync('ed25519');
    const reSigned = buildBundle({
      roundId,
      events: altered.events,
      files: new Map([[fileSha, Buffer.from('另一个文件')]]),
      privateKey,
    });
    const res = await importBundle(reSigned);
    expect(res.status).toBe(422);
    expect(res.body.brokenLink).toEqual(expect.objectContaining({ sha256: fileSha, reason: 'evidence file altered' }));

    const missing = clone(await exportBundle());
    const withoutFile = buildBundle({ roundId, events: missing.events, files: new Map(), privateKey });
    const res2 = await importBundle(withoutFile);
    expect(res2.status).toBe(422);
    expect(res2.body.brokenLink).toEqual(
      expect.objectContaining({ sha256: fileSha, revision: 1, reason: 'evidence file missing' }),
    );
  });

  it('refuses what is not a bundle with 400 naming the field', async () => {
    const res = await importBundle({ manifest: { format: 'xuncha-handover', version: 7 } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('HANDOVER_BUNDLE_INVALID');
    expect(res.body.detail).toContain('manifest.version');
  });

  it('imports a verified bundle keeping the laptop chains, records the import, and the office verifies', async () => {
    const bundle = await exportBundle();
    const res = await importBundle(bundle);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      roundId,
      streams: 5,
      events: bundle.events.length,
      evidenceFiles: 1,
      alreadyImported: false,
      signer: bundle.manifest.signer.fingerprint,
    });
    expect(res.body.bundleSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await fs.readFile(path.join(office.config.dataDir, 'evidence', fileSha))).toEqual(file);

    const verify = await oAuditor.get('/api/audit/verify');
    expect(verify.body).toMatchObject({ ok: true, eventsChecked: bundle.events.length + 1 });

    const history = await oOfficial.get(`/api/rounds/${roundId}/history`);
    expect(history.status).toBe(200);
    const types = history.body.events.map((e: { type: string }) => e.type);
    expect(types[types.length - 1]).toBe('HandoverImported');
    const laptopRound = bundle.events.filter((e) => e.streamId === `round-${roundId}`);
    expect(history.body.events.slice(0, laptopRound.length).map((e: { hash: string }) => e.hash)).toEqual(
      laptopRound.map((e) => e.hash),
    );
    const record = history.body.events[history.body.events.length - 1];
    expect(record.data).toMatchObject({ bundleSha256: res.body.bundleSha256, events: bundle.events.length });

    const overview = await oOfficial.get(`/api/dashboard/overview?roundId=${roundId}`, {
      'X-Min-Position': String(res.body.position),
    });
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({ fields: 1, monitoringPoints: 1, findings: 3 });
  });

  it('imports the same bundle again writing nothing, then only what the laptop recorded since', async () => {
    const before = await officeEventCount();
    const again = await importBundle(await exportBundle());
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ alreadyImported: true, events: 0, streams: 0 });
    expect(await officeEventCount()).toBe(before);

    await send(lInspector, `/api/rounds/${roundId}/findings`, {
      monitoringPointId: pointId,
      departmentId: deptId,
      title: '食堂从业人员健康证过期',
      description: '2人健康证过期。',
    });
    const next = await importBundle(await exportBundle());
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ alreadyImported: false, streams: 1, events: 1, evidenceFiles: 0 });
    expect(await officeEventCount()).toBe(before + 2);
    const verify = await oAuditor.get('/api/audit/verify');
    expect(verify.body.ok).toBe(true);
  });

  it('carries a file a liaison uploaded on the laptop and cited in a progress report; the office serves it', async () => {
    const lAdmin = await loginAdmin(laptop);
    const liaison = await createUser(laptop, lAdmin, 'liaison.team1', 'unit_liaison', deptId);
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const findingId = (
      await send(lInspector, `/api/rounds/${roundId}/findings`, {
        monitoringPointId: pointId,
        departmentId: deptId,
        title: '食堂留样柜温度记录缺失',
        description: '抽查2所学校留样柜，无温度记录。',
      })
    ).findingId as string;
    const assign = { type: 'deadline', departmentId: deptId, responsiblePerson: '分管副局长', dueOn: '2099-10-31' };
    await send(lOfficial, `/api/findings/${findingId}/assign`, assign);
    await send(liaison, `/api/findings/${findingId}/acknowledge`);
    await send(liaison, `/api/findings/${findingId}/plan`, { measures: '每日记录留样温度', target: '全部学校记录' });
    const uploaded = await laptop.http
      .post('/api/evidence')
      .set('Authorization', `Bearer ${liaison.token}`)
      .attach('file', png, '留样柜温度记录.png');
    expect(uploaded.status).toBe(201);
    const sha = uploaded.body.sha256 as string;
    await send(liaison, `/api/findings/${findingId}/progress`, {
      note: '已补记温度',
      percent: 50,
      evidence: [{ sha256: sha, name: '留样柜温度记录.png' }],
    });

    const res = await importBundle(await exportBundle());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ alreadyImported: false, evidenceFiles: 1 });
    const served = await office.http
      .get(`/api/evidence/${sha}`)
      .set('Authorization', `Bearer ${oOfficial.token}`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(served.status).toBe(200);
    expect(served.body).toEqual(png);
    const verify = await oAuditor.get('/api/audit/verify');
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.evidenceChecked).toBeGreaterThanOrEqual(1);
  });

  it('refuses a stream whose copies diverged (409), writing nothing', async () => {
    await send(lOfficial, `/api/rounds/${roundId}/fields`, { name: '食品安全宣传' });
    const bundle = await exportBundle();
    const round = bundle.events.filter((e) => e.streamId === `round-${roundId}`);
    const before = await officeEventCount();
    // The office's copy of the round ends with its HandoverImported records, which the laptop does not have.
    const res = await importBundle(bundle);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HANDOVER_STREAM_DIVERGED');
    expect(res.body.brokenLink).toEqual(
      expect.objectContaining({ streamId: `round-${roundId}`, revision: round.length }),
    );
    expect(await officeEventCount()).toBe(before);
  });
});
