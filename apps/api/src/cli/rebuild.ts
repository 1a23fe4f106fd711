import { READ_MODEL_SCHEMA, rebuildReadModels } from '@app/projections';
import { READ_MODELS, READ_MODELS_VERSION } from '../projections/read-models.js';
import { exitWith, openCli } from './cli-context.js';
import { progressBar } from './progress.js';

/** `npm run rebuild`: rebuilds every read model from position 0 beside the live ones, then swaps them in. */
const cli = await openCli();
const bar = progressBar('Rebuilding read models');
try {
  const result = await rebuildReadModels({
    store: cli.store,
    connectionString: cli.database.url,
    readModels: READ_MODELS,
    version: READ_MODELS_VERSION,
    schema: READ_MODEL_SCHEMA,
    onProgress: (p) => bar.update(p.events, Math.max(p.head, p.position), p.eventsPerSecond),
  });
  bar.update(result.events, result.events, result.eventsPerSecond, true);
  bar.done();
  console.log(
    `Rebuilt ${result.events} events up to position ${result.position} in ${result.seconds.toFixed(1)} s (${Math.round(result.eventsPerSecond)} events/s)`,
  );
} catch (error) {
  bar.done();
  console.error(`Rebuild failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await cli.close();
}
exitWith();
