import { EVENT_TYPE_LABELS, ROLE_LABELS, type DomainEventType, type Role } from '@app/domain';
import { exitWith, openCli } from './cli-context.js';

/** `npm run replay -- <streamId>`: a case's timeline in the terminal, Chinese labels, aligned columns. */
const streamId = process.argv[2];
if (!streamId || streamId.startsWith('--')) {
  console.error('Usage: npm run replay -- <streamId>      e.g. npm run replay -- finding-2f1c…');
  process.exit(2);
}
const cli = await openCli();
try {
  const events = await cli.store.readStream(streamId);
  if (!events.length) {
    console.error(`No events in stream ${streamId}`);
    process.exitCode = 1;
  } else {
    const shanghai = (d: Date | null) => (d ? new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' }).format(d) : '');
    const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uFFFF]/.test(ch) ? 2 : 1), 0);
    const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));
    const rows = events.map((e) => [
      String(e.revision),
      shanghai(e.recordedAt),
      shanghai(e.occurredAt),
      EVENT_TYPE_LABELS[e.type as DomainEventType] ?? e.type,
      `${e.metadata.actor.username}（${ROLE_LABELS[e.metadata.actor.role as Role] ?? e.metadata.actor.role}）`,
      e.hash.slice(0, 12),
    ]);
    const header = ['版本', '记录时间', '发生时间', '事件', '操作人（角色）', '哈希'];
    const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
    console.log(`${streamId}  (${events.length} 个事件)`);
    console.log(header.map((h, i) => pad(h, widths[i])).join('  '));
    console.log(widths.map((w) => '─'.repeat(w)).join('  '));
    for (const r of rows) console.log(r.map((c, i) => pad(c, widths[i])).join('  '));
    const report = await cli.store.verifyStream(streamId);
    console.log(report.ok ? `哈希链完整 (hash chain intact)` : `哈希链断裂 (broken): revision ${report.firstBreak!.revision}: ${report.firstBreak!.reason}`);
  }
} finally {
  await cli.close();
}
exitWith();
