import { AlignmentType, Document, Packer, Paragraph, TextRun } from 'docx';
import { SUPERVISION_LEVEL_LABELS, type SupervisionLevel } from '@app/domain';

/** What a 督办 document says: who sends it to whom, about which problem, by when. */
export interface NoticeContent {
  office: string;
  number: number;
  level: SupervisionLevel;
  /** The year of issue, for the document number 〔YYYY〕. */
  issuedOn: string;
  unit: string;
  problem: string;
  description: string;
  dueOn: string;
  respondBy: string;
  text: string;
}

const TITLES: Record<SupervisionLevel, string> = {
  reminder: '整改提醒函',
  notice: '整改督办通知书',
  summons: '整改约谈通知书',
};

/** The sender of every notice: `OFFICE_NAME`, else the usual name of a district's 巡察办. */
export function officeName(env: NodeJS.ProcessEnv = process.env): string {
  return env.OFFICE_NAME?.trim() || '区委巡察工作领导小组办公室';
}

/** 2024-09-10 → 2024年9月10日 (公文 dates in Arabic numerals, GB/T 9704-2012). */
export function chineseDate(date: string): string {
  return `${Number(date.slice(0, 4))}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
}

/*
 * 公文 layout after GB/T 9704: title in 宋体 (小标宋) 二号 centred, body 仿宋 三号 with a two-character first-line
 * indent, the addressee flush left followed by a colon, sender and date at the right. Sizes are half-points:
 * 二号 = 22 pt = 44, 三号 = 16 pt = 32.
 */
const TITLE_FONT = { ascii: '宋体', eastAsia: '宋体', hAnsi: '宋体' };
const BODY_FONT = { ascii: '仿宋', eastAsia: '仿宋', hAnsi: '仿宋' };
const body = (text: string, options: { indent?: boolean; right?: boolean; bold?: boolean } = {}) =>
  new Paragraph({
    alignment: options.right ? AlignmentType.RIGHT : AlignmentType.JUSTIFIED,
    indent: options.indent ? { firstLine: 640 } : undefined,
    spacing: { line: 560, lineRule: 'exact' },
    children: [new TextRun({ text, font: BODY_FONT, size: 32, bold: options.bold })],
  });

/** The notice as a DOCX document (a Word file any office opens, prints and files). */
export async function noticeDocx(notice: NoticeContent): Promise<Buffer> {
  const label = SUPERVISION_LEVEL_LABELS[notice.level];
  const year = notice.issuedOn.slice(0, 4);
  const paragraphs = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 200 },
      children: [new TextRun({ text: notice.office, font: TITLE_FONT, size: 32 })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 400 },
      children: [new TextRun({ text: TITLES[notice.level], font: TITLE_FONT, size: 44, bold: true })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 400 },
      children: [new TextRun({ text: `巡督〔${year}〕${notice.number}号`, font: BODY_FONT, size: 32 })],
    }),
    body(`${notice.unit}：`),
    body(
      `你单位承担的巡察反馈问题“${notice.problem}”，整改时限为${chineseDate(notice.dueOn)}。` +
        `现就该问题整改情况向你单位发出${label}。`,
      { indent: true },
    ),
    body(`问题表现：${notice.description}`, { indent: true }),
    ...notice.text.split(/\r?\n/).map((line) => body(line, { indent: true })),
    body(`请于${chineseDate(notice.respondBy)}前将整改落实情况书面报送巡察办。`, { indent: true }),
    body(''),
    body(notice.office, { right: true }),
    body(chineseDate(notice.issuedOn), { right: true }),
  ];
  const document = new Document({
    creator: notice.office,
    title: `${TITLES[notice.level]} ${notice.unit}`,
    styles: { default: { document: { run: { font: BODY_FONT, size: 32 } } } },
    sections: [
      {
        // A4 with the 公文 margins: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (in twips).
        properties: {
          page: {
            size: { width: 11906, height: 16838 },
            margin: { top: 2098, bottom: 1984, left: 1588, right: 1474 },
          },
        },
        children: paragraphs,
      },
    ],
  });
  return Packer.toBuffer(document);
}
