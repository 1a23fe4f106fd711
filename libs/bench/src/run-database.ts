/**
 * The database of one benchmark run: with DATABASE_URL a fresh database on that server (dropped at the end),
 * otherwise a fresh folder under DATA_DIR (default ./data/<bench>) for the embedded cluster, removed at the end.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface RunDatabase {
  /** DATABASE_URL and DATA_DIR for the app's configuration. */
  env: Record<string, string>;
  runDir: string;
  /** The fresh database's name on the given server, if one was created. */
  externalName?: string;
  /** Drops the fresh database (if any), then `stopDatabase`, then removes the run's folder. Logs, never throws. */
  remove(stopDatabase: () => Promise<void>): Promise<void>;
}

export async function prepareRunDatabase(bench: string): Promise<RunDatabase> {
  const runId = randomUUID().replaceAll('-', '').slice(0, 12);
  const baseUrl = process.env.DATABASE_URL?.trim();
  let env: Record<string, string>;
  let runDir: string;
  let dataRoot: string | undefined;
  let external: { base: string; name: string } | undefined;
  if (baseUrl) {
    const name = `xuncha_bench_${runId}`;
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    external = { base: baseUrl, name };
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    runDir = path.join(os.tmpdir(), `xuncha-${bench}-${runId}`);
    mkdirSync(runDir, { recursive: true });
    env = { DATABASE_URL: url.href, DATA_DIR: runDir };
  } else {
    dataRoot = path.resolve(process.env.DATA_DIR?.trim() || `./data/${bench}`);
    runDir = path.join(dataRoot, `run-${runId}`);
    mkdirSync(runDir, { recursive: true });
    env = { DATA_DIR: runDir };
  }
  const remove = async (stopDatabase: () => Promise<void>): Promise<void> => {
    if (external) {
      const c = new pg.Client({ connectionString: external.base });
      c.on('error', () => undefined);
      try {
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${external.name} WITH (FORCE)`);
        console.log(`Dropped database ${external.name}`);
      } catch (e) {
        console.error(`Could not drop database ${external.name}: ${(e as Error).message}`);
      } finally {
        await c.end().catch(() => undefined);
      }
    }
    await stopDatabase().catch((e: unknown) =>
      console.error(`Stopping the embedded PostgreSQL failed: ${(e as Error).message}`),
    );
    rmSync(runDir, { recursive: true, force: true });
    // The DATA_DIR itself goes too when this run's folder was all it held.
    if (dataRoot && existsSync(dataRoot) && readdirSync(dataRoot).length === 0) rmdirSync(dataRoot);
    console.log(`Removed ${runDir}`);
  };
  return { env, runDir, externalName: external?.name, remove };
}
