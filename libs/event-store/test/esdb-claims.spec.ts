import { randomUUID } from 'node:crypto';
import esdb from '@eventstore/db-client';
import { EsdbEventStore, EventIdConflictError } from '@app/event-store';
import { ev } from './support.js';

/**
 * The EventStoreDB adapter claims each event id in a stream of its own before the write. A process killed between
 * the claim and the append (or whose append lost a race and is retried with other content) must not wedge the id:
 * a retry after a crash reuses it (the idempotency keys derive event ids from user and key).
 */
const url = process.env.EVENTSTORE_CONNECTION_STRING ?? process.env.ESDB_TEST_CONNECTION_STRING;
(url ? describe : describe.skip)('EventStoreDB: event id claims', () => {
  let store: EsdbEventStore;
  let ns: string;
  beforeEach(async () => {
    ns = `c${randomUUID().replaceAll('-', '').slice(0, 10)}-`;
    store = await EsdbEventStore.open({ connectionString: url!, namespace: ns });
  });
  afterEach(async () => {
    await store.close();
  });

  /** What a writer killed after its claim leaves behind: the claim, of other content, and no event. */
  async function strandedClaim(id: string, streamId: string) {
    await store.client.appendToStream(
      `${ns}_xuncha.id-${id}`,
      esdb.jsonEvent({ type: 'EventIdClaimed', data: { streamId, type: 'FindingRecorded', data: 'f'.repeat(64) } }),
      { expectedRevision: 'no_stream' },
    );
  }

  it('takes over a claim whose event was never written, and writes the event once', async () => {
    const id = randomUUID();
    const stream = `finding-${randomUUID()}`;
    await strandedClaim(id, stream);
    const first = await store.appendToStream(stream, [ev('FindingRecorded', { title: '重试' }, { id })], {
      expectedRevision: 'no_stream',
    });
    expect(first).toMatchObject({ nextRevision: 1, alreadyAppended: false });
    const again = await store.appendToStream(stream, [ev('FindingRecorded', { title: '重试' }, { id })], {
      expectedRevision: 'no_stream',
    });
    expect(again).toMatchObject({ nextRevision: 1, alreadyAppended: true });
    expect((await store.readStream(stream)).map((e) => e.id)).toEqual([id]);
  });

  it('still refuses an id whose event was written with other content', async () => {
    const id = randomUUID();
    const stream = `finding-${randomUUID()}`;
    await store.appendToStream(stream, [ev('FindingRecorded', { title: '原文' }, { id })]);
    await expect(
      store.appendToStream(stream, [ev('FindingRecorded', { title: '改过' }, { id })]),
    ).rejects.toBeInstanceOf(EventIdConflictError);
    await expect(
      store.appendToStream(`finding-${randomUUID()}`, [ev('FindingRecorded', { title: '原文' }, { id })]),
    ).rejects.toBeInstanceOf(EventIdConflictError);
  });

  it('refuses statements alongside an append unless it has somewhere to run them', async () => {
    await expect(
      store.appendToStream(`lead-${randomUUID()}`, [ev('LeadRecorded')], {
        alongside: [{ text: 'SELECT 1', values: [] }],
      }),
    ).rejects.toThrow(/alongside/);
    const ran: string[] = [];
    const withSql = await EsdbEventStore.open({
      connectionString: url!,
      namespace: ns,
      runAlongside: async (statements) => {
        ran.push(...statements.map((s) => s.text));
      },
    });
    try {
      await withSql.appendToStream(`lead-${randomUUID()}`, [ev('LeadRecorded')], {
        alongside: [{ text: 'INSERT INTO vault …', values: [] }],
      });
      expect(ran).toEqual(['INSERT INTO vault …']);
    } finally {
      await withSql.close();
    }
  });
});
