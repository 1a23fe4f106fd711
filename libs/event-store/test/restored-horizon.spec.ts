import pg from 'pg';
import { adoptRestoredEvents, PgEventStore } from '@app/event-store';
import { ev, newId, openStore, type StoreFixture } from './support.js';

/**
 * Events restored from another PostgreSQL cluster carry that cluster's transaction ids, which this cluster's
 * counter may not reach for a long time; the reader's rule (transaction_id < pg_snapshot_xmin) would hide them.
 * Here the ids of a log are moved far ahead, as a dump from a busier cluster restored on a new machine has them.
 */
describe('a log restored from another cluster (PostgreSQL)', () => {
  const url = process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  let fx: StoreFixture;
  let schema: string;
  let admin: pg.Client;

  beforeEach(async () => {
    fx = await openStore(url);
    schema = fx.pg!.schema;
    admin = fx.pg!.admin;
  });
  afterEach(async () => {
    await fx.close();
  });

  async function moveTransactionIdsAhead() {
    await admin.query('SET session_replication_role = replica');
    await admin.query(
      `UPDATE ${schema}.es_events SET transaction_id = (transaction_id::text::bigint + 1000000000)::text::xid8`,
    );
    await admin.query('SET session_replication_role = DEFAULT');
  }

  it('is hidden from readers until adopted, then read whole and in order; new appends follow it', async () => {
    const stream = `finding-${newId()}`;
    await fx.store.appendToStream(stream, [ev('FindingRecorded'), ev('RectificationAssigned')]);
    await fx.store.appendToStream(`lead-${newId()}`, [ev('LeadRecorded')]);
    await moveTransactionIdsAhead();
    // What a reader saw before version 5 of the store: nothing.
    expect(await fx.store.readAll()).toHaveLength(0);
    expect(await fx.store.headPosition()).toBe(0);

    expect(await adoptRestoredEvents(admin, schema)).toBe(3);
    expect((await fx.store.readAll()).map((e) => e.position)).toEqual([1, 2, 3]);
    expect(await fx.store.headPosition()).toBe(3);

    await fx.store.appendToStream(stream, [ev('RectificationAcknowledged')], { expectedRevision: 2 });
    const all = await fx.store.readAll();
    expect(all.map((e) => [e.position, e.type])).toEqual([
      [1, 'FindingRecorded'],
      [2, 'RectificationAssigned'],
      [3, 'LeadRecorded'],
      [4, 'RectificationAcknowledged'],
    ]);
    // The log itself was not changed by adopting it: the chains verify, the horizon stays where it was.
    expect((await fx.store.verifyAll()).ok).toBe(true);
    expect(await adoptRestoredEvents(admin, schema)).toBe(3);
  });

  it('is adopted when the store is opened, so an app started on a restored database reads it', async () => {
    await fx.store.appendToStream(`round-${newId()}`, [ev('RoundPlanned'), ev('RoundStationed')]);
    await moveTransactionIdsAhead();
    const reopened = await PgEventStore.open({ connectionString: url, schema });
    try {
      expect(await reopened.readAll()).toHaveLength(2);
    } finally {
      await reopened.close();
    }
  });

  it('leaves a log of this cluster alone: the horizon stays 0', async () => {
    await fx.store.appendToStream(`lead-${newId()}`, [ev('LeadRecorded')]);
    expect(await adoptRestoredEvents(admin, schema)).toBe(0);
    expect(await fx.store.readAll()).toHaveLength(1);
  });
});
