import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultFeedbackDueOn } from '@app/domain';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { login, type Actor } from '../support/actors.js';
import { describeOnPostgresLog } from '../support/event-store-kind.js';
import { restoreWatched } from '../support/restore.js';

/**
 * A log written by an earlier release stays readable: the database that release wrote (demo tour plus
 * hand-made cases, dumped by test/fixtures/upgrade/make-fixture.sh from the tagged commit) is restored,
 * and the current version migrates it, loads every event (through the upcasters where a shape changed),
 * rebuilds its read models to the same figures, verifies every chain and seal, and keeps appending.
 */
describeOnPostgresLog.each(['v0.1.0'])(
  'upgrade from %s: the old log loads, rebuilds to the same figures and verifies',
  (release) => {
    const dir = path.resolve('test/fixtures/upgrade', release);
    const fixture = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as {
      jwtSecret: string;
      personalDataKey: string;
      adminPassword: string;
      lastPosition: number;
      ids: { demoRound: string; round: string; finding: string; dismissed: string; lead: string; erasedLead: string };
    };
    const read = (name: string) => JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
    let t: TestApp;
    let official: Actor;
    let auditor: Actor;

    const keyBefore = process.env.PERSONAL_DATA_KEY;

    beforeAll(async () => {
      // The vault's master key is read from the process environment, as in production.
      process.env.PERSONAL_DATA_KEY = fixture.personalDataKey;
      t = await startTestApp(
        { JWT_SECRET: fixture.jwtSecret, SEAL_INTERVAL_SECONDS: '3600' },
        {
          prepare: (url) => restoreWatched(url, path.join(dir, 'database.dump')),
        },
      );
      official = await login(t, 'official', 'demo-2024');
      auditor = await login(t, 'auditor', 'demo-2024');
    }, 240_000);
    // Known: inside the whole suite the app's shutdown here has now and then taken over a minute (all tests passed;
    // alone it takes well under a second). The hook gets room for that, and the time is printed, until the
    // cause is found (see the closing note).
    afterAll(async () => {
      const started = Date.now();
      await t?.close();
      const seconds = (Date.now() - started) / 1000;
      if (seconds > 5) console.log(`upgrade e2e: the app took ${seconds.toFixed(1)} s to shut down`);
      if (keyBefore === undefined) delete process.env.PERSONAL_DATA_KEY;
      else process.env.PERSONAL_DATA_KEY = keyBefore;
    }, 240_000);

    it('verifies every chain and seal the old release wrote', async () => {
      const res = await auditor.get('/api/audit/verify');
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.eventsChecked).toBeGreaterThanOrEqual(fixture.lastPosition);
      expect(res.body.sealsChecked).toBeGreaterThanOrEqual(read('verify.json').sealsChecked);
    });

    it('loads the old cases to the state the old release showed', async () => {
      const finding = await official.get(`/api/findings/${fixture.ids.finding}`);
      expect(finding.status).toBe(200);
      const { lastRecordedAt: _l, ...before } = read('finding.json');
      // v1 evidence was typed text: it reads as paper references now (docs/domain.md "Evidence"), in the same order.
      const { evidenceRefs, ...rectification } = before.rectification as { evidenceRefs: string[] };
      const evidence = evidenceRefs.map((name) => ({ kind: 'paper', name }));
      expect(finding.body).toMatchObject({ ...before, rectification: { ...rectification, evidence } });
      const store = eventStoreOf(t.app);
      const progress = (await store.readStream(`finding-${fixture.ids.finding}`)).find(
        (e) => e.type === 'ProgressReported',
      )!;
      expect(progress.metadata.schemaVersion).toBeUndefined();
      const kinds = (progress.data as { evidence: { kind: string }[] }).evidence.map((e) => e.kind);
      expect(kinds.length).toBeGreaterThan(0);
      expect(new Set(kinds)).toEqual(new Set(['paper']));
      const lead = await official.get(`/api/leads/${fixture.ids.lead}`);
      expect(lead.status).toBe(200);
      expect(lead.body).toMatchObject({ status: read('lead.json').status, revision: read('lead.json').revision });
      // A v1 transfer had no feedback deadline: it reads with the default, three months after the transfer.
      const transferred = (await store.readStream(`lead-${fixture.ids.lead}`)).find(
        (e) => e.type === 'LeadTransferred',
      )!;
      expect(transferred.metadata.schemaVersion).toBeUndefined();
      const { occurredAt, feedbackDueOn } = transferred.data as { occurredAt: string; feedbackDueOn: string };
      expect(feedbackDueOn).toBe(defaultFeedbackDueOn(occurredAt));
      expect(lead.body.transfer.feedbackDueOn).toBe(feedbackDueOn);
    });

    it("reads person targets and subjects' posts the old release wrote in clear in the new shape, redacted alike", async () => {
      const REDACTED = '［已隐去］';
      const PERSON = '某校后勤主任（张某）';
      const POST = '后勤主任';
      // The stored v1 events (no schemaVersion) come out of the store upcast: a legacy, unprotected field.
      const store = eventStoreOf(t.app);
      const pointEvent = (await store.readStream(`round-${fixture.ids.round}`)).find(
        (e) => e.type === 'MonitoringPointAdded',
      )!;
      expect(pointEvent.metadata.schemaVersion).toBeUndefined();
      const stored = pointEvent.data as { targets: Record<string, unknown>[] };
      expect(stored.targets).toContainEqual({ kind: 'person', legacyName: PERSON, unprotected: 'legacy' });
      expect(stored.targets.some((target) => 'name' in target && target.kind === 'person')).toBe(false);
      const leadEvent = (await store.readStream(`lead-${fixture.ids.lead}`))[0];
      expect((leadEvent.data as { subjects: Record<string, unknown>[] }).subjects[0]).toMatchObject({
        legacyPost: POST,
      });
      expect((leadEvent.data as { subjects: Record<string, unknown>[] }).subjects[0]).not.toHaveProperty('post');

      // Officials see them (marked legacy); auditors see ［已隐去］ and nothing of the value, in every read.
      const round = (await official.get(`/api/rounds/${fixture.ids.round}`).expect(200)).body;
      expect(round.monitoringPoints[0].targets).toContainEqual({ kind: 'person', name: PERSON, legacy: true });
      const lead = (await official.get(`/api/leads/${fixture.ids.lead}`).expect(200)).body;
      expect(lead.subjects[0]).toMatchObject({ post: POST, legacyPost: true, name: '张某' });
      const asAuditor = [
        (await auditor.get(`/api/rounds/${fixture.ids.round}`).expect(200)).body,
        (await auditor.get(`/api/rounds/${fixture.ids.round}/history`).expect(200)).body,
        (await auditor.get(`/api/leads/${fixture.ids.lead}`).expect(200)).body.subjects,
        (await auditor.get(`/api/leads/${fixture.ids.lead}/history`).expect(200)).body,
        (await auditor.get('/api/audit/events?limit=1000').expect(200)).body,
      ];
      for (const body of asAuditor) {
        expect(JSON.stringify(body)).not.toContain('张某');
        expect(JSON.stringify(body)).not.toContain(POST);
      }
      const redactedRound = asAuditor[0];
      expect(redactedRound.monitoringPoints[0].targets).toContainEqual({
        kind: 'person',
        name: REDACTED,
        redacted: true,
        legacy: true,
      });
      expect(asAuditor[2][0]).toMatchObject({ post: REDACTED, name: REDACTED, redacted: true });
      // The demo tour's person targets (幸福里社区党组织书记（刘某）) are redacted too, and a liaison sees none.
      const demoRound = (await auditor.get(`/api/rounds/${fixture.ids.demoRound}`).expect(200)).body;
      expect(JSON.stringify(demoRound)).not.toContain('刘某');
      const liaison = await login(t, 'liaison.fixture', 'fixture-liaison-1');
      const own = (await liaison.get(`/api/rounds/${fixture.ids.round}`).expect(200)).body;
      expect(own.monitoringPoints).toHaveLength(1);
      expect(own.monitoringPoints[0].targets.map((target: { kind: string }) => target.kind)).toEqual([
        'department',
        'post',
      ]);
      const demoForLiaison = (await liaison.get(`/api/rounds/${fixture.ids.demoRound}`).expect(200)).body;
      expect(JSON.stringify(demoForLiaison)).not.toMatch(/刘某|"person"/);
    });

    it('rebuilds the read models from the old log to the figures the old dashboards showed', async () => {
      const rebuild = await login(t, 'admin', fixture.adminPassword).then((a) =>
        a.post('/api/admin/projections/rebuild'),
      );
      expect([200, 201]).toContain(rebuild.status);
      const expected = read('dashboards.json').rounds as Record<string, Record<string, unknown>>;
      for (const [roundId, figures] of Object.entries(expected)) {
        for (const board of ['overview', 'departments', 'fields'] as const) {
          const res = await official.get(`/api/dashboard/${board}?roundId=${roundId}`);
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject(figures[board] as object);
        }
      }
    });

    it('appends new events to a stream the old release wrote, and the chain still verifies', async () => {
      const res = await official.post(`/api/findings/${fixture.ids.dismissed}/reopen`, { reason: 'x' });
      expect(res.status).toBe(409); // a dismissed finding cannot be reopened: the old state decides
      const liaison = await login(t, 'liaison.fixture', 'fixture-liaison-1');
      const progress = await liaison.post(`/api/findings/${fixture.ids.finding}/progress`, {
        note: '复查整改',
        percent: 60,
      });
      expect(progress.status).toBe(200);
      expect(progress.body.revision).toBe(read('finding.json').revision + 1);
      const verify = await auditor.get(`/api/audit/verify?streamId=finding-${fixture.ids.finding}`);
      expect(verify.body.ok).toBe(true);
    });
  },
);
