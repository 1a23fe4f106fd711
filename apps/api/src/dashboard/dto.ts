import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import {
  FINDING_STATUSES,
  LEAD_SOURCES,
  LEAD_STATUSES,
  RECTIFICATION_TYPES,
  ROUND_KINDS,
  ROUND_STATUSES,
  type FindingStatus,
  type LeadSource,
  type LeadStatus,
  type RectificationType,
  type RoundKind,
  type RoundStatus,
  isIsoDate,
} from '@app/domain';

/** A date that exists (no 2024-02-30). */
@ValidatorConstraint({ name: 'isCalendarDate' })
class IsCalendarDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isIsoDate(value);
  }
  defaultMessage(): string {
    return 'on must be a date that exists';
  }
}

/*
 * Query strings arrive as strings: numbers go through @Type(() => Number) (so "abc" fails @IsInt
 * instead of becoming NaN in SQL) and booleans accept exactly "true" or "false".
 */

const MAX_PAGE_SIZE = 200;
const booleanText = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class PageQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) page?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE) pageSize?: number;
}

export class RoundQuery {
  /** Without it, the figures cover every round. */
  @IsOptional() @IsUUID() roundId?: string;
  /** The day the warning colours and overdue counts are taken on (default: today in Asia/Shanghai). */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'on must be a date in the form YYYY-MM-DD' })
  @Validate(IsCalendarDate)
  on?: string;
}

/** 三色预警 thresholds in days left; defaults green ≤ 20, yellow ≤ 10. */
export class ThresholdQuery extends RoundQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(366) greenDays?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(366) yellowDays?: number;
}

export class DepartmentDashboardQuery extends ThresholdQuery {
  @IsOptional() @IsUUID() departmentId?: string;
}

export class TrendQuery extends RoundQuery {
  @IsOptional() @IsIn(['week']) bucket?: 'week';
}

export class FindingListDto extends PageQuery {
  @IsOptional() @IsUUID() roundId?: string;
  @IsOptional() @IsUUID() departmentId?: string;
  @IsOptional() @IsUUID() fieldId?: string;
  @IsOptional() @IsIn(FINDING_STATUSES) status?: FindingStatus;
  @IsOptional() @IsIn(RECTIFICATION_TYPES) type?: RectificationType;
  @IsOptional() @Transform(booleanText) @IsBoolean() overdue?: boolean;
  @IsOptional() @IsIn(['green', 'yellow', 'red']) warning?: 'green' | 'yellow' | 'red';
  @IsOptional() @IsString() @MaxLength(100) q?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(366) greenDays?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(366) yellowDays?: number;
}

export class LeadListDto extends PageQuery {
  @IsOptional() @IsUUID() roundId?: string;
  @IsOptional() @IsIn(LEAD_STATUSES) status?: LeadStatus;
  @IsOptional() @IsIn(LEAD_SOURCES) source?: LeadSource;
}

export class RoundListDto extends PageQuery {
  @IsOptional() @IsIn(ROUND_STATUSES) status?: RoundStatus;
  @IsOptional() @IsIn(ROUND_KINDS) kind?: RoundKind;
}
