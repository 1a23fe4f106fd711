import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `bench-results/<name>.json` (NaN and infinities as null) and returns its path. */
export function writeResults(name: string, data: unknown): string {
  const out = path.resolve(`bench-results/${name}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  const finite = (_key: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  writeFileSync(out, JSON.stringify(data, finite, 2) + '\n');
  return out;
}
