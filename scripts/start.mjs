// `npm start`: compiles the app when a source file is newer than the last build, then runs it in
// this same process (so SIGINT/SIGTERM reach the app's own shutdown handlers directly).
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const entry = 'dist/apps/api/src/main.js';
const sources = ['apps', 'libs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist') continue;
    max = Math.max(max, newest(join(path, name)));
  }
  return max;
}

const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
if (sources.some((s) => existsSync(s) && newest(s) > built)) {
  console.log('Building…');
  execSync('npm run build --silent', { stdio: 'inherit' });
}
await import(new URL(`../${entry}`, import.meta.url).href);
