#!/usr/bin/env node
/**
 * Fails when a tracked file outside docs/ points at documents that only exist outside this repository
 * (a clone has docs/domain.md and docs/api.md, nothing else): the shared docs folder or the upper-case
 * style, domain and API documents. Run by `npm test`; `node scripts/check-references.mjs` alone prints
 * every offending line.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Spelt in pieces so that this file does not match itself.
const FORBIDDEN = [
  { name: 'the shared docs folder', pattern: new RegExp(['shared', 'docs'].join('[\\\\/]'), 'i') },
  ...['STYLE', 'DOMAIN', 'API'].map((doc) => ({
    name: `${doc}.md`,
    pattern: new RegExp(`(^|[^A-Za-z0-9_])${doc}\\.md`),
  })),
];
const SKIP_DIRS = new Set([
  'node_modules',
  'dist',
  '.git',
  'data',
  '.data-test',
  'bench-results',
  'coverage',
  '.cache-tools',
]);

/** Tracked files; without git (an unpacked archive), every file outside the generated folders. */
function listFiles() {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter(Boolean);
  } catch {
    const out = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) {
          if (!SKIP_DIRS.has(entry.name)) walk(join(dir, entry.name));
        } else if (entry.isFile()) out.push(relative(root, join(dir, entry.name)));
      }
    };
    walk(root);
    return out;
  }
}

const problems = [];
for (const file of listFiles()) {
  if (file.startsWith('docs/') || file === 'package-lock.json') continue;
  const path = join(root, file);
  let text;
  try {
    if (!statSync(path).isFile()) continue;
    text = readFileSync(path, 'utf8');
  } catch {
    continue; // deleted in the work tree but still tracked
  }
  if (text.includes('\0')) continue; // binary
  text.split('\n').forEach((line, i) => {
    for (const { name, pattern } of FORBIDDEN) {
      if (pattern.test(line)) problems.push(`${file}:${i + 1}: mentions ${name}: ${line.trim().slice(0, 100)}`);
    }
  });
}

if (problems.length > 0) {
  console.error(`References to documents outside the repository (point at docs/domain.md or docs/api.md instead):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log('check-references: no file outside docs/ points outside the repository');
