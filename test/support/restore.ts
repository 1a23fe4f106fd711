import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import pg from 'pg';

/**
 * pg_restore of a dump into the database at `url`, watched. Inside the whole suite the restore of the upgrade fixture
 * has now and then not finished in 240 s (alone it takes about 5 s, and the cause is not known yet). Rather than let
 * the hook run out with nothing to show, a restore that runs past `stallAfterMs` is looked at — what every session
 * of the server is doing and waiting for, which locks wait, and what the pg_restore process itself is doing — the
 * picture is printed, the restore and its server sessions are stopped, and it runs once more over what it left
 * (`--clean --if-exists`). A second stall, or a restore that fails, fails the test with the picture in its message.
 */
export async function restoreWatched(
  url: string,
  dump: string,
  options: { stallAfterMs?: number; attempts?: number } = {},
): Promise<void> {
  const stallAfterMs = options.stallAfterMs ?? 60_000;
  const attempts = options.attempts ?? 2;
  for (let attempt = 1; ; attempt++) {
    const args = ['--no-owner', '--no-privileges', '--exit-on-error', '--no-password'];
    if (attempt > 1) args.push('--clean', '--if-exists');
    const outcome = await runOnce(args.concat(['-d', url, dump]), stallAfterMs);
    if (outcome.kind === 'done') return;
    if (outcome.kind === 'failed') {
      throw new Error(`pg_restore exited with ${outcome.code}: ${outcome.stderr}`);
    }
    const picture = await describeStall(url, outcome.pid);
    console.log(
      `pg_restore (attempt ${attempt} of ${attempts}) had not finished after ${stallAfterMs} ms:\n${picture}`,
    );
    outcome.kill();
    await outcome.exited;
    await endSessionsOf(url);
    if (attempt >= attempts) {
      throw new Error(`pg_restore did not finish in ${stallAfterMs} ms, ${attempts} times:\n${picture}`);
    }
  }
}

type Outcome =
  | { kind: 'done' }
  | { kind: 'failed'; code: number | null; stderr: string }
  | { kind: 'stalled'; pid: number; kill: () => void; exited: Promise<unknown> };

async function runOnce(args: string[], stallAfterMs: number): Promise<Outcome> {
  const child = spawn('pg_restore', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), stallAfterMs)));
  const first = await Promise.race([exited, stalled]);
  clearTimeout(timer);
  if (first === 'stalled') {
    return { kind: 'stalled', pid: child.pid ?? 0, kill: () => child.kill('SIGKILL'), exited };
  }
  if (first.code === 0) return { kind: 'done' };
  return { kind: 'failed', code: first.code, stderr: first.error ? String(first.error) : stderr.trim() };
}

/** The same server's maintenance database: a session in the stalled database may itself wait behind a catalog lock. */
function maintenanceUrl(url: string): { url: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.slice(1));
  u.pathname = '/postgres';
  return { url: u.href, database };
}

async function describeStall(url: string, pid: number): Promise<string> {
  const lines: string[] = [];
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const wchan = await readFile(`/proc/${pid}/wchan`, 'utf8').catch(() => '?');
    // The field after the command's name in /proc/PID/stat is the state: R running, S sleeping, D waiting on I/O.
    lines.push(`pg_restore pid ${pid}: state ${stat.split(') ')[1]?.split(' ')[0] ?? '?'}, wchan ${wchan}`);
  } catch (error) {
    lines.push(`pg_restore pid ${pid}: ${String(error)}`);
  }
  const target = maintenanceUrl(url);
  const admin = new pg.Client({
    connectionString: target.url,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 5_000,
  });
  try {
    await admin.connect();
    const sessions = await admin.query<Record<string, unknown>>(
      `SELECT pid, datname, usename, application_name, backend_type, state, wait_event_type, wait_event,
              pg_blocking_pids(pid) AS blocked_by, now() - xact_start AS in_transaction,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query
         FROM pg_stat_activity WHERE pid <> pg_backend_pid() ORDER BY datname NULLS FIRST, pid`,
    );
    lines.push(`server sessions (${sessions.rowCount}):`);
    for (const row of sessions.rows) lines.push(`  ${JSON.stringify(row)}`);
    // A relation of another database has no name here: shared catalogs (pg_database, pg_authid, …) and the
    // system catalogs, whose OIDs are the same in every database, are named; the rest shows its OID.
    const waiting = await admin.query<Record<string, unknown>>(
      `SELECT l.pid, l.locktype, l.mode, d.datname,
              COALESCE(c.relname, l.relation::text) AS relation, l.classid, l.objid,
              (SELECT array_agg(h.pid) FROM pg_locks h
                WHERE h.granted AND h.locktype = l.locktype AND h.database IS NOT DISTINCT FROM l.database
                  AND h.relation IS NOT DISTINCT FROM l.relation AND h.objid IS NOT DISTINCT FROM l.objid) AS held_by
         FROM pg_locks l
         LEFT JOIN pg_database d ON d.oid = l.database
         LEFT JOIN pg_class c ON c.oid = l.relation AND (c.relisshared OR c.oid < 16384 OR l.database = (
                SELECT oid FROM pg_database WHERE datname = current_database()))
        WHERE NOT l.granted`,
    );
    lines.push(`locks waited for (${waiting.rowCount}):`);
    for (const row of waiting.rows) lines.push(`  ${JSON.stringify(row)}`);
  } catch (error) {
    lines.push(`the server did not answer: ${String(error)}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  return lines.join('\n');
}

/** Ends the server sessions still working on the database (a killed pg_restore's backend may not notice at once). */
async function endSessionsOf(url: string): Promise<void> {
  const target = maintenanceUrl(url);
  const admin = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [target.database],
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
}
