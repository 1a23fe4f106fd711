import { createHash } from 'node:crypto';
import { eventHash } from '@app/event-store';
import { adapterRows, contractAdapters, ev, newId, type StoreFixture, type Tamperer } from './support.js';

/**
 * Someone with direct access to the storage (on PostgreSQL: superuser rights, bypassing the
 * append-only triggers with session_replication_role = replica; in memory: the MemoryLog) changes
 * history in several ways; each must be reported by verification.
 */
describe.each(adapterRows(contractAdapters().filter((a) => a.tamperable)))(
  'tamper evidence on %s',
  (_name, adapter) => {
    let fx: StoreFixture;
    let t: Tamperer;
    let stream: string;

    beforeEach(async () => {
      fx = await adapter.open();
      t = fx.tamper!;
      stream = `finding-${newId()}`;
      await fx.store.appendToStream(stream, [
        ev('FindingRecorded', { title: '食堂食材台账缺失' }),
        ev('RectificationAssigned', { dueOn: '2024-10-31' }),
      ]);
      await fx.store.appendToStream(stream, [
        ev('RectificationAcknowledged', {}),
        ev('RectificationPlanSubmitted', { measures: '建立台账' }),
      ]);
      await fx.store.appendToStream(`lead-${newId()}`, [ev('LeadRecorded', { summary: '执法不规范' })]);
      await fx.store.seal();
    });
    afterEach(async () => {
      await fx.close();
    });

    async function expectBroken(revision: number, reason: RegExp) {
      const all = await fx.store.verifyAll();
      expect(all.ok).toBe(false);
      expect(all.firstBreak).toMatchObject({ streamId: stream, revision });
      expect(all.firstBreak!.reason).toMatch(reason);
      const one = await fx.store.verifyStream(stream);
      expect(one.ok).toBe(false);
      expect(one.firstBreak).toMatchObject({ streamId: stream, revision });
    }

    it('finds an untouched log intact, with counts', async () => {
      const report = await fx.store.verifyAll();
      expect(report).toEqual({ ok: true, streamsChecked: 2, eventsChecked: 5, sealsChecked: 1 });
      expect((await fx.store.verifyStream(stream)).ok).toBe(true);
    });

    it('detects an edited payload', async () => {
      await t.editData(stream, 1, { title: '已整改' });
      await expectBroken(1, /content does not match its hash/);
      const { firstBreak } = await fx.store.verifyAll();
      expect(firstBreak!.expectedHash).not.toBe(firstBreak!.actualHash);
    });

    it('detects an edited actor in the metadata', async () => {
      await t.editActorUsername(stream, 3, 'someone-else');
      await expectBroken(3, /content does not match/);
    });

    it('detects an event deleted from the middle of a stream', async () => {
      await t.deleteEvents(stream, { revision: 2 });
      await expectBroken(2, /revision 2 is missing/);
    });

    it('detects the newest events of a stream deleted after they were sealed', async () => {
      await t.deleteEvents(stream, { fromRevision: 3 });
      await expectBroken(4, /missing: the seal recorded revision 4/);
    });

    it('detects a whole sealed stream deleted', async () => {
      await t.deleteEvents(stream);
      await expectBroken(4, /whole stream is missing/);
    });

    it('detects two events swapped', async () => {
      await t.swapRevisions(stream, 2, 3);
      await expectBroken(2, /prevHash does not match|content does not match/);
    });

    it('detects a forged event appended with a naive hash', async () => {
      const [, , , last] = await fx.store.readStream(stream);
      await t.insert({
        ...last,
        position: 1000000,
        revision: 5,
        id: newId(),
        type: 'RectificationVerified',
        data: { accepted: true },
        occurredAt: null,
        recordedAt: new Date(),
        prevHash: last.hash,
        hash: createHash('sha256').update('forged').digest('hex'),
      });
      await expectBroken(5, /content does not match/);
    });

    it('detects a forged event with a correct chain hash slipped in before the seal', async () => {
      const [, , , last] = await fx.store.readStream(stream);
      const forged = {
        streamId: stream,
        revision: 5,
        id: newId(),
        type: 'RectificationVerified',
        data: { accepted: true },
        metadata: last.metadata,
        occurredAt: null,
        recordedAt: new Date(last.recordedAt.getTime() + 1000),
        prevHash: last.hash,
      };
      await t.insert({ ...forged, position: 0, hash: eventHash(forged) });
      await expectBroken(5, /not part of the log when it was sealed/);
    });

    it('detects a seal that was altered', async () => {
      await t.decrementSealEventCount();
      const report = await fx.store.verifyAll();
      expect(report.ok).toBe(false);
      expect(report.firstBreak).toMatchObject({ streamId: '$seals', reason: 'the chain of seals is broken' });
    });

    it('seals only when the log has moved, chaining each seal to the one before', async () => {
      const again = await fx.store.seal();
      expect(again.created).toBe(false);
      await fx.store.appendToStream(stream, [ev('ProgressReported', { percent: 50 })]);
      const next = await fx.store.seal();
      expect(next).toMatchObject({ created: true, seq: again.seq + 1, eventCount: 6 });
      expect((await fx.store.verifyAll()).ok).toBe(true);
    });
  },
);
