import { EVENT_TYPE_LABELS, ROLE_LABELS, type DomainEventType, type Role } from '@app/domain';
import { exitWith, openCli } from './cli-context.js';
import { AS_OF_SCHEMA, replayAllUntil } from './replay-all.js';
import { READ_MODELS, READ_MODELS_VERSION } from '../projections/read-models.js';

/**
 * `npm run replay -- <streamId>`: a case's timeline in the terminal, Chinese labels, aligned columns.
 * `npm run replay -- --all --to <ISO> [--round <id>]`: the dashboards as they stood at that moment.
 */
const args = process.argv.slice(2);
const streamId = args[0];
const usage =
  'Usage: npm run replay -- <streamId>                 e.g. npm run replay -- finding-2f1c…\n       npm run replay -- --all --to <ISO time> [--round <roundId>]';
if (!streamId || (streamId.startsWith('--') && streamId !== '--all')) {
  console.error(usage);
  process.exit(2);
}
let to: Date | undefined;
if (streamId === '--all') {
  const at = args[args.indexOf('--to') + 1];
  to = args.includes('--to') && at ? new Date(at) : undefined;
  if (!to || Number.isNaN(to.getTime())) {
    console.error(`--to must be an ISO time, e.g. 2024-09-15T23:59:59+08:00\n${usage}`);
    process.exit(2);
  }
}
const cli = await openCli();
try {
  if (to) {
    const roundId = args.includes('--round') ? args[args.indexOf('--round') + 1] : undefined;
    const result = await replayAllUntil({
      store: cli.store,
      connectionString: cli.database.url,
      readModels: READ_MODELS,
      version: READ_MODELS_VERSION,
      to,
      roundId,
    });
    const o = result.overview;
    console.log(
      `截至 ${result.day}（${to.toISOString()}）的看板 — ${result.applied} 个事件，重建于 schema ${AS_OF_SCHEMA}`,
    );
    console.log(
      `监督领域 ${o.fields}  监督重点 ${o.monitoringPoints}  问题 ${o.findings}  问题线索 ${o.leads}  立行立改 ${o.immediate.closed}/${o.immediate.assigned}`,
    );
    console.log(
      `整改: 交办 ${o.rectification.assigned}  已销号 ${o.rectification.closed}  整改中 ${o.rectification.inProgress}  超期 ${o.rectification.overdue}  完成率 ${(o.rectification.completionRate * 100).toFixed(1)}%`,
    );
    console.log('责任单位                 交办  已销号  超期  完成率');
    for (const d of result.departments) {
      console.log(
        `${d.name ?? d.departmentId}${' '.repeat(Math.max(1, 24 - [...(d.name ?? '')].length * 2))}${String(d.assigned).padStart(4)}  ${String(d.closed).padStart(6)}  ${String(d.overdue).padStart(4)}  ${(d.completionRate * 100).toFixed(1).padStart(5)}%`,
      );
    }
  } else {
    const events = await cli.store.readStream(streamId);
    if (!events.length) {
      console.error(`No events in stream ${streamId}`);
      process.exitCode = 1;
    } else {
      const shanghai = (d: Date | null) =>
        d
          ? new Intl.DateTimeFormat('sv-SE', {
              timeZone: 'Asia/Shanghai',
              dateStyle: 'short',
              timeStyle: 'short',
            }).format(d)
          : '';
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
      console.log(
        report.ok
          ? `哈希链完整 (hash chain intact)`
          : `哈希链断裂 (broken): revision ${report.firstBreak!.revision}: ${report.firstBreak!.reason}`,
      );
    }
  }
} finally {
  await cli.close();
}
exitWith();
