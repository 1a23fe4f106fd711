import path from 'node:path';
import { jest } from '@jest/globals';
import pg from 'pg';
import { emptyDatabase, rowsOf, type EmptyDatabase } from '../support/empty-database.js';
import { describeOnPostgresLog } from '../support/event-store-kind.js';
import { restoreWatched } from '../support/restore.js';

/**
 * The upgrade test's watched restore: a pg_restore that stalls is described (the session it waits behind, the lock),
 * stopped, and run once more over what it left; one that fails says why.
 */
describeOnPostgresLog('a watched pg_restore', () => {
  const dump = path.resolve('test/fixtures/upgrade/v0.1.0/database.dump');
  const made: EmptyDatabase[] = [];

  async function freshDatabase(): Promise<string> {
    const db = await emptyDatabase('xuncha_restore');
    made.push(db);
    return db.url;
  }

  const eventCount = async (url: string): Promise<number> =>
    (await rowsOf<{ n: number }>(url, 'SELECT count(*)::int AS n FROM event_store.es_events'))[0].n;

  /** A session that holds the schema catalog: the restore's first statement waits behind it (until it ends). */
  async function holdSchemaCatalog(url: string): Promise<pg.Client> {
    const holder = new pg.Client({ connectionString: url, application_name: 'lock-holder' });
    // The watch ends this session with the stalled restore's: its error is expected.
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE pg_catalog.pg_namespace IN ACCESS EXCLUSIVE MODE');
    return holder;
  }

  afterAll(async () => {
    for (const db of made.splice(0)) await db.drop();
  });

  it('restores a dump', async () => {
    const url = await freshDatabase();
    await restoreWatched(url, dump);
    expect(await eventCount(url)).toBeGreaterThan(0);
  });

  it('describes a stalled restore, stops it and its sessions, and restores on the second try', async () => {
    const url = await freshDatabase();
    const holder = await holdSchemaCatalog(url);
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
    try {
      await restoreWatched(url, dump, { stallAfterMs: 2_000 });
    } finally {
      log.mockRestore();
      await holder.end().catch(() => undefined);
    }
    expect(printed).toHaveLength(1);
    const picture = printed[0];
    expect(picture).toContain('attempt 1 of 2');
    expect(picture).toMatch(/pg_restore pid \d+: state [RSD]/);
    expect(picture).toContain('"application_name":"lock-holder"');
    expect(picture).toContain('"application_name":"pg_restore"');
    expect(picture).toContain('"wait_event_type":"Lock"');
    expect(picture).toContain('"relation":"pg_namespace"');
    // The second try ran after the holder's session was ended with the stalled restore's.
    expect(await eventCount(url)).toBeGreaterThan(0);
  });

  it('fails with the picture when every try stalls', async () => {
    const url = await freshDatabase();
    const holder = await holdSchemaCatalog(url);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await expect(restoreWatched(url, dump, { stallAfterMs: 1_500, attempts: 1 })).rejects.toThrow(
        /did not finish in 1500 ms, 1 times:[\s\S]*"relation":"pg_namespace"/,
      );
    } finally {
      log.mockRestore();
      await holder.end().catch(() => undefined);
    }
  });

  it('says why a restore failed', async () => {
    const url = await freshDatabase();
    await expect(restoreWatched(url, path.resolve('test/fixtures/upgrade/v0.1.0/fixture.json'))).rejects.toThrow(
      /pg_restore exited with 1: .*input file does not appear to be a valid archive/,
    );
  });
});
