import ExcelJS from 'exceljs';
import {
  EXTENSION_STATE_LABELS,
  FINDING_STATUS_LABELS,
  RECTIFICATION_TYPE_LABELS,
  type FindingStatus,
  type RectificationType,
} from '@app/domain';
import type { LedgerRow } from '@app/projections';

/** The 整改台账 columns, in the order 巡察办 keep them, with widths for the spreadsheet. */
export const LEDGER_COLUMNS = [
  ['序号', 6],
  ['问题', 40],
  ['监督领域', 16],
  ['监督重点', 28],
  ['牵头单位', 18],
  ['责任领导', 10],
  ['整改类型', 10],
  ['整改时限', 12],
  ['整改措施', 40],
  ['整改进度', 24],
  ['状态', 10],
  ['是否超期', 9],
  ['销号日期', 12],
  ['重新整改次数', 9],
  ['问题表现', 40],
  ['配合单位', 20],
  ['整改目标', 30],
  ['原定整改时限', 12],
  ['延期情况', 20],
  ['督办次数', 9],
  ['佐证材料', 30],
  ['验收意见', 30],
  ['剩余天数', 12],
] as const;

/** 延期情况: what became of the latest 申请延期. */
function extensionText(row: LedgerRow): string {
  if (!row.extensionState) return '';
  const label = EXTENSION_STATE_LABELS[row.extensionState as keyof typeof EXTENSION_STATE_LABELS];
  return row.extensionDueOn ? `${label}（申请至${row.extensionDueOn}）` : label;
}

/** 剩余 N 天 / 超期 N 天 for an open rectification. */
function daysText(days: number | null): string {
  if (days === null) return '';
  return days >= 0 ? `剩余 ${days} 天` : `超期 ${-days} 天`;
}

type Cell = string | number | Date | null;

/** What a spreadsheet may take as the start of a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell that a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`, a
 * leading tab or CR) gets a leading `'`, so Excel and LibreOffice show it as text. Numbers and
 * dates are never text, so they are left as they are.
 */
export function neutraliseFormula(value: Cell): Cell {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

function cells(row: LedgerRow, index: number): Cell[] {
  return rawCells(row, index).map(neutraliseFormula);
}

function rawCells(row: LedgerRow, index: number): Cell[] {
  const progress = row.rectificationType
    ? `${row.progressPercent}%${row.progressNote ? ` ${row.progressNote}` : ''}`
    : '';
  return [
    index + 1,
    row.title,
    row.fieldName ?? '',
    row.pointTitle ?? '',
    row.departmentName ?? '',
    row.responsiblePerson ?? '',
    row.rectificationType ? RECTIFICATION_TYPE_LABELS[row.rectificationType as RectificationType] : '未交办',
    row.dueOn ? new Date(`${row.dueOn}T00:00:00Z`) : null,
    row.measures ?? '',
    progress,
    FINDING_STATUS_LABELS[row.status as FindingStatus] ?? row.status,
    row.overdue ? '是' : '否',
    row.closedOn ? new Date(`${row.closedOn}T00:00:00Z`) : null,
    row.reopenedCount,
    row.description,
    row.coDepartmentNames.join('、'),
    row.target ?? '',
    row.originalDueOn ? new Date(`${row.originalDueOn}T00:00:00Z`) : null,
    extensionText(row),
    row.notices,
    row.evidence.join('、'),
    row.verificationOpinion ?? '',
    daysText(row.daysLeft),
  ];
}

/** CSV with a UTF-8 BOM so that Excel opens it in Chinese; RFC 4180 quoting. */
export function ledgerCsv(rows: LedgerRow[]): Buffer {
  const quote = (v: Cell) => {
    const text = v === null ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [LEDGER_COLUMNS.map(([h]) => h).join(','), ...rows.map((r, i) => cells(r, i).map(quote).join(','))];
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

/** XLSX with a frozen header row, column widths and real date cells. */
export async function ledgerXlsx(rows: LedgerRow[], title: string): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = '巡察 case tracker';
  const sheet = book.addWorksheet('整改台账', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = LEDGER_COLUMNS.map(([header, width]) => ({ header, width }));
  sheet.getRow(1).font = { bold: true };
  for (const [i, row] of rows.entries()) sheet.addRow(cells(row, i));
  for (const column of [8, 13, 18]) sheet.getColumn(column).numFmt = 'yyyy-mm-dd';
  sheet.headerFooter.oddHeader = title;
  return Buffer.from(await book.xlsx.writeBuffer());
}
