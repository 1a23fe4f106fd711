import path from 'node:path';
import pg from 'pg';
import {
  JWT_SECRET,
  call,
  findingTitle,
  MONITORING_TOKEN,
  pool,
  recordFinding,
  requireBuild,
  sleep,
  startApp,
  stationedRound,
  type RunningApp,
} from '../support/fault.js';
import { OwnPostgres } from '../support/own-postgres.js';
import { describeOnPostgresLog } from '../support/event-store-kind.js';

/**
 * The app on a PostgreSQL the test starts itself (DATABASE_URL), stopped and started again twice
 * (a fast shutdown, then an immediate one, i.e. a crash) under a load of idempotent RecordFinding
 * commands that retry on 503: never a 500, every acknowledged command in the log once, no key
 * stuck, and health, projector and seals back by themselves.
 */
const KEYS = 200;
const CONCURRENCY = 16;
/** A key still unanswered after this is counted stuck. */
const KEY_DEADLINE_MS = 120_000;

describeOnPostgresLog('PostgreSQL stopped and restarted under load', () => {
  let server: OwnPostgres;
  let app: RunningApp | undefined;
  beforeAll(async () => {
    await requireBuild();
    server = await OwnPostgres.create();
  }, 120_000);
  afterAll(async () => {
    if (app && app.child.exitCode === null) {
      app.child.kill('SIGTERM');
      await app.exited;
    }
    await server?.destroy();
  });

  it('answers 503 with Retry-After while it is down, never 500; nothing lost, duplicated or stuck', async () => {
    app = await startApp({
      DATABASE_URL: server.url(),
      DATABASE_OWNER_URL: '',
      JWT_SECRET,
      DATA_DIR: path.join(server.root, 'app'),
      SEAL_INTERVAL_SECONDS: '1',
    });
    const { base } = app;
    const round = await stationedRound(base);
    const keys = Array.from({ length: KEYS }, (_, i) => `outage-${i}`);
    const acknowledged = new Map<string, string>();
    const statuses = new Map<number, number>();
    const unexpected: string[] = [];
    const stuck: string[] = [];
    let unavailable = 0;
    let withoutRetryAfter = 0;
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

    const load = pool(keys, CONCURRENCY, async (key) => {
      const started = Date.now();
      for (;;) {
        const answer = await recordFinding(base, round, key);
        count(answer.status);
        if (answer.status === 201) {
          acknowledged.set(key, answer.body.findingId as string);
          return;
        }
        if (answer.status === 503 && answer.body.code === 'DATABASE_UNAVAILABLE') {
          unavailable++;
          if (!answer.headers.get('retry-after')) withoutRetryAfter++;
        } else if (!(answer.status === 409 && answer.body.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS')) {
          unexpected.push(`${key}: ${answer.status} ${JSON.stringify(answer.body)}`);
          if (answer.status !== 500 && answer.status !== 0) return;
        }
        if (Date.now() - started > KEY_DEADLINE_MS) {
          stuck.push(key);
          return;
        }
        await sleep(250);
      }
    });

    const healthWhileDown: Array<{ status: number; body: Record<string, unknown> }> = [];
    const outages = (async () => {
      for (const [after, mode, downMs] of [
        [30, 'fast', 3000],
        [90, 'immediate', 3000],
      ] as const) {
        while (acknowledged.size < after) await sleep(50);
        await server.stop(mode);
        await sleep(downMs / 2);
        const health = await call(base, 'GET', '/api/health', MONITORING_TOKEN);
        healthWhileDown.push({ status: health.status, body: health.body });
        await sleep(downMs / 2);
        await server.start();
      }
    })();
    await Promise.all([load, outages]);

    // The log, read directly: one finding per key, the one acknowledged.
    const db = new pg.Client({ connectionString: server.url() });
    await db.connect();
    try {
      const { rows } = await db.query<{ title: string; id: string }>(
        `SELECT data->>'title' AS title, data->>'findingId' AS id
           FROM event_store.es_events WHERE type = 'FindingRecorded'`,
      );
      const inLog = new Map<string, string[]>();
      for (const row of rows) inLog.set(row.title, [...(inLog.get(row.title) ?? []), row.id]);
      const lost = [...acknowledged].filter(([k, id]) => !inLog.get(findingTitle(k))?.includes(id));
      const duplicated = keys.filter((k) => (inLog.get(findingTitle(k)) ?? []).length > 1);

      // Health, projector and seal timer came back by themselves.
      let health = await call(base, 'GET', '/api/health', MONITORING_TOKEN);
      const caughtUp = () => health.status === 200 && (health.body.projection as { lagEvents: number }).lagEvents === 0;
      for (let i = 0; i < 120 && !caughtUp(); i++) {
        await sleep(250);
        health = await call(base, 'GET', '/api/health', MONITORING_TOKEN);
      }
      // The head from the log itself: the health answer's head can be older than the last append of the load.
      const head = Number(
        (await db.query<{ head: string }>(`SELECT coalesce(max(position), 0) AS head FROM event_store.es_events`))
          .rows[0].head,
      );
      expect(head).toBeGreaterThanOrEqual((health.body.store as { headPosition: number }).headPosition);
      let sealed = 0;
      for (let i = 0; i < 60 && sealed < head; i++) {
        const seal = await db.query<{ up: string | null }>(
          `SELECT max(up_to_position) AS up FROM event_store.es_seals`,
        );
        sealed = Number(seal.rows[0].up ?? 0);
        if (sealed < head) await sleep(250);
      }

      console.log(
        `outage test: keys ${KEYS}, acknowledged ${acknowledged.size}, answers ${JSON.stringify(Object.fromEntries(statuses))}, ` +
          `503 DATABASE_UNAVAILABLE seen ${unavailable}, 500 seen ${statuses.get(500) ?? 0}, lost ${lost.length}, ` +
          `duplicated ${duplicated.length}, stuck ${stuck.length}, health while down ` +
          `${healthWhileDown.map((h) => `${h.status} ${JSON.stringify(h.body.problems)}`).join(', ')}, ` +
          `head ${head}, sealed up to ${sealed}`,
      );
      expect(unexpected).toEqual([]);
      expect(statuses.get(500) ?? 0).toBe(0);
      expect(withoutRetryAfter).toBe(0);
      expect(stuck).toEqual([]);
      expect(acknowledged.size).toBe(KEYS);
      expect(lost).toEqual([]);
      expect(duplicated).toEqual([]);
      for (const h of healthWhileDown) expect(h).toMatchObject({ status: 503, body: { database: { status: 'down' } } });
      expect(health).toMatchObject({
        status: 200,
        body: { status: 'ok', projection: { running: true, lagEvents: 0 } },
      });
      expect(sealed).toBe(head);
    } finally {
      await db.end();
    }
  }, 300_000);
});
