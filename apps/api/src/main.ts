import { Logger } from '@nestjs/common';
import { ConfigError, installShutdownHandlers, loadConfig, openDatabase } from '@app/database';
import { closeApp, createApp } from './app.factory.js';
import { appLogger } from './logging/app-logger.js';
import { demoBanner, loadDemoIfEmpty } from './demo/index.js';

async function main(): Promise<void> {
  const logger = new Logger('Bootstrap');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  Logger.overrideLogger(appLogger(config.logLevel));
  const database = await openDatabase(config, {
    log: (m) => logger.log(m),
    debug: (m) => logger.debug(m),
    warn: (m) => logger.warn(m),
  }).catch((error: unknown) => {
    // E.g. a restored data folder that has not been verified yet (RestorePendingError).
    logger.error(`Start-up failed: ${(error as Error).message}`);
    process.exit(1);
  });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  installShutdownHandlers([async () => app && (await closeApp(app)), () => database.stop()], {
    log: (m) => logger.log(m),
  });
  let demoPresent = false;
  let host = '0.0.0.0';
  try {
    app = await createApp(config, database);
    const demo = await loadDemoIfEmpty(app, config).catch((error: unknown) => {
      logger.error(`Demo tour not loaded: ${(error as Error).message}`);
      return { present: false };
    });
    demoPresent = demo.present;
    // The demo users' password is public: with the demo, only this machine unless HOST says otherwise.
    host = config.host ?? (demoPresent ? '127.0.0.1' : '0.0.0.0');
    await app.listen(config.port, host);
  } catch (error) {
    logger.error(`Start-up failed: ${(error as Error).message}`);
    await database.stop();
    process.exit(1);
  }
  const shown = host.includes(':') ? `[${host}]` : host;
  const how = config.host
    ? 'HOST'
    : demoPresent
      ? 'the demo is loaded; set HOST=0.0.0.0 to serve other machines'
      : 'all interfaces';
  logger.log(`Listening on http://${shown}:${config.port} (${how}; API at /api, health at /api/health)`);
  if (demoPresent) logger.log(`\n${demoBanner(`http://localhost:${config.port}/`)}`);
}

void main();
