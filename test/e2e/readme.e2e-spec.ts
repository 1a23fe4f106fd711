import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/fault.js';

/**
 * The README's tour, pasted into bash against the real app started as `npm start` would start it
 * (embedded PostgreSQL, demo loaded on first start): the README cannot drift from the product.
 */
const entry = path.resolve('dist/apps/api/src/main.js');

async function tourScript(port: number): Promise<string> {
  const readme = await fs.readFile('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## A short tour'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README has no sh block in "A short tour"');
  if (!block[1].includes('API=http://localhost:3000/api'))
    throw new Error('the tour no longer starts with API=http://localhost:3000/api');
  return block[1].replace('API=http://localhost:3000/api', `API=http://127.0.0.1:${port}/api`);
}

describe('the README tour', () => {
  let root: string;
  let child: ChildProcess;
  let output = '';
  let port: number;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-readme-'));
    await fs.chmod(root, 0o755);
    port = await freePort();
    child = spawn(process.execPath, [entry], {
      env: {
        ...process.env,
        DATA_DIR: path.join(root, 'data'),
        PORT: String(port),
        DATABASE_URL: '',
        EVENT_STORE: '', // the README's default, whichever store the rest of the suite runs on
        JWT_SECRET: '',
        DEMO: 'on',
        LOG_LEVEL: 'log',
        NODE_OPTIONS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const deadline = Date.now() + 90_000;
    while (!output.includes('Listening on')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`app did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await fs.rm(root, { recursive: true, force: true });
  });

  it('prints the demo users and URLs at first start', () => {
    expect(output).toContain(`http://localhost:${port}/`);
    expect(output).toContain('/api/docs');
    expect(output).toMatch(/official/);
    expect(output).toMatch(/demo-2024/);
    // With the demo (and its public password) loaded and HOST unset: this machine only.
    expect(output).toContain(`Listening on http://127.0.0.1:${port} (the demo is loaded`);
  });

  it('runs every command of the tour as pasted, with the figures it promises', async () => {
    const script = `set -euo pipefail\n${await tourScript(port)}`;
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      timeout: 60_000,
      maxBuffer: 10 * 1024 * 1024,
    });
    expect(stdout).toMatch(/fields: 9/);
    expect(stdout).toMatch(/monitoringPoints: 43/);
    expect(stdout).toMatch(/leads: 35/);
    expect(stdout).toMatch(/immediate: \{ assigned: \d+, closed: 7 \}/);
    expect(stdout).toMatch(/name: '区教育局'/);
    expect(stdout).toMatch(/assigned: 1/);
    expect(stdout).toMatch(/FindingRecorded inspector\.li [0-9a-f]{12}/);
    expect(stdout).toMatch(/RectificationAssigned official [0-9a-f]{12}/);
    expect(stdout).toMatch(/ok: true/);
  }, 90_000);
});
