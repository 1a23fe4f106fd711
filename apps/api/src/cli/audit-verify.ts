import { evidenceDirOf } from '../backup/backup.js';
import { verifyEvidence } from '../evidence/evidence-citations.js';
import { EvidenceStore } from '../evidence/evidence-store.js';
import { exitWith, openCli } from './cli-context.js';
import { progressBar } from './progress.js';

/** `npm run audit:verify [-- <streamId>]`: recomputes every hash chain and seal; exit 1 when anything is broken. */
const streamId = process.argv[2];
const cli = await openCli();
const bar = progressBar('Verifying');
const started = Date.now();
try {
  const report = streamId
    ? await cli.store.verifyStream(streamId)
    : await cli.store.verifyAll({
        onProgress: (done, total) => bar.update(done, total, done / Math.max((Date.now() - started) / 1000, 0.001)),
      });
  bar.done();
  // Every cited evidence file is re-hashed: a missing or altered one breaks the record like an altered event.
  const files = await verifyEvidence(cli.store, new EvidenceStore(evidenceDirOf(cli.config.dataDir)));
  const broken = files.evidenceBroken.filter((b) => !streamId || b.streamId === streamId);
  for (const b of broken) {
    const what = b.reason === 'missing' ? '缺失 MISSING' : '已被篡改 ALTERED';
    console.error(`佐证材料${what}: evidence ${b.sha256}, cited by stream ${b.streamId}, revision ${b.revision}`);
  }
  if (broken.length) process.exitCode = 1;
  else console.log(`佐证材料完整 evidence intact: ${files.evidenceChecked} cited files re-hashed`);
  if (report.ok) {
    console.log(
      `完整 intact: ${report.eventsChecked} events in ${report.streamsChecked} streams, ${report.sealsChecked} seals verified (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  } else {
    const b = report.firstBreak!;
    console.error(
      `已被篡改 BROKEN: stream ${b.streamId}, revision ${b.revision}${b.position !== undefined ? `, position ${b.position}` : ''}: ${b.reason}`,
    );
    if (b.expectedHash) console.error(`  expected hash ${b.expectedHash}`);
    if (b.actualHash) console.error(`  found hash    ${b.actualHash}`);
    process.exitCode = 1;
  }
} catch (error) {
  bar.done();
  console.error(`Verification failed to run: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await cli.close();
}
exitWith();
