import pg from 'pg';
import {
  EventIdConflictError,
  InvalidEventError,
  PgEventStore,
  WrongExpectedRevisionError,
  eventHash,
  GENESIS_HASH,
  type RecordedEvent,
} from '@app/event-store';
import { actor, adapterRows, contractAdapters, ev, itWhen, newId, waitFor, type StoreFixture } from './support.js';

/** One contract for every adapter; the tests named "PostgreSQL only" check what only that adapter has. */
describe.each(adapterRows(contractAdapters()))('event store contract on %s', (_name, adapter) => {
  let fx: StoreFixture;
  beforeAll(async () => {
    fx = await adapter.open();
  });
  afterAll(async () => {
    await fx?.close();
  });

  describe('append and read a stream', () => {
    it('numbers revisions from 1, chains hashes and fills correlation and causation ids', async () => {
      const s = `finding-${newId()}`;
      const r1 = await fx.store.appendToStream(
        s,
        [ev('A', { n: 1 }), ev('B', { n: 2, nested: { z: 1, a: [1, 'x'] } })],
        { expectedRevision: 'no_stream' },
      );
      expect(r1.nextRevision).toBe(2);
      const events = await fx.store.readStream(s);
      expect(events.map((e) => [e.revision, e.type])).toEqual([
        [1, 'A'],
        [2, 'B'],
      ]);
      expect(events[1].position).toBe(r1.position);
      if (adapter.densePositions) expect(events[0].position).toBe(r1.position - 1);
      else expect(events[0].position).toBeLessThan(r1.position);
      expect(events[0].prevHash).toBe(GENESIS_HASH);
      expect(events[1].prevHash).toBe(events[0].hash);
      for (const e of events) expect(eventHash(e)).toBe(e.hash);
      expect(events[0].metadata).toEqual({
        actor,
        correlationId: events[0].id,
        causationId: events[0].id,
      });
      expect(events[0].recordedAt).toBeInstanceOf(Date);
    });

    it('keeps occurredAt beside the server-side recordedAt', async () => {
      const s = `round-${newId()}`;
      await fx.store.appendToStream(s, [ev('RoundPlanned', {}, { occurredAt: '2024-08-26T09:00:00+08:00' })]);
      const [e] = await fx.store.readStream(s);
      expect(e.occurredAt?.toISOString()).toBe('2024-08-26T01:00:00.000Z');
      expect(e.recordedAt.getTime()).toBeGreaterThan(e.occurredAt!.getTime());
    });

    it('reads a range of revisions and the state recorded up to a moment', async () => {
      const s = `lead-${newId()}`;
      await fx.store.appendToStream(s, [ev('A'), ev('B')]);
      const [, second] = await fx.store.readStream(s);
      await new Promise((r) => setTimeout(r, 15));
      await fx.store.appendToStream(s, [ev('C')], { expectedRevision: 2 });
      expect((await fx.store.readStream(s, { fromRevision: 2 })).map((e) => e.type)).toEqual(['B', 'C']);
      expect((await fx.store.readStream(s, { toRevision: 1 })).map((e) => e.type)).toEqual(['A']);
      expect((await fx.store.readStream(s, { until: second.recordedAt })).map((e) => e.type)).toEqual(['A', 'B']);
      expect(await fx.store.readStream(`lead-${newId()}`)).toEqual([]);
    });
  });

  describe('expected revision', () => {
    it('refuses a mismatch with the expected and actual revision, and writes nothing', async () => {
      const s = `finding-${newId()}`;
      await fx.store.appendToStream(s, [ev('A')], {
        expectedRevision: 'no_stream',
      });
      const err = await fx.store.appendToStream(s, [ev('B')], { expectedRevision: 0 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WrongExpectedRevisionError);
      expect(err).toMatchObject({ streamId: s, expected: 0, actual: 1 });
      await expect(
        fx.store.appendToStream(s, [ev('B')], {
          expectedRevision: 'no_stream',
        }),
      ).rejects.toMatchObject({
        actual: 1,
      });
      await expect(
        fx.store.appendToStream(`x-${newId()}`, [ev('B')], {
          expectedRevision: 'stream_exists',
        }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect((await fx.store.readStream(s)).length).toBe(1);
      await fx.store.appendToStream(s, [ev('B')], {
        expectedRevision: 'stream_exists',
      });
      await fx.store.appendToStream(s, [ev('C')], { expectedRevision: 2 });
      await fx.store.appendToStream(s, [ev('D')], {
        expectedRevision: 'any',
      });
      expect((await fx.store.readStream(s)).map((e) => e.revision)).toEqual([1, 2, 3, 4]);
    });

    it('lets exactly one of 50 concurrent appends with the same expected revision succeed', async () => {
      const s = `finding-${newId()}`;
      await fx.store.appendToStream(s, [ev('Recorded')]);
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          fx.store.appendToStream(s, [ev('Verified', { i })], {
            expectedRevision: 1,
          }),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(failed).toHaveLength(49);
      for (const f of failed) expect(f.reason).toBeInstanceOf(WrongExpectedRevisionError);
      const events = await fx.store.readStream(s);
      expect(events.map((e) => e.type)).toEqual(['Recorded', 'Verified']);
    });

    it("serialises concurrent 'any' appends to one stream without losing any", async () => {
      const s = `finding-${newId()}`;
      await Promise.all(Array.from({ length: 10 }, (_, i) => fx.store.appendToStream(s, [ev('P', { i })])));
      const events = await fx.store.readStream(s);
      expect(events.map((e) => e.revision)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(new Set(events.map((e) => (e.data as { i: number }).i)).size).toBe(10);
    });
  });

  describe('atomicity and validation', () => {
    it('writes all events of one call or none', async () => {
      const s = `finding-${newId()}`;
      // The third event is refused (no actor) after the first two were checked: nothing is written.
      const bad = { type: 'C', data: {}, metadata: {} } as never;
      await expect(fx.store.appendToStream(s, [ev('A'), ev('B'), bad])).rejects.toThrow(InvalidEventError);
      expect(await fx.store.readStream(s)).toEqual([]);
      expect(await fx.store.streamRevision(s)).toBe(0);
    });

    itWhen(
      adapter.postgres,
      'PostgreSQL only: rolls back a call whose third event fails inside the database',
      async () => {
        const s = `finding-${newId()}`;
        // jsonb refuses \u0000: the third event fails inside the database, after the first two were inserted.
        await expect(fx.store.appendToStream(s, [ev('A'), ev('B'), ev('C', { bad: 'nul\u0000' })])).rejects.toThrow();
        expect(await fx.store.readStream(s)).toEqual([]);
      },
    );

    it('rejects an event without an actor', async () => {
      const s = `finding-${newId()}`;
      const bad = { type: 'A', data: {}, metadata: {} } as never;
      await expect(fx.store.appendToStream(s, [bad])).rejects.toThrow(InvalidEventError);
      await expect(
        fx.store.appendToStream(s, [
          {
            type: 'A',
            data: {},
            metadata: { actor: { id: 'x', username: '', role: 'r' } },
          },
        ]),
      ).rejects.toThrow(/actor.username/);
      expect(await fx.store.readStream(s)).toEqual([]);
    });

    it('rejects malformed ids, types and expected revisions', async () => {
      const s = `finding-${newId()}`;
      await expect(fx.store.appendToStream(s, [ev('A', {}, { id: 'not-a-uuid' })])).rejects.toThrow(
        /id must be a uuid/,
      );
      await expect(fx.store.appendToStream(s, [ev('')])).rejects.toThrow(/type/);
      await expect(fx.store.appendToStream(s, [])).rejects.toThrow(/non-empty/);
      await expect(fx.store.appendToStream(s, [ev('A')], { expectedRevision: -1 })).rejects.toThrow(/expectedRevision/);
      await expect(fx.store.appendToStream('', [ev('A')])).rejects.toThrow(/streamId/);
    });
  });

  describe('idempotency', () => {
    it('answers a repeated append of the same ids with the original result and writes nothing', async () => {
      const s = `finding-${newId()}`;
      const batch = [ev('A', { x: 1 }, { id: newId() }), ev('B', { y: 2 }, { id: newId() })];
      const first = await fx.store.appendToStream(s, batch, {
        expectedRevision: 'no_stream',
      });
      const again = await fx.store.appendToStream(s, batch, {
        expectedRevision: 'no_stream',
      });
      expect(again).toEqual({ ...first, alreadyAppended: true });
      expect(first.alreadyAppended).toBe(false);
      expect((await fx.store.readStream(s)).length).toBe(2);
    });

    it('answers concurrent duplicates of one append once', async () => {
      const s = `finding-${newId()}`;
      const batch = [ev('A', { x: 1 }, { id: newId() })];
      const results = await Promise.all(Array.from({ length: 5 }, () => fx.store.appendToStream(s, batch)));
      expect(new Set(results.map((r) => r.position)).size).toBe(1);
      expect((await fx.store.readStream(s)).length).toBe(1);
    });

    it('refuses an id reused with different content', async () => {
      const s = `finding-${newId()}`;
      const id = newId();
      await fx.store.appendToStream(s, [ev('A', { x: 1 }, { id })]);
      await expect(fx.store.appendToStream(s, [ev('A', { x: 2 }, { id })])).rejects.toBeInstanceOf(
        EventIdConflictError,
      );
      await expect(fx.store.appendToStream(`other-${newId()}`, [ev('A', { x: 1 }, { id })])).rejects.toBeInstanceOf(
        EventIdConflictError,
      );
    });
    itWhen(
      adapter.postgres,
      'PostgreSQL only: answers a repeated append after the stream moved on with the original result',
      async () => {
        const s = `finding-${newId()}`;
        const batch = [ev('A', { x: 1 }, { id: newId() }), ev('B', { y: 2 }, { id: newId() })];
        const first = await fx.store.appendToStream(s, batch);
        await fx.store.appendToStream(s, [ev('C')]);
        // 'any' finds the head free at revision 4: every row then meets its id, nothing of the retry goes in.
        expect(await fx.store.appendToStream(s, batch)).toEqual({ ...first, alreadyAppended: true });
        expect((await fx.store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      },
    );

    itWhen(
      adapter.postgres,
      'PostgreSQL only: refuses a call of which one id is stored already, and writes none of its events',
      async () => {
        const s = `finding-${newId()}`;
        const id = newId();
        await fx.store.appendToStream(s, [ev('A', { x: 1 }, { id })]);
        // The new first event would go in; the second meets the stored id: the whole call is refused.
        await expect(
          fx.store.appendToStream(s, [ev('N', {}, { id: newId() }), ev('A', { x: 1 }, { id })]),
        ).rejects.toBeInstanceOf(EventIdConflictError);
        expect((await fx.store.readStream(s)).map((e) => e.type)).toEqual(['A']);
        const head = await fx.store.headPosition();
        const after = await fx.store.appendToStream(s, [ev('D')], { expectedRevision: 1 });
        expect(after).toMatchObject({ nextRevision: 2, alreadyAppended: false });
        expect(after.position).toBeGreaterThan(head);
      },
    );
  });

  describe('the global log', () => {
    it('reads all events in position order, after an exclusive position, with a limit', async () => {
      const before = await fx.store.headPosition();
      const s1 = `a-${newId()}`;
      const s2 = `b-${newId()}`;
      await fx.store.appendToStream(s1, [ev('A1')]);
      await fx.store.appendToStream(s2, [ev('B1'), ev('B2')]);
      await fx.store.appendToStream(s1, [ev('A2')]);
      const all = await fx.store.readAll({ fromPosition: before });
      expect(all.map((e) => e.type)).toEqual(['A1', 'B1', 'B2', 'A2']);
      const limited = await fx.store.readAll({
        fromPosition: all[0].position,
        limit: 2,
      });
      expect(limited.map((e) => e.type)).toEqual(['B1', 'B2']);
      expect(await fx.store.headPosition()).toBe(all[3].position);
      expect(await fx.store.hasEvents()).toBe(true);
      expect(await fx.store.streamRevision(s1)).toBe(2);
      expect(await fx.store.streamRevision(`none-${newId()}`)).toBe(0);
    });

    itWhen(
      adapter.postgres,
      'PostgreSQL only: never shows an event while one with a lower position is still uncommitted (no skipped events)',
      async () => {
        const { schema, admin, url } = fx.pg!;
        const start = await fx.store.headPosition();
        const slow = new pg.Client({ connectionString: url });
        await slow.connect();
        try {
          // T1 takes its position first and stays open; T2 takes a later one and commits first.
          await slow.query('BEGIN');
          await slow.query(`SELECT * FROM ${schema}.es_append($1, 'any', $2::jsonb, $3::bytea)`, [
            `slow-${newId()}`,
            JSON.stringify([
              {
                id: newId(),
                type: 'Slow',
                data: {},
                metadata: { actor, correlationId: 'c', causationId: 'c' },
                occurredAt: null,
              },
            ]),
            Buffer.alloc(32),
          ]);
          const fast = await fx.store.appendToStream(`fast-${newId()}`, [ev('Fast')]);
          // A reader trusting "position > checkpoint" would already see Fast and move past Slow's position:
          const naive = await admin.query(
            `SELECT type FROM ${schema}.es_events WHERE position > $1 ORDER BY position`,
            [start],
          );
          expect(naive.rows.map((r) => r.type)).toEqual(['Fast']);
          // The store's readers wait until Slow is decided.
          expect(await fx.store.readAll({ fromPosition: start })).toEqual([]);
          expect(await fx.store.headPosition()).toBe(start);
          await slow.query('COMMIT');
          const all = await fx.store.readAll({ fromPosition: start });
          expect(all.map((e) => e.type)).toEqual(['Slow', 'Fast']);
          expect(all[1].position).toBe(fast.position);
        } finally {
          await slow.query('ROLLBACK').catch(() => undefined);
          await slow.end();
        }
      },
    );

    itWhen(
      adapter.postgres,
      'PostgreSQL only: an append paused between its transaction id and its position keeps every other append out, so a reader never goes back',
      async () => {
        const { schema, admin, url } = fx.pg!;
        const start = await fx.store.headPosition();
        const connect = async () => {
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          return c;
        };
        const [gate, a, b] = [await connect(), await connect(), await connect()];
        const pidOf = async (c: pg.Client) =>
          Number((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
        const [pidA, pidB] = [await pidOf(a), await pidOf(b)];
        const waiting = async (pid: number) =>
          (
            await admin.query<{ w: string | null; xid: string | null }>(
              `SELECT wait_event_type || '/' || wait_event AS w, backend_xid::text AS xid FROM pg_stat_activity WHERE pid = $1`,
              [pid],
            )
          ).rows[0];
        const until = async (pid: number, what: RegExp) => {
          for (let i = 0; i < 2000; i++) {
            if (what.test((await waiting(pid))?.w ?? '')) return;
            await new Promise((r) => setTimeout(r, 10));
          }
          throw new Error(`backend ${pid} never waited on ${what}`);
        };
        const append = (c: pg.Client, type: string) =>
          c.query(`SELECT * FROM ${schema}.es_append($1, 'any', $2::jsonb, $3::bytea)`, [
            `${type}-${newId()}`,
            JSON.stringify([
              {
                id: newId(),
                type,
                data: {},
                metadata: { actor, correlationId: 'c', causationId: 'c' },
                occurredAt: null,
              },
            ]),
            Buffer.alloc(32),
          ]);
        try {
          // The gate holds the position sequence, so A stops right after taking its transaction id, before its position.
          await gate.query('BEGIN');
          await gate.query(`ALTER SEQUENCE ${schema}.es_position_seq CACHE 1`);
          await a.query('BEGIN');
          const appendA = append(a, 'A');
          await until(pidA, /^Lock\/relation$/);
          expect((await waiting(pidA)).xid).not.toBeNull();
          // B starts while A is paused. Were B to take a transaction id now, it could take its position before A's: B
          // would then hold the higher transaction id and the lower position, and a reader delivering A (once A commits
          // while B runs) would move past B's position for good.
          await b.query('BEGIN');
          const appendB = append(b, 'B');
          await until(pidB, /^Lock\//);
          expect((await waiting(pidB)).xid).toBeNull();
          await gate.query('ROLLBACK');
          const [ra, rb] = [(await appendA).rows[0], (await appendB).rows[0]];
          expect(Number(ra.last_position)).toBeLessThan(Number(rb.last_position));
          // The lower transaction id commits first; a reader delivers what it can, then the rest after B commits.
          await a.query('COMMIT');
          const first = await fx.store.readAll({ fromPosition: start });
          const checkpoint = first.length ? first[first.length - 1].position : start;
          await b.query('COMMIT');
          const rest = await fx.store.readAll({ fromPosition: checkpoint });
          expect([...first, ...rest].map((e) => e.type)).toEqual(['A', 'B']);
        } finally {
          for (const c of [gate, a, b]) {
            await c.query('ROLLBACK').catch(() => undefined);
            await c.end();
          }
        }
      },
    );

    itWhen(
      adapter.postgres,
      'PostgreSQL only: refuses an append that is not the first write of its transaction',
      async () => {
        const { schema, url } = fx.pg!;
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query('BEGIN');
          await c.query('CREATE TEMP TABLE t (x int)');
          await c.query('INSERT INTO t VALUES (1)');
          await expect(
            c.query(
              `SELECT * FROM ${schema}.es_append('s-x', 'any', jsonb_build_array(jsonb_build_object('id', gen_random_uuid(), 'type', 'A', 'data', '{}'::jsonb, 'metadata', '{}'::jsonb)), '\\x00'::bytea)`,
            ),
          ).rejects.toThrow(/first write of its transaction/);
        } finally {
          await c.query('ROLLBACK');
          await c.end();
        }
      },
    );
  });

  describe('subscriptions', () => {
    it('delivers every event of 8 concurrent writers exactly once, in stream order, with increasing positions', async () => {
      const from = await fx.store.headPosition();
      const received: RecordedEvent[] = [];
      const sub = fx.store.subscribeToAll({ fromPosition: from, batchSize: 300 }, async (batch) => {
        received.push(...batch);
      });
      const writers = Array.from({ length: 8 }, (_, w) => `writer-${w}-${newId()}`);
      await Promise.all(
        writers.map(async (s) => {
          for (let i = 1; i <= 1000; i++)
            await fx.store.appendToStream(s, [ev('Tick', { i })], {
              expectedRevision: i - 1,
            });
        }),
      );
      await waitFor(() => received.length >= 8000, 60000);
      await new Promise((r) => setTimeout(r, 100));
      await sub.stop();
      expect(received).toHaveLength(8000);
      expect(new Set(received.map((e) => e.id)).size).toBe(8000);
      for (let i = 1; i < received.length; i++) expect(received[i].position).toBeGreaterThan(received[i - 1].position);
      for (const s of writers) {
        const revs = received.filter((e) => e.streamId === s).map((e) => e.revision);
        expect(revs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      }
      expect(sub.position).toBe(received[received.length - 1].position);
    }, 300000);

    itWhen(
      adapter.connections,
      'resumes from its last position after its connection is dropped, delivering nothing twice',
      async () => {
        const from = await fx.store.headPosition();
        const received: RecordedEvent[] = [];
        let readErrors = 0;
        const sub = fx.store.subscribeToAll({ fromPosition: from, onReadError: () => readErrors++ }, async (batch) => {
          received.push(...batch);
        });
        const s = `drop-${newId()}`;
        for (let i = 0; i < 20; i++) await fx.store.appendToStream(s, [ev('E', { i })]);
        await waitFor(() => received.length === 20);
        expect(await fx.dropSubscriptionConnections!()).toBeGreaterThan(0);
        for (let i = 20; i < 40; i++) await fx.store.appendToStream(s, [ev('E', { i })]);
        await waitFor(() => received.length >= 40);
        await new Promise((r) => setTimeout(r, 100));
        await sub.stop();
        expect(received.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      },
    );

    it('resumes after a checkpoint without repeating events, and stops when the handler fails', async () => {
      const s = `ckpt-${newId()}`;
      const base = await fx.store.headPosition();
      await fx.store.appendToStream(s, [ev('A'), ev('B'), ev('C')]);
      const events = await fx.store.readAll({ fromPosition: base });
      const seen: string[] = [];
      const sub = fx.store.subscribeToAll({ fromPosition: events[0].position }, async (batch) => {
        seen.push(...batch.filter((e) => e.streamId === s).map((e) => e.type));
      });
      await waitFor(() => seen.length === 2);
      await sub.stop();
      expect(seen).toEqual(['B', 'C']);
      const failing = fx.store.subscribeToAll({ fromPosition: base }, async () => {
        throw new Error('projection bug');
      });
      await expect(failing.done).rejects.toThrow('projection bug');
      expect(failing.position).toBe(base);
    });
  });

  describe('append-only log', () => {
    itWhen(
      adapter.postgres,
      'PostgreSQL only: refuses UPDATE, DELETE and TRUNCATE on the events table for the application connection',
      async () => {
        const { schema, store } = fx.pg!;
        const s = `finding-${newId()}`;
        await fx.store.appendToStream(s, [ev('A')]);
        await expect(
          store.pool.query(`UPDATE ${schema}.es_events SET data = '{}' WHERE stream_id = $1`, [s]),
        ).rejects.toThrow(/append-only/);
        await expect(store.pool.query(`DELETE FROM ${schema}.es_events WHERE stream_id = $1`, [s])).rejects.toThrow(
          /append-only/,
        );
        await expect(store.pool.query(`TRUNCATE ${schema}.es_events`)).rejects.toThrow(/append-only/);
        expect((await fx.store.readStream(s)).length).toBe(1);
      },
    );

    itWhen(adapter.postgres, 'PostgreSQL only: runs its migrations once however often it is opened', async () => {
      const { schema, admin, url } = fx.pg!;
      const again = await PgEventStore.open({
        connectionString: url,
        schema,
      });
      await again.close();
      const { rows } = await admin.query(`SELECT version FROM ${schema}.schema_migrations`);
      expect(rows.map((r) => r.version).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });
  });
});
