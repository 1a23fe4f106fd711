/** What every benchmark reports about where it ran: the machine, Node, PostgreSQL and its settings. */
import os from 'node:os';
import type pg from 'pg';

export interface MachineFacts {
  cpuModel: string;
  cpuCount: number;
  totalMemoryGiB: number;
  node: string;
  platform: string;
  /** Other processes on the machine skew the figures; ratios measured interleaved less so. */
  loadAverage1mAtStart: number;
  loadAverage1mAtEnd: number;
}

/** Taken at the end of a run; `loadAtStart` is `os.loadavg()` from its start. */
export function machineFacts(loadAtStart: number[]): MachineFacts {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage1mAtStart: Number(loadAtStart[0].toFixed(2)),
    loadAverage1mAtEnd: Number(os.loadavg()[0].toFixed(2)),
  };
}

export interface PostgresFacts {
  /** `select version()`. */
  postgres: string;
  /** The named settings with their units (`16384×8kB`, `on`). */
  postgresSettings: Record<string, string>;
}

export async function postgresFacts(admin: pg.Client, settingNames: readonly string[]): Promise<PostgresFacts> {
  const version = (await admin.query<{ version: string }>('select version()')).rows[0].version;
  const { rows } = await admin.query<{ name: string; setting: string; unit: string | null }>(
    'select name, setting, unit from pg_settings where name = any($1)',
    [settingNames],
  );
  const settings = Object.fromEntries(
    rows.map((r) => [r.name, r.unit ? `${r.setting}${r.unit === '8kB' ? '×8kB' : r.unit}` : r.setting]),
  );
  return { postgres: version, postgresSettings: settings };
}

/** `Machine: … CPUs, … GiB RAM, Node …, linux …; PostgreSQL 18.1 (embedded; fsync=on, …).` */
export function machineLine(machine: MachineFacts, pgFacts: PostgresFacts, databaseMode: string): string {
  const settings = Object.entries(pgFacts.postgresSettings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return (
    `Machine: ${machine.cpuModel} × ${machine.cpuCount} CPUs, ${machine.totalMemoryGiB} GiB RAM, ` +
    `Node ${machine.node}, ${machine.platform}; ${pgFacts.postgres.split(',')[0]} (${databaseMode}; ${settings}).`
  );
}

export const loadAverageLine = (machine: MachineFacts) =>
  `Load average (1 min) at start ${machine.loadAverage1mAtStart}, at end ${machine.loadAverage1mAtEnd}.`;

/** One line for the start of a run: CPUs and the load average now. */
export const machineNow = () =>
  `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
  `Node ${process.version}, load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
