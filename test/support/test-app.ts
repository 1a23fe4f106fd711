import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, normaliseOwnershipSql, openDatabase, type AppConfig } from '@app/database';
import { closeApp, createApp } from '../../apps/api/src/app.factory.js';

export const ADMIN_PASSWORD = 'admin-pass-for-tests';
export const JWT_SECRET = 'test-secret-0123456789-0123456789-abcdef';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** As the superuser (for tests that look at or tamper with the database directly). */
  url: string;
  /** What the app connects as: a role that owns nothing of the event store and cannot change the log. */
  appUrl: string;
  /** The owner of the event store's schema (DATABASE_OWNER_URL). */
  ownerUrl: string;
  http: ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The real app on a database of its own, created on the system PostgreSQL (or TEST_BASE_DATABASE_URL)
 * and dropped afterwards, so every e2e file starts from an empty log.
 */
export interface StartOptions {
  /** Runs on the new, empty database before the app starts (e.g. restores a dump written by an older release). */
  prepare?: (url: string) => Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestApp> {
  const base = new URL(process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const name = `xuncha_e2e_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  // Two roles per database, as in production: the owner migrates the event store, the app runs as a role that may
  // only append through es_append (trust auth on the test server, so no passwords).
  const owner = `${name}_owner`;
  const appRole = `${name}_app`;
  const admin = new pg.Client({ connectionString: base.href });
  await admin.connect();
  await admin.query(`CREATE ROLE ${owner} LOGIN NOSUPERUSER`);
  await admin.query(`CREATE ROLE ${appRole} LOGIN NOSUPERUSER`);
  await admin.query(`CREATE DATABASE ${name} OWNER ${owner}`);
  await admin.query(`GRANT CONNECT, TEMPORARY, CREATE ON DATABASE ${name} TO ${appRole}`);
  await admin.end();
  const url = new URL(base.href);
  url.pathname = `/${name}`;
  const asRole = (role: string): string => {
    const u = new URL(url.href);
    u.username = role;
    u.password = '';
    return u.href;
  };
  const inDb = new pg.Client({ connectionString: url.href });
  await inDb.connect();
  await inDb.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${appRole}`);
  await inDb.end();
  if (options.prepare) {
    // What an older release wrote is owned by whoever restored it; hand it to the two roles as an upgrade would.
    await options.prepare(url.href);
    const su = new pg.Client({ connectionString: url.href });
    await su.connect();
    await su.query(normaliseOwnershipSql(base.username || 'postgres', owner, appRole));
    await su.end();
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-e2e-'));
  // `npm run test:e2e:esdb`: the events go to EventStoreDB, under a namespace of this app's own; the CLIs
  // a test spawns (with `...process.env`) find the same one.
  if (process.env.EVENT_STORE === 'esdb') process.env.EVENTSTORE_NAMESPACE = `${name.replaceAll('_', '-')}-`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: asRole(appRole),
    DATABASE_OWNER_URL: asRole(owner),
    JWT_SECRET,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'error',
    PROJECTIONS: 'on',
    DEMO: 'off',
    // The suites sign in far more often than a person would; the limit has tests of its own (auth.e2e).
    LOGIN_ATTEMPTS_PER_MINUTE: '10000',
    ...(process.env.EVENT_STORE === 'esdb' && {
      EVENT_STORE: 'esdb',
      EVENTSTORE_CONNECTION_STRING: process.env.EVENTSTORE_CONNECTION_STRING ?? '',
      EVENTSTORE_NAMESPACE: process.env.EVENTSTORE_NAMESPACE ?? '',
    }),
    ...env,
  });
  const database = await openDatabase(config, { log: () => undefined });
  const app = await createApp(config, database);
  return {
    app,
    config,
    url: url.href,
    appUrl: database.url,
    ownerUrl: asRole(owner),
    http: request(app.getHttpServer()),
    async close() {
      await closeApp(app);
      const c = new pg.Client({ connectionString: base.href });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${appRole}`);
      await c.query(`DROP ROLE IF EXISTS ${owner}`);
      await c.end();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
