/** A one-line progress bar on stderr (events done, events/s, ETA); plain lines when not a terminal. */
export function progressBar(label: string, unit = 'events', rateUnit = 'ev/s') {
  const tty = process.stderr.isTTY;
  let lastPrint = 0;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  return {
    update(done: number, total: number, perSecond: number, force = false) {
      const now = Date.now();
      if (!force && now - lastPrint < (tty ? 100 : 2000)) return;
      lastPrint = now;
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const width = 30;
      const filled = Math.round(fraction * width);
      const eta = perSecond > 0 && total > done ? `${Math.ceil((total - done) / perSecond)}s` : '0s';
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${fmt(done)}/${fmt(total)} ${unit}  ${fmt(perSecond)} ${rateUnit}  ETA ${eta}`;
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}
