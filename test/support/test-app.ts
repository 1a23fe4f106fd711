import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type AppConfig } from '@app/database';
import { closeApp, createApp } from '../../apps/api/src/app.factory.js';

export const ADMIN_PASSWORD = 'admin-pass-for-tests';
export const JWT_SECRET = 'test-secret-0123456789-0123456789-abcdef';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  http: ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The real app on a database of its own, created on the system PostgreSQL (or TEST_BASE_DATABASE_URL)
 * and dropped afterwards, so every e2e file starts from an empty log.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const base = new URL(process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const name = `xuncha_e2e_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base.href });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.href);
  url.pathname = `/${name}`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-e2e-'));
  // `npm run test:e2e:esdb`: the events go to EventStoreDB, under a namespace of this app's own; the CLIs
  // a test spawns (with `...process.env`) find the same one.
  if (process.env.EVENT_STORE === 'esdb') process.env.EVENTSTORE_NAMESPACE = `${name.replaceAll('_', '-')}-`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: url.href,
    JWT_SECRET,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'error',
    PROJECTIONS: 'on',
    DEMO: 'off',
    ...(process.env.EVENT_STORE === 'esdb' && {
      EVENT_STORE: 'esdb',
      EVENTSTORE_CONNECTION_STRING: process.env.EVENTSTORE_CONNECTION_STRING ?? '',
      EVENTSTORE_NAMESPACE: process.env.EVENTSTORE_NAMESPACE ?? '',
    }),
    ...env,
  });
  const database = { mode: 'external' as const, url: url.href, stop: async () => undefined };
  const app = await createApp(config, database);
  return {
    app,
    config,
    url: url.href,
    http: request(app.getHttpServer()),
    async close() {
      await closeApp(app);
      const c = new pg.Client({ connectionString: base.href });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
