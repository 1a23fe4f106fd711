import fs from 'node:fs/promises';
import os from 'node:os';
import { READ_MODEL_SCHEMA, rebuildReadModels } from '@app/projections';
import { isApplicationError } from '../application/errors.js';
import { HandoverService } from '../handover/handover.service.js';
import type { Receipt } from '../handover/kit.js';
import { READ_MODELS, READ_MODELS_VERSION } from '../projections/read-models.js';
import { exitWith, openCli } from './cli-context.js';
import { progressBar } from './progress.js';

const USAGE = `npm run handover -- <command>
  kit-export <roundId> <user,user,…> [file]   office: the round's field kit for a team laptop
  kit-import <file>                           laptop: set this laptop up for the kit's round
  export <roundId> [file]                     laptop: the round's signed hand-over bundle
  import <file>                               office: verify and import a bundle; writes <file>.receipt.json
  receipt <roundId> <receipt-file>            laptop: keep the office's receipt of a bundle
  purge <roundId>                             laptop: delete the round, only with a receipt for its last bundle`;

const [command, ...args] = process.argv.slice(2);
const need = (n: number) => {
  if (args.length < n) {
    console.error(USAGE);
    exitWith(2);
  }
};
const known = ['kit-export', 'kit-import', 'export', 'import', 'receipt', 'purge'];
if (!command || !known.includes(command)) {
  console.error(USAGE);
  exitWith(2);
}
need(command === 'kit-export' || command === 'receipt' ? 2 : 1);

const cli = await openCli();
const handover = new HandoverService(cli.config, cli.database);
/** Who the CLI acts as in the records it writes: the machine's user, as an official at a terminal. */
const actor = {
  id: '00000000-0000-0000-0000-000000000000',
  username: `${os.userInfo().username}@cli`,
  role: 'official',
};
const started = Date.now();
const rate = (done: number) => done / Math.max((Date.now() - started) / 1000, 0.001);
const readJson = async (file: string): Promise<unknown> => JSON.parse(await fs.readFile(file, 'utf8'));
try {
  switch (command) {
    case 'kit-export': {
      const [roundId, users, file = `field-kit-${roundId}.json`] = args;
      const kit = await handover.exportKit(roundId, users.split(','), actor as never);
      await fs.writeFile(file, JSON.stringify(kit), { mode: 0o600 });
      console.log(
        `Field kit ${kit.kit.kitId}: ${kit.bundle.events.length} events, ${kit.kit.users.length} users → ${file}`,
      );
      break;
    }
    case 'kit-import': {
      const result = await handover.importKit(await readJson(args[0]));
      console.log(
        `Set up for round ${result.roundId}: ${result.events} events, ${result.users} users (kit ${result.kitId})`,
      );
      break;
    }
    case 'export': {
      const [roundId, file = `handover-${roundId}.json`] = args;
      const bar = progressBar('Collecting evidence', 'files', 'files/s');
      const bundle = await handover.exportRound(roundId, (done, total) => bar.update(done, total, rate(done)));
      bar.done();
      await fs.writeFile(file, JSON.stringify(bundle));
      const m = bundle.manifest;
      console.log(
        `Bundle of round ${roundId}: ${m.events} events in ${m.streams.length} streams, ${m.evidence.length} files`,
      );
      console.log(`  signed by ${m.signer.fingerprint} → ${file}`);
      break;
    }
    case 'import': {
      const bar = progressBar('Verifying');
      const result = await handover.importBundle(await readJson(args[0]), actor as never, undefined, (done, total) =>
        bar.update(done, total, rate(done)),
      );
      bar.done();
      await fs.writeFile(`${args[0]}.receipt.json`, JSON.stringify(result.receipt));
      console.log(
        result.alreadyImported
          ? `Already imported: nothing written (bundle ${result.bundleSha256})`
          : `Imported ${result.events} events into ${result.streams} streams, ${result.evidenceFiles} evidence files`,
      );
      console.log(`  receipt → ${args[0]}.receipt.json`);
      break;
    }
    case 'receipt': {
      const [roundId, file] = args;
      const result = await handover.storeReceipt(roundId, (await readJson(file)) as Receipt);
      console.log(`Receipt kept for bundle ${result.bundleSha256}${result.matchesLastBundle ? ' (the last one)' : ''}`);
      break;
    }
    case 'purge': {
      const result = await handover.purge(args[0]);
      const bar = progressBar('Rebuilding read models');
      await rebuildReadModels({
        store: cli.store,
        connectionString: cli.database.url,
        readModels: READ_MODELS,
        version: READ_MODELS_VERSION,
        schema: READ_MODEL_SCHEMA,
        onProgress: (p) => bar.update(p.events, Math.max(p.head, p.position), p.eventsPerSecond),
      });
      bar.done();
      console.log(`Purged round ${result.roundId}: ${result.events} events in ${result.streams} streams`);
      break;
    }
  }
} catch (error) {
  if (isApplicationError(error)) {
    console.error(`${error.code}: ${error.message}`);
    const link = error.extra.brokenLink as Record<string, unknown> | undefined;
    if (link) console.error(`  first broken link: ${JSON.stringify(link)}`);
    process.exitCode = 1;
  } else {
    console.error(`handover ${command} failed: ${(error as Error).message}`);
    process.exitCode = 2;
  }
} finally {
  await handover.onModuleDestroy();
  await cli.close();
}
exitWith();
