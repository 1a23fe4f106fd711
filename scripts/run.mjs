// `node scripts/run.mjs [entry] [args…]` (what `npm start`, `npm run rebuild`… call): compiles when a
// source file is newer than the last build, then runs the entry in this same process (so SIGINT and
// SIGTERM reach its own shutdown handlers directly). The entry defaults to the API.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const entry = process.argv[2] ?? 'dist/apps/api/src/main.js';
process.argv.splice(2, 1);
const sources = ['apps', 'libs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist' || (path === 'apps' && name === 'web')) continue;
    max = Math.max(max, newest(join(path, name)));
  }
  return max;
}

const stamp = 'dist/apps/api/src/main.js';
const built = existsSync(entry) && existsSync(stamp) ? Math.min(statSync(entry).mtimeMs, statSync(stamp).mtimeMs) : 0;
if (sources.some((s) => existsSync(s) && newest(s) > built)) {
  console.log('Building…');
  execSync('npm run build --silent', { stdio: 'inherit' });
}
// The dashboard (apps/web) is built into apps/web/dist when missing or older than its sources.
const webIndex = 'apps/web/dist/index.html';
if (existsSync('apps/web/src')) {
  const webBuilt = existsSync(webIndex) ? statSync(webIndex).mtimeMs : 0;
  if (
    ['apps/web/src', 'apps/web/index.html', 'apps/web/vite.config.ts'].some(
      (s) => existsSync(s) && newest(s) > webBuilt,
    )
  ) {
    console.log('Building the dashboard…');
    execSync('npm run build:web --silent', { stdio: 'inherit' });
  }
}
await import(new URL(`../${entry}`, import.meta.url).href);
