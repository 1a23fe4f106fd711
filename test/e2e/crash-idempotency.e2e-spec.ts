import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  findingTitle,
  pool,
  recordFinding,
  requireBuild,
  sleep,
  startApp,
  stationedRound,
  type Round,
  type RunningApp,
} from '../support/fault.js';
import { describeOnPostgresLog } from '../support/event-store-kind.js';

/**
 * The real app (built dist, embedded PostgreSQL) SIGKILLed in the middle of a burst of idempotent
 * RecordFinding commands, restarted on the same folder, and every key retried: each key ends in
 * one finding, the one its first acknowledged answer named; none stays "in progress".
 */
const KEYS = 240;
const CONCURRENCY = 32;
/** SIGKILL once this many findings were acknowledged. */
const KILL_AFTER = 40;
/** How long after the restart a key may still answer 409 IN_PROGRESS (the lease is 5 s). */
const TAKEOVER_MS = 20_000;

describeOnPostgresLog('SIGKILL during a burst of idempotent commands', () => {
  let root: string;
  let app: RunningApp | undefined;
  beforeAll(async () => {
    await requireBuild();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-crash-'));
    await fs.chmod(root, 0o755);
  });
  afterAll(async () => {
    if (app && app.child.exitCode === null) {
      app.child.kill('SIGTERM');
      await app.exited;
    }
    // Had the restart failed, the server the SIGKILLed app left running would outlive the test.
    const pid = await fs.readFile(path.join(root, 'data', 'pg', 'postmaster.pid'), 'utf8').then(
      (text) => Number(text.split('\n')[0]),
      () => 0,
    );
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    await fs.rm(root, { recursive: true, force: true });
  });

  it('after restart every key answers once, the acknowledged ones as before: none stuck, none duplicated', async () => {
    const env = { DATA_DIR: path.join(root, 'data'), DATABASE_URL: '', JWT_SECRET: '', PROJECTIONS: 'off' };
    app = await startApp(env);
    const round: Round = await stationedRound(app.base);
    const keys = Array.from({ length: KEYS }, (_, i) => `crash-${i}`);
    const acknowledged = new Map<string, string>();
    const sent = new Set<string>();
    let killed = false;
    const first = app;
    await pool(
      keys,
      CONCURRENCY,
      async (key) => {
        sent.add(key);
        const answer = await recordFinding(first.base, round, key);
        if (answer.status === 201) acknowledged.set(key, answer.body.findingId as string);
        else if (answer.status !== 0) throw new Error(`${key}: ${answer.status} ${JSON.stringify(answer.body)}`);
        if (!killed && acknowledged.size >= KILL_AFTER) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      },
      () => killed,
    );
    await first.exited;
    expect(killed).toBe(true);

    app = await startApp(env);
    const second = app;
    const restartedAt = Date.now();
    const dbPort = /on 127\.0\.0\.1:(\d+)/.exec(second.output())![1];
    const password = (await fs.readFile(path.join(env.DATA_DIR, 'pg-password'), 'utf8')).trim();
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${dbPort}/xuncha`;
    // What the crash left: claims never completed, and findings in the log whose answer was lost.
    const before = new pg.Client({ connectionString: url });
    await before.connect();
    const left = await before
      .query<{ pending: number; logged: number }>(
        `SELECT (SELECT count(*)::int FROM idempotency_keys WHERE status = 'pending') AS pending,
                (SELECT count(*)::int FROM event_store.es_events WHERE type = 'FindingRecorded') AS logged`,
      )
      .finally(() => before.end());
    const { pending, logged } = left.rows[0];
    const answered = new Map<string, string>();
    const stuck = new Set<string>();
    let inProgressSeen = 0;
    await pool(keys, CONCURRENCY, async (key) => {
      for (;;) {
        const answer = await recordFinding(second.base, round, key);
        if (answer.status === 201) {
          answered.set(key, answer.body.findingId as string);
          return;
        }
        if (answer.status === 409 && answer.body.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS') {
          inProgressSeen++;
          if (Date.now() - restartedAt > TAKEOVER_MS) {
            stuck.add(key);
            return;
          }
          await sleep(250);
          continue;
        }
        throw new Error(`${key} after restart: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    });

    // The log itself, read as the embedded server's superuser: findings per key.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const { rows } = await db
      .query<{ title: string; id: string }>(
        `SELECT data->>'title' AS title, data->>'findingId' AS id
           FROM event_store.es_events WHERE type = 'FindingRecorded'`,
      )
      .finally(() => db.end());
    const inLog = new Map<string, string[]>();
    for (const row of rows) inLog.set(row.title, [...(inLog.get(row.title) ?? []), row.id]);
    const duplicated = keys.filter((k) => (inLog.get(findingTitle(k)) ?? []).length > 1);
    const written = keys.filter((k) => inLog.has(findingTitle(k)));
    const ackedMissing = [...acknowledged.keys()].filter(
      (k) => !inLog.get(findingTitle(k))?.includes(acknowledged.get(k)!),
    );
    const answeredOther = [...acknowledged].filter(([k, id]) => answered.get(k) !== id);

    console.log(
      `crash test: keys ${KEYS}, sent before SIGKILL ${sent.size}, acknowledged ${acknowledged.size}, ` +
        `left by the crash: ${pending} claims in progress, ${logged - acknowledged.size} findings written but not ` +
        `acknowledged; after retrying every key: written ${written.length}, 409 in progress seen ${inProgressSeen}, ` +
        `stuck ${stuck.size}, ` +
        `duplicated ${duplicated.length}, acknowledged but missing ${ackedMissing.length}`,
    );
    expect(stuck.size).toBe(0);
    expect(duplicated).toEqual([]);
    expect(ackedMissing).toEqual([]);
    expect(answeredOther).toEqual([]);
    // Every key ends in exactly one finding, the one its answer names.
    expect(written).toHaveLength(KEYS);
    for (const key of keys) expect(inLog.get(findingTitle(key))).toEqual([answered.get(key)]);
  }, 240_000);
});
