import { Logger, type INestApplicationContext } from '@nestjs/common';
import { databaseMode, type AppConfig } from '@app/database';
import { DemoLoader, type DemoSummary } from './demo.loader.js';

export interface DemoStartup {
  /** True when this call loaded the tour. */
  loaded: boolean;
  /** True when the demo tour is in the database (loaded now or before): show the demo banner. */
  present: boolean;
  reason: 'loaded' | 'demo_off' | 'external_database' | 'store_not_empty';
  summary?: DemoSummary;
}

/**
 * At start: with DEMO=on and the embedded database, an empty event store gets the demo tour. A store
 * with any event is left alone, so the second start (or a database in real use) loads nothing.
 * An external database is never filled automatically; `npm run demo` does that on purpose.
 * Call it after `createApp` (the command handlers register at bootstrap).
 */
export async function loadDemoIfEmpty(
  app: INestApplicationContext,
  config: Pick<AppConfig, 'demo' | 'databaseUrl'>,
): Promise<DemoStartup> {
  if (!config.demo) return { loaded: false, present: false, reason: 'demo_off' };
  const loader = DemoLoader.from(app);
  if (databaseMode(config) !== 'embedded')
    return { loaded: false, present: await loader.isLoaded(), reason: 'external_database' };
  if (await loader.hasEvents()) return { loaded: false, present: await loader.isLoaded(), reason: 'store_not_empty' };
  new Logger('Demo').log('DEMO=on and the embedded database is empty: loading the demo tour (DEMO=off to start empty)');
  const summary = await loader.load();
  return { loaded: true, present: true, reason: 'loaded', summary };
}
