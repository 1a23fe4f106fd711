import fs from 'node:fs/promises';

export default async function globalTeardown() {
  const started = globalThis.__xunchaEmbedded;
  if (!started) return;
  await started.handle.stop();
  await fs.rm(started.dir, { recursive: true, force: true });
}
