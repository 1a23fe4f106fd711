import fs from 'node:fs/promises';

export default async function globalTeardown() {
  await globalThis.__xunchaEsdb?.stop();
  const started = globalThis.__xunchaEmbedded;
  if (!started) return;
  await started.handle.stop();
  await fs.rm(started.dir, { recursive: true, force: true });
}
