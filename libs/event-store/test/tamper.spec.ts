import { eventHash } from '@app/event-store';
import { contractDatabases, ev, newId, openStore, type StoreFixture } from './support.js';

/**
 * Someone with superuser rights bypasses the append-only triggers (session_replication_role =
 * replica) and changes history in four ways; each must be reported by verification.
 */
describe.each(contractDatabases())('tamper evidence on %s', (_name, url) => {
  let fx: StoreFixture;
  let stream: string;

  beforeEach(async () => {
    fx = await openStore(url);
    stream = `finding-${newId()}`;
    await fx.store.appendToStream(stream, [ev('FindingRecorded', { title: '食堂食材台账缺失' }), ev('RectificationAssigned', { dueOn: '2024-10-31' })]);
    await fx.store.appendToStream(stream, [ev('RectificationAcknowledged', {}), ev('RectificationPlanSubmitted', { measures: '建立台账' })]);
    await fx.store.appendToStream(`lead-${newId()}`, [ev('LeadRecorded', { summary: '执法不规范' })]);
    await fx.store.seal();
  });
  afterEach(async () => {
    await fx.close();
  });

  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    await fx.admin.query('SET session_replication_role = replica');
    try {
      await fx.admin.query(sql.replaceAll('$S.', `${fx.schema}.`), params);
    } finally {
      await fx.admin.query('SET session_replication_role = DEFAULT');
    }
  }

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
    await tamper(`UPDATE $S.es_events SET data = '{"title":"已整改"}' WHERE stream_id = $1 AND revision = 1`, [stream]);
    await expectBroken(1, /content does not match its hash/);
    const { firstBreak } = await fx.store.verifyAll();
    expect(firstBreak!.expectedHash).not.toBe(firstBreak!.actualHash);
  });

  it('detects an edited actor in the metadata', async () => {
    await tamper(
      `UPDATE $S.es_events SET metadata = jsonb_set(metadata, '{actor,username}', '"someone-else"') WHERE stream_id = $1 AND revision = 3`,
      [stream],
    );
    await expectBroken(3, /content does not match/);
  });

  it('detects an event deleted from the middle of a stream', async () => {
    await tamper(`DELETE FROM $S.es_events WHERE stream_id = $1 AND revision = 2`, [stream]);
    await expectBroken(2, /revision 2 is missing/);
  });

  it('detects the newest events of a stream deleted after they were sealed', async () => {
    await tamper(`DELETE FROM $S.es_events WHERE stream_id = $1 AND revision >= 3`, [stream]);
    await expectBroken(4, /missing: the seal recorded revision 4/);
  });

  it('detects a whole sealed stream deleted', async () => {
    await tamper(`DELETE FROM $S.es_events WHERE stream_id = $1`, [stream]);
    await expectBroken(4, /whole stream is missing/);
  });

  it('detects two events swapped', async () => {
    await tamper(
      `UPDATE $S.es_events SET revision = CASE revision WHEN 2 THEN 1003 ELSE 1002 END WHERE stream_id = $1 AND revision IN (2, 3)`,
      [stream],
    );
    await tamper(`UPDATE $S.es_events SET revision = revision - 1000 WHERE stream_id = $1 AND revision > 1000`, [stream]);
    await expectBroken(2, /prevHash does not match|content does not match/);
  });

  it('detects a forged event appended with a naive hash', async () => {
    await tamper(
      `INSERT INTO $S.es_events (position, transaction_id, stream_id, revision, id, type, data, metadata, recorded_at, prev_hash, hash)
       SELECT 1000000, pg_current_xact_id(), stream_id, 5, gen_random_uuid(), 'RectificationVerified', '{"accepted":true}', metadata, now(), hash, sha256('forged')
         FROM $S.es_events WHERE stream_id = $1 AND revision = 4`,
      [stream],
    );
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
    const hash = eventHash(forged);
    await tamper(
      `INSERT INTO $S.es_events (position, transaction_id, stream_id, revision, id, type, data, metadata, recorded_at, prev_hash, hash)
       VALUES (0, pg_current_xact_id(), $1, 5, $2, $3, $4, $5, $6, $7, $8)`,
      [stream, forged.id, forged.type, forged.data, forged.metadata, forged.recordedAt, Buffer.from(last.hash, 'hex'), Buffer.from(hash, 'hex')],
    );
    await expectBroken(5, /not part of the log when it was sealed/);
  });

  it('detects a seal that was altered', async () => {
    await tamper(`UPDATE $S.es_seals SET event_count = event_count - 1`);
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
});
