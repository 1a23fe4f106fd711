// One embedded PostgreSQL for the whole test run, in a fresh folder: the contract tests run against
// it (EMBEDDED_TEST_DATABASE_URL) as well as against the system PostgreSQL.
// Jest loads global setup with Node's own loader, which cannot read TypeScript, so this uses the
// compiled library (the test command builds first; a missing build is made here).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const compiled = new URL('../../dist/libs/database/src/index.js', import.meta.url);

export default async function globalSetup() {
  process.env.SYSTEM_TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  // The contract suite's EventStoreDB: the server named by EVENTSTORE_CONNECTION_STRING, else the
  // protocol-level test server (libs/event-store/test/esdb-test-server), started here for the run.
  if (!process.env.EVENTSTORE_CONNECTION_STRING && !process.env.ESDB_TEST_CONNECTION_STRING) {
    const { startTestServer } = await import('../../libs/event-store/test/esdb-test-server/server.mjs');
    const esdb = await startTestServer({ controlPort: 0 });
    process.env.ESDB_TEST_CONNECTION_STRING = esdb.connectionString;
    process.env.ESDB_TEST_SERVER_CONTROL = esdb.controlUrl;
    globalThis.__xunchaEsdb = esdb;
  }
  if (process.env.EMBEDDED_TEST_DATABASE_URL) return;
  if (!existsSync(compiled)) execSync('npm run build --silent', { stdio: 'inherit' });
  const { startEmbeddedPostgres } = await import(compiled.href);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-test-'));
  await fs.chmod(dir, 0o755);
  const handle = await startEmbeddedPostgres({ dataDir: dir });
  process.env.EMBEDDED_TEST_DATABASE_URL = handle.url;
  globalThis.__xunchaEmbedded = { handle, dir };
}
