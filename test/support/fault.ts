import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '@app/bench';

/**
 * What the fault tests share: the real app process (the built dist, what `npm start` runs) on a
 * loopback port, a stationed round to record findings in, and an idempotent RecordFinding with
 * bounded retries. Everything stays on 127.0.0.1.
 */
export const entry = path.resolve('dist/apps/api/src/main.js');
export const ADMIN_PASSWORD = 'fault-admin-password-1';
export const JWT_SECRET = 'fault-test-secret-0123456789-0123456789';

export async function requireBuild(): Promise<void> {
  await fs.access(entry).catch(() => {
    throw new Error(`${entry} is missing: run \`npm run build\` (npm test does)`);
  });
}

export { freePort };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunningApp {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** The scrape secret the apps started here accept: /api/health shows its details only to it (or a token). */
export const MONITORING_TOKEN = 'fault-tests-scrape-secret-0123456789-abcdef';

export async function startApp(env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: 'log',
      DEMO: 'off',
      ADMIN_PASSWORD,
      METRICS_TOKEN: MONITORING_TOKEN,
      NODE_OPTIONS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`app did not start:\n${output}`);
    }
    await sleep(100);
  }
  return { child, base: `http://127.0.0.1:${port}`, output: () => output, exited };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** One request; a network error (the app killed, the connection reset) answers status 0. */
export async function call(base: string, method: string, url: string, token?: string, body?: unknown, headers = {}) {
  try {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
  } catch (error) {
    return { status: 0, body: { error: String((error as Error).cause ?? error) }, headers: new Headers() } as Answer;
  }
}

async function ok(answer: Promise<Answer>, expected: number, what: string): Promise<Record<string, unknown>> {
  const a = await answer;
  if (a.status !== expected) throw new Error(`${what}: ${a.status} ${JSON.stringify(a.body)}`);
  return a.body;
}

export interface Round {
  inspector: string;
  roundId: string;
  pointId: string;
  departmentId: string;
}

/** A department, an official and an inspector, and a stationed round with one monitoring point. */
export async function stationedRound(base: string): Promise<Round> {
  const login = async (username: string, password: string) =>
    (await ok(call(base, 'POST', '/api/auth/login', undefined, { username, password }), 200, `login ${username}`))
      .accessToken as string;
  const admin = await login('admin', ADMIN_PASSWORD);
  const dept = await ok(
    call(base, 'POST', '/api/departments', admin, { name: '区民政局', kind: 'bureau' }),
    201,
    'dept',
  );
  const departmentId = dept.departmentId as string;
  for (const [username, role] of [
    ['fault.official', 'official'],
    ['fault.inspector', 'inspector'],
  ]) {
    const user = { username, password: `${username}-password`, role };
    await ok(call(base, 'POST', '/api/users', admin, user), 201, `user ${username}`);
  }
  const official = await login('fault.official', 'fault.official-password');
  const inspector = await login('fault.inspector', 'fault.inspector-password');
  const planned = { title: '故障演练', kind: 'special', scope: '民政', startsOn: '2024-11-01', endsOn: '2024-11-30' };
  const roundId = (await ok(call(base, 'POST', '/api/rounds', official, planned), 201, 'round')).roundId as string;
  const field = await ok(call(base, 'POST', `/api/rounds/${roundId}/fields`, official, { name: '救助' }), 201, 'field');
  const target = { kind: 'department', name: '区民政局', departmentId };
  const point = { fieldId: field.fieldId, title: '台账', targets: [target] };
  const added = await ok(
    call(base, 'POST', `/api/rounds/${roundId}/monitoring-points`, inspector, point),
    201,
    'point',
  );
  await ok(call(base, 'POST', `/api/rounds/${roundId}/station`, official, {}), 200, 'station');
  return { inspector, roundId, pointId: added.pointId as string, departmentId };
}

export const findingTitle = (key: string) => `fault ${key}`;

/** RecordFinding with an Idempotency-Key: the body is a function of the key, so every retry is the same request. */
export function recordFinding(base: string, round: Round, key: string): Promise<Answer> {
  const body = {
    monitoringPointId: round.pointId,
    departmentId: round.departmentId,
    title: findingTitle(key),
    description: `recorded under ${key}`,
  };
  return call(base, 'POST', `/api/rounds/${round.roundId}/findings`, round.inspector, body, { 'idempotency-key': key });
}

/** Runs `work` over `items` with `concurrency` workers; `stop()` true ends the workers after their current item. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>, stop = () => false) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length && !stop()) await work(items[next++]);
    }),
  );
}
