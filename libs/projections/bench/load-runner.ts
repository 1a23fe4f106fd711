/**
 * The load generator of the projections benchmark (see bench-projections.ts): autocannon against one
 * GET endpoint, each request's path taken in turn from a list (the same query for different rounds),
 * a warm-up and then the measured phase. Latency is measured here per request, from building the
 * request to its response (autocannon's own histogram has whole milliseconds only).
 *
 * Runs in a process of its own (`forkLoadGenerator` of @app/bench with a QueryPlan), which answers the
 * measured phase's marks and then a QueryResult.
 */
import { autocannonPhase, serveAsLoadGenerator, type PhaseFigures } from '@app/bench';

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

export interface QueryPhase extends Omit<PhaseFigures, 'okPerSec'> {
  requestsPerSec: number;
  non2xxSamples: Array<{ path: string; status: number; body: string }>;
  /** Mean response body size, bytes. */
  meanBodyBytes: number;
}

export interface QueryResult {
  pid: number;
  warmup: QueryPhase;
  measured: QueryPhase;
}

async function phase(plan: QueryPlan, seconds: number, offset: number): Promise<QueryPhase> {
  const samples: QueryPhase['non2xxSamples'] = [];
  let next = offset;
  let bodyBytes = 0;
  let bodies = 0;
  const { okPerSec, ...figures } = await autocannonPhase<string>({
    url: plan.url,
    connections: plan.connections,
    seconds,
    method: 'GET',
    headers: { authorization: `Bearer ${plan.token}` },
    next: (request) => {
      const path = plan.paths[next++ % plan.paths.length];
      return { params: { ...request, method: 'GET', path }, tag: path };
    },
    done: (path, status, body) => {
      bodyBytes += Buffer.byteLength(body);
      bodies++;
      if ((status < 200 || status >= 300) && samples.length < 10)
        samples.push({ path, status, body: body.slice(0, 400) });
    },
  });
  return {
    ...figures,
    requestsPerSec: okPerSec,
    non2xxSamples: samples,
    meanBodyBytes: bodies ? bodyBytes / bodies : 0,
  };
}

export async function runQueries(
  plan: QueryPlan,
  mark: (edge: 'start' | 'end') => void | Promise<void> = () => undefined,
): Promise<QueryResult> {
  const warmup = await phase(plan, plan.warmupSeconds, 0);
  await mark('start');
  const measured = await phase(plan, plan.measureSeconds, 7919);
  await mark('end');
  return { pid: process.pid, warmup, measured };
}

serveAsLoadGenerator<QueryPlan, 'start' | 'end', QueryResult>((plan, mark) => runQueries(plan, (edge) => mark(edge)));
