import { progressBar } from './progress.js';

/** One progress bar per phase of a backup or restore (bytes for writing, items otherwise). */
export function phaseProgress() {
  let phase = '';
  let bar: ReturnType<typeof progressBar> | undefined;
  let started = Date.now();
  return {
    update(next: string, done: number, total: number) {
      if (next !== phase) {
        bar?.done();
        phase = next;
        started = Date.now();
        const bytes = next === 'Writing';
        bar = progressBar(next.padEnd(20), bytes ? 'bytes' : next.includes('log') ? 'events' : 'items', '/s');
      }
      bar!.update(done, total, done / Math.max((Date.now() - started) / 1000, 0.001), done === total);
    },
    done() {
      bar?.done();
      bar = undefined;
    },
  };
}
