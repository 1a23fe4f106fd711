/** CPU time of processes and of the whole machine, from Linux /proc (NaN elsewhere). */
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** Linux USER_HZ; /proc counts CPU time in these ticks. */
export const CLOCK_TICKS = 100;

/** User + system ticks of one process, or undefined when it is gone or /proc is not there. */
export function procTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return undefined;
  }
}

/** CPU time used so far by these processes, in ms (NaN when none of them can be read). */
export function procCpuMs(pids: number[]): number {
  let ticks = 0;
  let readable = 0;
  for (const pid of pids) {
    const t = procTicks(pid);
    if (t === undefined) continue;
    ticks += t;
    readable++;
  }
  return readable === 0 ? NaN : (ticks * 1000) / CLOCK_TICKS;
}

/** Busy and total CPU time of the whole machine, in ms (all cores). */
export function machineCpuMs(): { busy: number; total: number } {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((s, x) => s + x, 0);
    const idle = v[3] + (v[4] ?? 0);
    return { busy: ((total - idle) * 1000) / CLOCK_TICKS, total: (total * 1000) / CLOCK_TICKS };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** Server processes of this database's client connections matching `where` (other than `admin`'s own). */
export async function backendPids(admin: pg.Client, where: string, values: unknown[] = []): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND backend_type = 'client backend' AND ${where}`,
    values,
  );
  return rows.map((r) => r.pid);
}

/**
 * The connection string with an application_name of its own (a connection string parameter wins over a pool's
 * option), so that the server processes of one side can be found for the CPU figures.
 */
export function withApplicationName(url: string, applicationName: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', applicationName);
  return u.toString();
}
