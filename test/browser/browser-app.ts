import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD, DemoLoader, type DemoSummary } from '../../apps/api/src/demo/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/*
 * The real app for browser tests: a fresh database with the demo tour, the built dashboard served
 * by the API at / (apps/web/dist, found by createApp), and Debian's Chromium driven by playwright-core.
 * No browser is downloaded: CHROMIUM (default /usr/bin/chromium) must exist.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB = path.join(ROOT, 'apps/web');
const DIST_INDEX = path.join(WEB, 'dist/index.html');
export const ARTIFACTS = path.join(ROOT, 'test/artifacts');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 375, height: 812 };

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds apps/web when its dist is missing or older than its sources (`npm run test:browser` builds first anyway). */
export function ensureWebBuilt(): void {
  const sources = Math.max(
    newestSource(path.join(WEB, 'src')),
    statSync(path.join(WEB, 'index.html')).mtimeMs,
    statSync(path.join(WEB, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources) return;
  execSync('npm run --silent build:web', { cwd: ROOT, stdio: 'inherit' });
}

export interface BrowserApp {
  t: TestApp;
  /** http://127.0.0.1:<port> — the dashboard at /, the API at /api. */
  baseUrl: string;
  demo: DemoSummary;
  browser: Browser;
  /** A signed-in API client for commands the test sends beside the browser. */
  api(username: string): Promise<Api>;
  /** Uncaught exceptions and console errors of every page opened, for a test to assert there are none. */
  pageErrors: string[];
  /** A fresh browser context (own sessionStorage) and page at the given size. */
  newPage(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export interface Api {
  token: string;
  /** The parsed JSON answer; name `T` for the fields a test reads. */
  get<T = Record<string, unknown>>(p: string): Promise<T>;
  post<T = Record<string, unknown>>(p: string, body?: unknown): Promise<T>;
}

export async function startBrowserApp(): Promise<BrowserApp> {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium fonts-noto-cjk (or set CHROMIUM)`);
  ensureWebBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const t = await startTestApp({ METRICS_TOKEN: MONITORING_TOKEN });
  let browser: Browser | undefined;
  try {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    // Signed in as demo users over and over: marked as having chosen their passwords (the rule that
    // they must at first sign-in has tests of its own, demo.e2e and the login page's in roles.browser).
    // The 2024 reference tour alone (the current round has its tests in demo.e2e): the pages open on it.
    const demo = await DemoLoader.from(t.app).load({ passwordsAlreadyChanged: true, current: false });
    await waitForProjection(baseUrl, demo.lastPosition);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    const contexts: BrowserContext[] = [];
    const pageErrors: string[] = [];
    const b = browser;
    return {
      t,
      baseUrl,
      demo,
      browser: b,
      pageErrors,
      api: (username) => signIn(baseUrl, username),
      async newPage(viewport = DESKTOP) {
        const context = await b.newContext({
          viewport,
          locale: 'zh-CN',
          timezoneId: 'Asia/Shanghai',
          baseURL: baseUrl,
        });
        contexts.push(context);
        const page = await context.newPage();
        page.setDefaultTimeout(10_000);
        page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
        // A 400 is the API refusing a form on purpose (its field errors are shown); anything else counts.
        page.on('console', (message) => {
          if (message.type() === 'error' && !/status of 400\b/.test(message.text()))
            pageErrors.push(`${page.url()}: ${message.text()}`);
        });
        return { context, page };
      },
      async close() {
        for (const c of contexts) await c.close().catch(() => undefined);
        await b.close().catch(() => undefined);
        await t.close();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await t.close();
    throw error;
  }
}

/** The scrape secret: the health check details the read models' position only to it (or an admin/official). */
const MONITORING_TOKEN = 'browser-scrape-secret-0123456789-abcdef';

/** The read models have projected the whole demo (the dashboard shows nothing half-loaded). */
async function waitForProjection(baseUrl: string, position: number): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const headers = { authorization: `Bearer ${MONITORING_TOKEN}` };
    const health = (await (await fetch(`${baseUrl}/api/health`, { headers })).json()) as {
      projection?: { position?: number };
    };
    if ((health.projection?.position ?? 0) >= position) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the read models did not reach position ${position} within 30 s`);
}

async function signIn(baseUrl: string, username: string): Promise<Api> {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`login ${username}: ${login.status} ${await login.text()}`);
  const { accessToken: token } = (await login.json()) as { accessToken: string };
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}/api${p}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return { token, get: (p) => call('GET', p), post: (p, body = {}) => call('POST', p, body) };
}

/** Signs in through the page's form, as a person would. */
export async function signInAs(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/');
  await page.waitForURL(/\/login/);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Polls until `read` returns something `ok` accepts; answers the last value (for the failure message too). */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`${what} not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

/** The figures of one row of the department table, by column key. */
export async function departmentRow(page: Page, name: string): Promise<Record<string, string>> {
  const row = page.locator(`[data-testid="department-table"] tbody tr[data-department="${name}"]`);
  await row.waitFor();
  const pairs = await row
    .locator('td[data-col]')
    .evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-col')!, (td.textContent ?? '').trim()]));
  return Object.fromEntries(pairs);
}

export const cardValue = (page: Page, testId: string) =>
  page.locator(`[data-testid="${testId}"] .card-value`).innerText();
