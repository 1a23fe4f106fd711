/**
 * One timed autocannon phase with the figures every HTTP benchmark reports. Latency is measured here per request,
 * from building the request to its response (autocannon's own histogram has whole milliseconds only).
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { percentile } from './util.js';

export interface LatencyFigures {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface PhaseFigures {
  seconds: number;
  /** Responses received (any status). */
  completed: number;
  ok: number;
  non2xx: number;
  /** autocannon's errors (connection errors and timeouts). */
  errors: number;
  timeouts: number;
  /** 2xx answers per second. */
  okPerSec: number;
  statusCodes: Record<string, number>;
  /** Measured here, from building a request to its response, in ms. */
  latencyMs: LatencyFigures;
  /** autocannon's own histogram (whole ms). */
  autocannonLatencyMs: { p50: number; p99: number; max: number; mean: number };
  /** CPU of this process (the load generator) during the phase. */
  cpuMs: { user: number; system: number };
}

export interface PhaseOptions<T> {
  /** http://127.0.0.1:<port> */
  url: string;
  connections: number;
  seconds: number;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** The next request, with whatever `done` needs to know about it. */
  next: (request: autocannon.RequestParams) => { params: autocannon.RequestParams; tag: T };
  done: (tag: T, status: number, body: string) => void;
}

export function latencyFigures(unsorted: number[]): LatencyFigures {
  const lat = unsorted.slice().sort((a, b) => a - b);
  return {
    p50: percentile(lat, 50),
    p90: percentile(lat, 90),
    p99: percentile(lat, 99),
    max: lat[lat.length - 1] ?? NaN,
    mean: lat.reduce((s, x) => s + x, 0) / Math.max(1, lat.length),
  };
}

export async function autocannonPhase<T>(options: PhaseOptions<T>): Promise<PhaseFigures> {
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: 30,
    renderProgressBar: false,
    renderResultsTable: false,
    ...(options.headers && { headers: options.headers }),
    requests: [
      {
        method: options.method,
        setupRequest: (request, context) => {
          const { params, tag } = options.next(request);
          context.tag = tag;
          context.t0 = performance.now();
          return params;
        },
        onResponse: (status, body, context) => {
          const t0 = context.t0 as number | undefined;
          if (t0 === undefined) return;
          latencies.push(performance.now() - t0);
          context.t0 = undefined;
          options.done(context.tag as T, status, body ?? '');
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds: result.duration,
    completed: latencies.length,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    okPerSec: result['2xx'] / result.duration,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
    latencyMs: latencyFigures(latencies),
    autocannonLatencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
  };
}
