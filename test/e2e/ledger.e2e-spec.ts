import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { login, type Actor } from '../support/actors.js';
import { DEMO_PASSWORD, DEMO_ROUND_ID, DemoLoader } from '../../apps/api/src/demo/index.js';

const HEADERS = [
  '序号',
  '问题',
  '监督领域',
  '监督重点',
  '牵头单位',
  '责任领导',
  '整改类型',
  '整改时限',
  '整改措施',
  '整改进度',
  '状态',
  '是否超期',
  '销号日期',
  '重新整改次数',
  '问题表现',
  '配合单位',
  '整改目标',
  '原定整改时限',
  '延期情况',
  '督办次数',
  '佐证材料',
  '验收意见',
  '剩余天数',
];

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The 整改台账 export of the reference tour, read back from the files. */
describe('ledger export', () => {
  let t: TestApp;
  let official: Actor, auditor: Actor, inspector: Actor;
  let position: number;
  let loadedAt: Date;

  beforeAll(async () => {
    t = await startTestApp();
    loadedAt = new Date(Date.now() - 1000);
    // Marked as having chosen their passwords: demo.e2e shows the first sign-in rule.
    position = (await DemoLoader.from(t.app).load({ passwordsAlreadyChanged: true })).lastPosition;
    official = await login(t, 'official', DEMO_PASSWORD);
    auditor = await login(t, 'auditor', DEMO_PASSWORD);
    inspector = await login(t, 'inspector.li', DEMO_PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const url = (format: string) => `/api/exports/ledger?roundId=${DEMO_ROUND_ID}&format=${format}`;

  it('writes a CSV with a UTF-8 BOM, Chinese headers and one row per finding', async () => {
    const res = await official
      .get(url('csv'), { 'X-Min-Position': String(position) })
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/filename\*=UTF-8''/);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0].split(',')).toEqual(HEADERS);
    const rows = lines.slice(1);
    // 37 findings of the tour and the one a lead triaged as reclassify_as_finding became.
    expect(rows).toHaveLength(38);
    const cells = rows.map(parseCsvLine);
    for (const c of cells) expect(c).toHaveLength(HEADERS.length);
    expect(cells.filter((c) => c[6] === '立行立改' && c[10] === '已销号')).toHaveLength(7);
    expect(cells.filter((c) => c[11] === '是').length).toBeGreaterThan(0);
    expect(cells.every((c) => c[11] === '否' || !['已销号', '阶段性完成、持续整改'].includes(c[10]))).toBe(true);
    expect(cells.map((c) => c[0])).toEqual(cells.map((_, i) => String(i + 1)));
  });

  it('writes an xlsx with a frozen header row, column widths and date cells, for auditors too', async () => {
    const res = await auditor
      .get(url('xlsx'), { 'X-Min-Position': String(position) })
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body);
    const sheet = book.getWorksheet('整改台账')!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(sheet.rowCount).toBe(39);
    expect(sheet.getColumn(2).width).toBe(40);
    const dueCells = [...Array(38).keys()]
      .map((i) => sheet.getRow(i + 2).getCell(8).value)
      .filter((v) => v !== null && v !== '');
    expect(dueCells.length).toBeGreaterThan(20);
    for (const v of dueCells) expect(v).toBeInstanceOf(Date);
    const closed = [...Array(38).keys()]
      .map((i) => sheet.getRow(i + 2))
      .filter((r) => r.getCell(11).value === '已销号');
    for (const r of closed) expect(r.getCell(13).value).toBeInstanceOf(Date);
  });

  it('refuses other roles and bad queries', async () => {
    expect((await inspector.get(url('csv'))).status).toBe(403);
    expect((await official.get(`/api/exports/ledger?roundId=${DEMO_ROUND_ID}&format=pdf`)).status).toBe(400);
    expect((await official.get('/api/exports/ledger?roundId=not-a-uuid')).status).toBe(400);
  });

  describe('replay from the command line', () => {
    const replay = async (...args: string[]) =>
      (
        await promisify(execFile)(process.execPath, [path.resolve('dist/apps/api/src/cli/replay.js'), ...args], {
          env: { ...process.env, DATABASE_URL: t.appUrl, DATABASE_OWNER_URL: t.ownerUrl, NODE_OPTIONS: '' },
        })
      ).stdout;

    it("prints a case's timeline with Chinese labels, actors and hashes", async () => {
      const [finding] = (
        await official.get(`/api/findings?roundId=${DEMO_ROUND_ID}&status=closed&type=immediate`, {
          'X-Min-Position': String(position),
        })
      ).body.items;
      const out = await replay(`finding-${finding.findingId}`);
      expect(out).toMatch(/版本\s+记录时间\s+发生时间\s+事件\s+操作人（角色）\s+哈希/);
      expect(out).toMatch(/1\s+\S+ \S+\s+2024-\d\d-\d\d \S+\s+登记问题/);
      expect(out).toMatch(/（巡察组成员）|（巡察办/);
      expect(out).toContain('哈希链完整');
    });

    it('rebuilds the dashboards as they stood at a moment into their own schema', async () => {
      const now = await replay('--all', '--to', new Date().toISOString(), '--round', DEMO_ROUND_ID);
      expect(now).toMatch(/监督领域 9\s+监督重点 43\s+问题 \d+\s+问题线索 35\s+立行立改 7\//);
      const before = await replay('--all', '--to', loadedAt.toISOString(), '--round', DEMO_ROUND_ID);
      expect(before).toMatch(/监督领域 0\s+监督重点 0\s+问题 0\s+问题线索 0/);
    });
  });
});
