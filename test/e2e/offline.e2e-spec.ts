import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * 巡察单机版 works with no network: the team's laptop serves the whole web app itself. The built bundle loads
 * nothing from another origin (the only absolute URLs in it are XML namespaces and a link text in Vue's error
 * messages, never fetched), and the pages' Content-Security-Policy would stop any such load anyway.
 */
const NEVER_FETCHED = new Set([
  'http://www.w3.org/2000/svg',
  'http://www.w3.org/1999/xlink',
  'http://www.w3.org/1998/Math/MathML',
  'http://www.w3.org/XML/1998/namespace',
  'https://vuejs.org/error-reference/',
]);

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const at = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...(await files(at)));
    else found.push(at);
  }
  return found;
}

describe('the web app offline (巡察单机版)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('built bundle references no other origin', async () => {
    const built = (await files(path.resolve('apps/web/dist'))).filter((f) => /\.(html|js|css)$/.test(f));
    expect(built.length).toBeGreaterThan(1);
    const urls = new Set<string>();
    for (const file of built) {
      for (const m of (await fs.readFile(file, 'utf8')).matchAll(
        /(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)]*/gi,
      )) {
        urls.add(m[0].split('#')[0]);
      }
    }
    expect([...urls].filter((u) => !NEVER_FETCHED.has(u))).toEqual([]);
  });

  it('serves every page with a policy that allows loads from its own origin only', async () => {
    const page = await t.http.get('/');
    expect(page.status).toBe(200);
    const policy = String(page.headers['content-security-policy']);
    for (const directive of ['default-src', 'script-src', 'connect-src']) {
      expect(policy).toMatch(new RegExp(`${directive} 'self'(;|$)`));
    }
  });
});
