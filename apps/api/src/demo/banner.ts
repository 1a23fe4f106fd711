import { ROLE_LABELS } from '@app/domain';
import { DEMO_USERS } from './scenario.js';

/** Terminal columns of a string: CJK and full-width characters take two. */
function width(text: string): number {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6);
    n += wide ? 2 : 1;
  }
  return n;
}

const pad = (text: string, columns: number) => text + ' '.repeat(Math.max(0, columns - width(text)));

export function box(lines: readonly string[]): string {
  const w = Math.max(...lines.map(width));
  return ['┌' + '─'.repeat(w + 2) + '┐', ...lines.map((l) => `│ ${pad(l, w)} │`), '└' + '─'.repeat(w + 2) + '┘'].join(
    '\n',
  );
}

/**
 * A short box for the start-up log: where the dashboard and the API docs are, and how to sign in as
 * each featured demo user. `url` is the dashboard's, e.g. `http://localhost:3000/`.
 */
export function demoBanner(url: string): string {
  const base = new URL(url);
  const featured = DEMO_USERS.filter((u) => u.featured);
  const nameWidth = Math.max(...featured.map((u) => u.username.length));
  const passwordWidth = Math.max(...featured.map((u) => u.password.length));
  return box([
    '演示数据：平城区 2024 年机动式巡察（demo data, invented people）',
    `Dashboard  ${base.href}`,
    `API docs   ${new URL('api/docs', base).href}`,
    '',
    ...featured.map(
      (u) =>
        `${u.username.padEnd(nameWidth)}  ${u.password.padEnd(passwordWidth)}  ${ROLE_LABELS[u.role]} · ${u.displayName}`,
    ),
    `liaison.*（其他责任单位联络员）密码同上`,
  ]);
}
