/**
 * The load generator of the projections benchmark (see bench-projections.ts): autocannon against one
 * GET endpoint, each request's path taken in turn from a list (the same query for different rounds),
 * a warm-up and then the measured phase. Latency is measured here per request, from building the
 * request to its response (autocannon's own histogram has whole milliseconds only).
 *
 * Runs in a process of its own: `fork` this file with `--load-runner-child`, send it a QueryPlan, and
 * it answers phase marks and then a QueryResult.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface QueryPlan {
  /** http://127.0.0.1:<port> */
  url: string;
  token: string;
  /** Taken in turn, one per request. */
  paths: string[];
  connections: number;
  warmupSeconds: number;
  measureSeconds: number;
}

export interface QueryPhase {
  seconds: number;
  /** Responses received (any status). */
  completed: number;
  ok: number;
  non2xx: number;
  /** autocannon's errors (connection errors and timeouts). */
  errors: number;
  timeouts: number;
  requestsPerSec: number;
  statusCodes: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** autocannon's own histogram (whole ms). */
  autocannonLatencyMs: { p50: number; p99: number; max: number; mean: number };
  non2xxSamples: Array<{ path: string; status: number; body: string }>;
  /** Mean response body size, bytes. */
  meanBodyBytes: number;
  cpuMs: { user: number; system: number };
}

export interface QueryResult {
  pid: number;
  warmup: QueryPhase;
  measured: QueryPhase;
}

export type RunnerMessage = { type: 'mark'; phase: 'measure'; edge: 'start' | 'end' } | { type: 'result'; result: QueryResult } | { type: 'error'; error: string };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function phase(plan: QueryPlan, seconds: number, offset: number): Promise<QueryPhase> {
  const latencies: number[] = [];
  const samples: QueryPhase['non2xxSamples'] = [];
  let next = offset;
  let bodyBytes = 0;
  let bodies = 0;
  const cpu0 = process.cpuUsage();
  const result = await autocannon({
    url: plan.url,
    connections: plan.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 30,
    renderProgressBar: false,
    renderResultsTable: false,
    headers: { authorization: `Bearer ${plan.token}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (request, context) => {
          const path = plan.paths[next++ % plan.paths.length];
          context.path = path;
          context.t0 = performance.now();
          return { ...request, method: 'GET', path };
        },
        onResponse: (status, body, context) => {
          const t0 = context.t0 as number | undefined;
          if (t0 === undefined) return;
          latencies.push(performance.now() - t0);
          context.t0 = undefined;
          bodyBytes += Buffer.byteLength(body ?? '');
          bodies++;
          if ((status < 200 || status >= 300) && samples.length < 10) samples.push({ path: String(context.path), status, body: String(body).slice(0, 400) });
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    seconds: result.duration,
    completed: latencies.length,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    requestsPerSec: result['2xx'] / result.duration,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
      mean: latencies.reduce((s, x) => s + x, 0) / Math.max(1, latencies.length),
    },
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    non2xxSamples: samples,
    meanBodyBytes: bodies ? bodyBytes / bodies : 0,
    cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
  };
}

export async function runQueries(plan: QueryPlan, mark: (edge: 'start' | 'end') => void | Promise<void> = () => undefined): Promise<QueryResult> {
  const warmup = await phase(plan, plan.warmupSeconds, 0);
  await mark('start');
  const measured = await phase(plan, plan.measureSeconds, 7919);
  await mark('end');
  return { pid: process.pid, warmup, measured };
}

if (process.argv.includes('--load-runner-child') && process.send) {
  const send = (m: RunnerMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  process.on('message', (plan: QueryPlan) => {
    runQueries(plan, (edge) => send({ type: 'mark', phase: 'measure', edge }))
      .then((result) => send({ type: 'result', result }))
      .then(
        () => process.exit(0),
        async (error: unknown) => {
          await send({ type: 'error', error: (error as Error).stack ?? String(error) }).catch(() => undefined);
          process.exit(1);
        },
      );
  });
  // The parent going away ends the child too.
  process.on('disconnect', () => process.exit(1));
}
