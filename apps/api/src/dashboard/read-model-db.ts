import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { DEFAULT_WARNING_THRESHOLDS, type WarningThresholds } from '@app/domain';
import { READ_MODEL_SCHEMA } from '@app/projections';
import type { AuthUser } from '../auth/auth-user.js';
import { ApplicationError } from '../application/errors.js';
import { checkpointOf } from '../projections/checkpoint.js';
import { AnswerCache } from './answer-cache.js';
import { JsonAnswer } from '../projections/json-answer.js';

const OFFICE_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
});

const DAY_MS = 86_400_000;
/** The last office day computed and the instants it spans, [from, until). */
let lastDay = { from: 0, until: 0, day: '' };

/**
 * Today's date (YYYY-MM-DD) in the office's time zone: overdue and warnings are counted against it. Every dashboard
 * and list request asks (~1% of the server's CPU on a dashboard request went to Intl's formatting, in a profile), so
 * the day is kept with the instants it spans and formatted again only outside them. Its bounds are taken as +08:00
 * and kept only when Intl agrees at both ends (so a day of another offset, as in the zone's summer times of
 * 1986–1991, is formatted every time, never guessed).
 */
export const officeToday = (now = new Date()): string => {
  const t = now.getTime();
  if (t >= lastDay.from && t < lastDay.until) return lastDay.day;
  const day = OFFICE_DAY.format(now);
  const from = Date.parse(`${day}T00:00:00+08:00`);
  const until = from + DAY_MS;
  if (OFFICE_DAY.format(from) === day && OFFICE_DAY.format(until - 1) === day && OFFICE_DAY.format(until) !== day) {
    lastDay = { from, until, day };
  }
  return day;
};

/**
 * The read models' tables, queried over TypeORM's pg pool (the same connections as the rest of
 * the app). A query before the projector has created the schema answers 503, not 500.
 */
@Injectable()
export class ReadModelDb {
  readonly schema = READ_MODEL_SCHEMA;
  /** Answers by the checkpoint they were computed at (see AnswerCache). */
  readonly answers = new AnswerCache();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get pool(): pg.Pool {
    return (this.dataSource.driver as unknown as { master: pg.Pool }).master;
  }

  /**
   * `run`, answered from the cache when an identical request (`key`) was answered at the checkpoint this request sees
   * (the one ReadYourWritesInterceptor put in X-Projection-Position). The answer is kept serialised (JsonAnswer).
   */
  cached(
    request: unknown,
    key: unknown[],
    query: (db: pg.Pool, schema: string) => Promise<unknown>,
    /** The round the answer is confined to, if it is (see AnswerCache.answer). */
    round?: string,
  ): Promise<JsonAnswer> {
    return this.answers.answer(
      JSON.stringify(key),
      checkpointOf(request),
      async () => new JsonAnswer(await this.run(query)),
      round,
    );
  }

  async run<T>(query: (db: pg.Pool, schema: string) => Promise<T>): Promise<T> {
    try {
      return await query(this.pool, this.schema);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // 42P01 undefined_table, 3F000 invalid_schema_name: the projector has not built the read models yet.
      if (code === '42P01' || code === '3F000') {
        throw new ApplicationError('READ_MODELS_NOT_READY', 'The read models are being built; try again shortly');
      }
      throw error;
    }
  }
}

/** Warning thresholds from the query, defaults for what is missing; yellow must not exceed green. */
export function thresholdsOf(query: { greenDays?: number; yellowDays?: number }): WarningThresholds {
  const thresholds = {
    greenDays: query.greenDays ?? Math.max(DEFAULT_WARNING_THRESHOLDS.greenDays, query.yellowDays ?? 0),
    yellowDays: query.yellowDays ?? Math.min(DEFAULT_WARNING_THRESHOLDS.yellowDays, query.greenDays ?? Infinity),
  };
  if (thresholds.yellowDays > thresholds.greenDays) {
    const message = 'yellowDays must not be greater than greenDays';
    throw new ApplicationError('VALIDATION_FAILED', message, [
      { field: 'yellowDays', rule: 'notAboveGreenDays', message },
    ]);
  }
  return thresholds;
}

/**
 * A unit liaison sees only their own department: answers the department to force, or refuses a
 * request naming another one. Other roles: undefined (no restriction).
 */
export function liaisonDepartment(user: AuthUser, requested: string | undefined): string | undefined {
  if (user.role !== 'unit_liaison') return undefined;
  if (!user.departmentId) throw new ApplicationError('NO_DEPARTMENT', 'This unit liaison account has no department');
  if (requested !== undefined && requested !== user.departmentId) {
    throw new ApplicationError('NOT_YOUR_DEPARTMENT', 'A unit liaison sees the figures of their own department only');
  }
  return user.departmentId;
}
