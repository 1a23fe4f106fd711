import { Controller, Get, Query, Res } from '@nestjs/common';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { ledgerRows } from '@app/projections';
import { Reads } from '../auth/decorators.js';
import { ProblemException } from '../http/problem.js';
import { officeToday, ReadModelDb } from '../dashboard/read-model-db.js';
import { ProjectionQuery } from '../projections/projection-query.decorator.js';
import { ledgerCsv, ledgerXlsx } from './ledger.js';

export class LedgerQuery {
  @IsUUID() roundId!: string;
  @IsOptional() @IsIn(['xlsx', 'csv']) format?: 'xlsx' | 'csv';
}

@Controller('exports')
export class ExportsController {
  constructor(private readonly db: ReadModelDb) {}

  /** 整改台账: one row per finding of the round, Chinese headers; overdue counted against today. */
  @Get('ledger')
  @Reads('ExportLedger')
  @ProjectionQuery()
  async ledger(@Query() query: LedgerQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const today = officeToday();
    const rows = await this.db.run((db, schema) => ledgerRows(db, schema, query.roundId, today));
    const round = await this.db.run((db, schema) =>
      db.query(`SELECT title FROM ${schema}.rounds WHERE id = $1`, [query.roundId]),
    );
    if (!round.rows.length) throw new ProblemException(404, 'ROUND_NOT_FOUND', 'No such round');
    const title: string = round.rows[0].title;
    const format = query.format ?? 'xlsx';
    const filename = `整改台账-${today}.${format}`;
    void reply.header(
      'content-disposition',
      `attachment; filename="ledger-${today}.${format}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    );
    if (format === 'csv') {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      return ledgerCsv(rows);
    }
    void reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    return ledgerXlsx(rows, title);
  }
}
