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
