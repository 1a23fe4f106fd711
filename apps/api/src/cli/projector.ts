import { installShutdownHandlers } from '@app/database';
import { Projector, READ_MODEL_SCHEMA, rebuildReadModels } from '@app/projections';
import { READ_MODELS, READ_MODELS_VERSION } from '../projections/read-models.js';
import { openCli } from './cli-context.js';

/**
 * `npm run projector`: the projector as its own process, for an API started with PROJECTIONS=off.
 * Several may run; one is active (advisory lock), the others wait as standbys.
 */
const cli = await openCli();
const logger = {
  log: (m: string) => console.log(m),
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};
const projector = new Projector({
  store: cli.store,
  connectionString: cli.database.url,
  readModels: READ_MODELS,
  version: READ_MODELS_VERSION,
  schema: READ_MODEL_SCHEMA,
  logger,
});
installShutdownHandlers([() => projector.close(), () => cli.close()], { log: logger.log });
await projector.prepare(async (reason) => {
  logger.warn(`Rebuilding the read models: ${reason}`);
  await rebuildReadModels({
    store: cli.store,
    connectionString: cli.database.url,
    readModels: READ_MODELS,
    version: READ_MODELS_VERSION,
    schema: READ_MODEL_SCHEMA,
  });
});
projector.start();
logger.log('Projector started; waiting to become the active instance');
setInterval(() => {
  const s = projector.status();
  if (s.leader)
    logger.log(
      `Projector at position ${s.position} (${s.eventsApplied} events applied, ${s.deadLetters} dead letters)`,
    );
}, 30_000).unref();
