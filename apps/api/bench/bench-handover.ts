/**
 * `npm run bench:handover`: the hand-over of a round with 10,000 events and 200 evidence files (64 KiB each) from a
 * laptop to an office, each on a database of its own (fresh ones on DATABASE_URL's server, else an embedded
 * PostgreSQL in a temporary folder), both the real app (PROJECTIONS=off,
 * so only the hand-over is timed): export (read, collect the files, sign, serialise), verify alone (parse, signature,
 * every chain, manifest, content hash, files), import (verify again, compare with the office's copy, store the files,
 * es_import in one transaction). Measured in the same run, the baseline: pg_dump -Fc of the laptop's es_events and
 * pg_restore of it into an empty database on the office's server (no verification, no files). Writes
 * bench-results/handover.json.
 */
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, startEmbeddedPostgres } from '@app/database';
import { writeResults } from '@app/bench';
import { closeApp, createApp, eventStoreOf } from '../src/app.factory.js';
import { findPgTool } from '../src/backup/backup.js';
import { HandoverService } from '../src/handover/handover.service.js';
import { parseBundle, verifyBundle } from '../src/handover/bundle.js';

const FINDINGS = 1_999;
const EVENTS_PER_FINDING = 5;
const FILES = 200;
const FILE_BYTES = 64 * 1024;
const RUNS = 3;

const work = await fs.mkdtemp(path.join(os.tmpdir(), 'xuncha-bench-handover-'));
await fs.chmod(work, 0o711);
const started = Date.now();
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/**
 * One app on a database of its own: with DATABASE_URL a fresh database on that server (the baseline then uses the
 * machine's pg_dump of the same major version), else an embedded PostgreSQL in a temporary folder.
 */
async function instance(name: string) {
  const dataDir = path.join(work, name);
  await fs.mkdir(dataDir, { recursive: true });
  const base = process.env.DATABASE_URL?.trim();
  const env = {
    DATA_DIR: dataDir,
    ADMIN_PASSWORD: 'bench-admin-pass',
    LOG_LEVEL: 'error',
    DEMO: 'off',
    PROJECTIONS: 'off',
  };
  let url: string;
  let stop: () => Promise<void>;
  if (base) {
    const db = `xuncha_bench_handover_${name}_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`CREATE DATABASE ${db}`);
    await c.end();
    const u = new URL(base);
    u.pathname = `/${db}`;
    url = u.href;
    stop = async () => {
      const d = new pg.Client({ connectionString: base });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await d.end();
    };
  } else {
    const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'db') });
    url = server.url;
    stop = () => server.stop();
  }
  const config = loadConfig({
    ...env,
    ...(base && { DATABASE_URL: url, JWT_SECRET: 'bench-secret-0123456789-0123456789-abcdef' }),
  });
  const app = await createApp(config, { mode: base ? 'external' : 'embedded', url, stop });
  return { dataDir, url, stop, app, handover: app.get(HandoverService) };
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}: ${stderr}`))));
  });
}

const laptop = await instance('laptop');
const office = await instance('office');
try {
  // The laptop's round: 5 round events and 1,999 findings of 5 events each (10,000), 200 of them citing a file.
  const store = eventStoreOf(laptop.app);
  const roundId = randomUUID();
  const actor = { id: randomUUID(), username: 'inspector.bench', role: 'inspector' };
  const at = new Date().toISOString();
  await store.appendToStream(`round-${roundId}`, [
    {
      type: 'RoundPlanned',
      data: {
        roundId,
        kind: 'mobile',
        title: '基准巡察',
        scope: 'bench',
        startsOn: '2024-09-01',
        endsOn: '2024-12-31',
        occurredAt: at,
      },
      metadata: { actor },
    },
    ...[1, 2, 3, 4].map((i) => ({
      type: 'FocusFieldAdded',
      data: { roundId, fieldId: randomUUID(), name: `领域 ${i}`, occurredAt: at },
      metadata: { actor },
    })),
  ]);
  await fs.mkdir(path.join(laptop.dataDir, 'evidence'), { recursive: true });
  const departmentId = randomUUID();
  for (let f = 0; f < FINDINGS; f++) {
    const findingId = randomUUID();
    const attachments: { sha256: string; name: string; size: number; mediaType: string }[] = [];
    if (f < FILES) {
      const content = randomBytes(FILE_BYTES);
      const sha256 = createHash('sha256').update(content).digest('hex');
      await fs.writeFile(path.join(laptop.dataDir, 'evidence', sha256), content);
      attachments.push({ sha256, name: `佐证 ${f}.pdf`, size: content.length, mediaType: 'application/pdf' });
    }
    await store.appendToStream(`finding-${findingId}`, [
      {
        type: 'FindingRecorded',
        data: {
          findingId,
          roundId,
          fieldId: randomUUID(),
          monitoringPointId: randomUUID(),
          departmentId,
          title: `问题 ${f}`,
          description: '抽查发现台账不全，相关材料详见底稿。'.repeat(3),
          occurredAt: at,
        },
        metadata: { actor },
      },
      ...Array.from({ length: EVENTS_PER_FINDING - 1 }, (_, i) => ({
        type: 'ProgressReported',
        data: { findingId, note: `整改进展 ${i}`, percent: 20 * (i + 1), evidence: [], attachments, occurredAt: at },
        metadata: { actor },
      })),
    ]);
  }
  process.stderr.write(`laptop filled (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);

  const results = [];
  const bundleFile = path.join(work, 'bundle.json');
  for (let r = 0; r < RUNS; r++) {
    // Run 1 writes everything; runs 2 and 3 are re-imports (verified in full, nothing written).
    const t0 = process.hrtime.bigint();
    const bundle = await laptop.handover.exportRound(roundId);
    const text = JSON.stringify(bundle);
    await fs.writeFile(bundleFile, text);
    const exportSeconds = seconds(t0);

    const t1 = process.hrtime.bigint();
    await verifyBundle(parseBundle(JSON.parse(await fs.readFile(bundleFile, 'utf8'))));
    const verifySeconds = seconds(t1);

    const t2 = process.hrtime.bigint();
    const imported = await office.handover.importBundle(JSON.parse(await fs.readFile(bundleFile, 'utf8')), {
      id: randomUUID(),
      username: 'official.bench',
      role: 'official',
    });
    const importSeconds = seconds(t2);
    if (r === 0 && imported.events !== bundle.events.length) throw new Error('the first import wrote too little');
    results.push({
      run: r + 1,
      events: bundle.events.length,
      evidenceFiles: bundle.evidence.length,
      bundleBytes: Buffer.byteLength(text),
      alreadyImported: imported.alreadyImported,
      exportSeconds,
      verifySeconds,
      importSeconds,
    });
    process.stderr.write(`run ${r + 1}: ${JSON.stringify(results[results.length - 1])}\n`);
  }

  // The baseline on the same machine and servers: pg_dump of the same table, pg_restore into an empty database.
  const admin = new pg.Client({ connectionString: office.url });
  admin.on('error', () => undefined);
  await admin.connect();
  const major = Math.floor(Number((await admin.query('SHOW server_version_num')).rows[0].server_version_num) / 10000);
  // pg_dump must be of the server's major version: with the embedded server (18) set PG_BIN, or use DATABASE_URL.
  const dump = await findPgTool('pg_dump', major);
  const restore = await findPgTool('pg_restore', major);
  const baseline = [];
  const restoreTargets: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    const target = `xuncha_bench_restore_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
    await admin.query(`CREATE DATABASE ${target}`);
    restoreTargets.push(target);
    const dumpFile = path.join(work, `es_events_${r}.dump`);
    const t0 = process.hrtime.bigint();
    await run(dump.file, ['-Fc', '--schema=event_store', '-f', dumpFile, laptop.url]);
    const dumpSeconds = seconds(t0);
    const t1 = process.hrtime.bigint();
    const targetUrl = new URL(office.url);
    targetUrl.pathname = `/${target}`;
    await run(restore.file, ['--no-owner', '-d', targetUrl.href, dumpFile]);
    const restoreSeconds = seconds(t1);
    baseline.push({ run: r + 1, dumpSeconds, restoreSeconds, dumpBytes: (await fs.stat(dumpFile)).size });
  }
  for (const target of restoreTargets) await admin.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
  await admin.end();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const first = results[0];
  const handoverSeconds = first.exportSeconds + first.importSeconds;
  const pgSeconds = median(baseline.map((b) => b.dumpSeconds + b.restoreSeconds));
  const summary = {
    events: first.events,
    evidenceFiles: first.evidenceFiles,
    bundleMiB: first.bundleBytes / 1024 / 1024,
    firstImport: {
      exportSeconds: first.exportSeconds,
      verifySeconds: first.verifySeconds,
      importSeconds: first.importSeconds,
      exportPlusImportSeconds: handoverSeconds,
    },
    reimportSeconds: median(results.slice(1).map((x) => x.importSeconds)),
    pgDumpPlusRestoreSeconds: pgSeconds,
    ratioToPgDumpRestore: handoverSeconds / pgSeconds,
  };
  console.table({
    'export (s)': first.exportSeconds.toFixed(2),
    'verify alone (s)': first.verifySeconds.toFixed(2),
    'import incl. verify (s)': first.importSeconds.toFixed(2),
    'export + import (s)': handoverSeconds.toFixed(2),
    're-import, nothing written (s)': summary.reimportSeconds.toFixed(2),
    'pg_dump + pg_restore event_store (s)': pgSeconds.toFixed(2),
    ratio: summary.ratioToPgDumpRestore.toFixed(2),
  });
  const out = writeResults('handover', {
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg(),
    pgDump: dump.version,
    seconds: Math.round((Date.now() - started) / 1000),
    summary,
    runs: results,
    baseline,
  });
  console.log(`wrote ${out} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
} catch (error) {
  console.error(`bench:handover failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await closeApp(laptop.app);
  await closeApp(office.app);
  await laptop.stop();
  await office.stop();
  await fs.rm(work, { recursive: true, force: true });
}
process.exit(process.exitCode ?? 0);
