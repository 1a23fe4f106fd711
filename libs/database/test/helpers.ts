import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A fresh folder under the temp dir that the `postgres` system user can enter (mkdtemp makes it 0700). */
export async function makeTempRoot(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dir, 0o755);
  return dir;
}

/** PostgreSQL server processes whose command line names `dir`. */
export async function postgresProcessesFor(dir: string): Promise<Array<{ pid: number; args: string }>> {
  const { stdout } = await execFileAsync('ps', ['-ww', '-eo', 'pid,args']);
  return stdout
    .split('\n')
    .slice(1)
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), args: m[2] ?? '' }))
    .filter((p) => p.args.includes(dir) && /postgres/.test(p.args));
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Last-resort cleanup after a failed test: kill servers we started under `dir`, then remove it. */
export async function killServersAndRemove(dir: string): Promise<void> {
  for (const { pid } of await postgresProcessesFor(dir)) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  await waitUntil(
    async () => (await postgresProcessesFor(dir)).length === 0,
    10_000,
    `servers in ${dir} to exit`,
  ).catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
}
