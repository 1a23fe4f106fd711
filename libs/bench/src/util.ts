/** Settings from the environment and the small arithmetic every benchmark prints with. */

/** A positive number from `process.env[name]`, or `fallback` when unset; anything else stops the benchmark. */
export const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
};

/** A comma-separated list from `process.env[name]`, or `fallback` when unset. */
export const envList = (name: string, fallback: string): Set<string> =>
  new Set((process.env[name]?.trim() || fallback).split(',').map((x) => x.trim()));

/** `on` unless `process.env[name]` is `off`. */
export const envSwitch = (name: string, fallback: 'on' | 'off' = 'on'): boolean =>
  (process.env[name]?.trim() || fallback) !== 'off';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : String(n);
export const pct = (n: number) => `${fmt(n * 100, 0)}%`;

/** The nearest-rank percentile of an ascending list (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `fn` over `items` with at most `limit` at once. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    range(Math.min(limit, items.length)).map(async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** Runs a benchmark's main and exits with its code (1 and the error when it throws). */
export function runBenchmark(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      console.error('Benchmark failed:', error);
      process.exit(1);
    },
  );
}
