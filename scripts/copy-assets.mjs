// Copies the non-TypeScript files the compiled code reads at run time (SQL migrations) into dist/.
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const roots = ['libs', 'apps'];
const wanted = (f) => f.endsWith('.sql');

function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'web') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (wanted(name)) {
      const target = join('dist', path);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
for (const root of roots) walk(root);
