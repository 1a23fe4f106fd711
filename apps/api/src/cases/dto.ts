import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsObject,
  IsNumber,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import {
  DEPARTMENT_KINDS,
  FOLLOW_UP_SATISFACTIONS,
  LEAD_DISPOSITIONS,
  LEAD_OUTCOMES,
  LEAD_RECEIVERS,
  LEAD_SOURCES,
  LEAD_TRIAGE_DECISIONS,
  MONITORING_TARGET_KINDS,
  RECTIFICATION_TYPES,
  ROUND_KINDS,
  SANCTION_KINDS,
  SUPERVISION_LEVELS,
  type DepartmentKind,
  type FollowUpSatisfaction,
  type SanctionKind,
  type SupervisionLevel,
  type LeadDisposition,
  type LeadOutcome,
  type LeadReceiver,
  type LeadSource,
  type LeadTriageDecision,
  type MonitoringTargetKind,
  type RectificationType,
  type RoundKind,
} from '@app/domain';
import { SafeText, unsafeTextReason } from '../http/text-policy.js';

/** Limits on free text: generous for a 巡察 底稿, small enough that a request cannot bloat the log. */
const NAME = 100;
const TITLE = 200;
const TEXT = 5000;
const REF = 500;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const dateOnly = { message: '$property must be a date in the form YYYY-MM-DD' };

/** Names and titles are one line; the long fields (TEXT) are free text that may hold line breaks and tabs. */
const Text = (max: number) => SafeText(max, { multiline: max >= TEXT });

// Reference data
export class RegisterDepartmentDto {
  @Text(NAME) name!: string;
  @IsIn(DEPARTMENT_KINDS) kind!: DepartmentKind;
  @IsOptional() @IsUUID() parentId?: string;
}

export class RenameDepartmentDto {
  @Text(NAME) name!: string;
}

// Rounds
export class PlanRoundDto {
  @Text(TITLE) title!: string;
  @IsIn(ROUND_KINDS) kind!: RoundKind;
  @Text(TEXT) scope!: string;
  @Matches(DATE_ONLY, dateOnly) startsOn!: string;
  @Matches(DATE_ONLY, dateOnly) endsOn!: string;
  @IsOptional() @Text(TITLE) team?: string;
}

export class AddFieldDto {
  @Text(NAME) name!: string;
}

export class MonitoringTargetDto {
  @IsIn(MONITORING_TARGET_KINDS) kind!: MonitoringTargetKind;
  @Text(NAME) name!: string;
  @IsOptional() @IsUUID() departmentId?: string;
}

export class AddMonitoringPointDto {
  @IsUUID() fieldId!: string;
  @Text(TITLE) title!: string;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => MonitoringTargetDto)
  targets!: MonitoringTargetDto[];
}

export class MilestoneDto {
  @IsOptional() @IsDateString({ strict: true }) occurredAt?: string;
}

// Findings
export class RecordFindingDto {
  @IsUUID() monitoringPointId!: string;
  @IsUUID() departmentId!: string;
  @Text(TITLE) title!: string;
  @Text(TEXT) description!: string;
  @IsOptional() @Text(NAME) category?: string;
  /** 发现时间, when earlier than the recording (an ISO 8601 instant). */
  @IsOptional() @IsDateString({ strict: true }) occurredAt?: string;
}

export class AssignRectificationDto {
  @IsIn(RECTIFICATION_TYPES) type!: RectificationType;
  @IsUUID() departmentId!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsUUID(undefined, { each: true }) coDepartmentIds?: string[];
  @Text(NAME) responsiblePerson!: string;
  @Matches(DATE_ONLY, dateOnly) dueOn!: string;
}

export class EmptyDto {}

export class SubmitPlanDto {
  @Text(TEXT) measures!: string;
  @Text(TEXT) target!: string;
}

/** A piece of evidence as a request cites it: a paper reference (a string), or an uploaded file by hash and name. */
export type EvidenceRefInput = string | { sha256: string; name: string };

/** Why an evidence item is not acceptable, or undefined when it is (see `IsEvidenceRef`). */
export function evidenceRefProblem(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.trim() === '' || value.length > REF) return `a paper reference is 1 to ${REF} characters`;
    return unsafeTextReason(value);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'evidence is a paper reference (text) or an uploaded file {sha256, name}';
  }
  const { sha256, name, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length) return `an evidence file has only sha256 and name, not ${Object.keys(rest).join(', ')}`;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return 'sha256 must be 64 lower-case hex digits';
  if (typeof name !== 'string' || name.trim() === '' || name.length > TITLE) {
    return `name must be 1 to ${TITLE} characters`;
  }
  return unsafeTextReason(name);
}

/** Each item of an `evidence` list: `string` or `{sha256, name}` (docs/api.md "Evidence files"). */
export function IsEvidenceRef(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isEvidenceRef',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { each: true },
      validator: {
        validate: (value: unknown) => evidenceRefProblem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'evidence'}: ${evidenceRefProblem(args?.value) ?? 'invalid evidence'}`,
      },
    });
}

export class ReportProgressDto {
  @Text(TEXT) note!: string;
  @IsInt() @Min(0) @Max(100) percent!: number;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsEvidenceRef() evidence?: EvidenceRefInput[];
}

export class RequestClosureDto {
  @IsArray() @ArrayMaxSize(50) @IsEvidenceRef() evidence!: EvidenceRefInput[];
  @Text(NAME) signedOffBy!: string;
}

export class VerifyRectificationDto {
  @IsBoolean() accepted!: boolean;
  @IsOptional() @Text(TEXT) reason?: string;
  @IsOptional() @IsBoolean() ongoing?: boolean;
  /** The new deadline when rejected (required for a 限期整改). */
  @IsOptional() @Matches(DATE_ONLY, dateOnly) dueOn?: string;
}

export class ReopenDto {
  @Text(TEXT) reason!: string;
  /** The new deadline of the new cycle (required for a 限期整改). */
  @IsOptional() @Matches(DATE_ONLY, dateOnly) dueOn?: string;
}

export class SuperviseDto {
  @IsIn(SUPERVISION_LEVELS) level!: SupervisionLevel;
  @Text(TEXT) text!: string;
  @Matches(DATE_ONLY, dateOnly) respondBy!: string;
}

export class RequestExtensionDto {
  @Matches(DATE_ONLY, dateOnly) newDueOn!: string;
  @Text(TEXT) reason!: string;
}

export class DecideExtensionDto {
  @IsBoolean() granted!: boolean;
  @IsOptional() @Text(TEXT) reason?: string;
}

export class ReasonDto {
  @Text(TEXT) reason!: string;
}

// Leads
export class LeadSubjectDto {
  @Text(NAME) name!: string;
  @IsOptional() @Text(NAME) post?: string;
  @IsOptional() @IsUUID() departmentId?: string;
}

export class InformantDto {
  @Text(NAME) name!: string;
  @IsOptional() @Text(NAME) contact?: string;
}

/** 回访: the person visited is personal data (to the vault); the rest is the visit's record. */
export class FollowUpDto {
  @Matches(DATE_ONLY, dateOnly) visitedOn!: string;
  @IsObject() @ValidateNested() @Type(() => InformantDto) visitee!: InformantDto;
  @IsIn(FOLLOW_UP_SATISFACTIONS) satisfaction!: FollowUpSatisfaction;
  @Text(TEXT) note!: string;
}

export class RecordLeadDto {
  @IsOptional() @IsUUID() monitoringPointId?: string;
  @IsIn(LEAD_SOURCES) source!: LeadSource;
  /** Words that identify no one: lists, dashboards and auditors see them. */
  @Text(TEXT) summary!: string;
  /**
   * The identifying part of the account (names, posts, addresses, anything that points at a person): kept
   * in the personal-data vault like subjects' names, shown to officials and inspectors (every read logged),
   * ［已隐去］ to auditors, erasable.
   */
  @IsOptional() @Text(TEXT) summaryDetail?: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => LeadSubjectDto)
  subjects?: LeadSubjectDto[];
  @IsOptional() @ValidateNested() @Type(() => InformantDto) informant?: InformantDto;
}

/**
 * With `decision: reclassify_as_finding`, the finding the lead becomes (its round is the lead's): it is
 * recorded with the lead's id, the lead keeps the finding's id, and the lead is closed.
 */
export class TriageLeadDto {
  @IsIn(LEAD_TRIAGE_DECISIONS) decision!: LeadTriageDecision;
  @IsOptional() @Text(TEXT) note?: string;
  @IsOptional() @ValidateNested() @Type(() => RecordFindingDto) finding?: RecordFindingDto;
}

export class TransferLeadDto {
  @IsIn(LEAD_RECEIVERS) receiver!: LeadReceiver;
  @IsOptional() @IsUUID() receiverDepartmentId?: string;
  /** 反馈期限; default three months after the transfer. */
  @IsOptional() @Matches(DATE_ONLY, dateOnly) feedbackDueOn?: string;
}

export class DisposeLeadDto {
  @IsIn(LEAD_DISPOSITIONS) method!: LeadDisposition;
}

export class SanctionDto {
  @IsIn(SANCTION_KINDS) kind!: SanctionKind;
  @IsInt() @Min(1) @Max(100000) count!: number;
}

export class LeadOutcomeDto {
  @IsIn(LEAD_OUTCOMES) outcome!: LeadOutcome;
  @IsOptional() @Text(TEXT) note?: string;
  /** How many people were sanctioned, by kind (党纪处分 / 政务处分 / 组织处理). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => SanctionDto)
  sanctions?: SanctionDto[];
  /** 追回资金 in yuan. */
  @IsOptional() @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) @Max(1e12) recoveredFunds?: number;
}

export class AsOfQuery {
  @IsOptional() @IsDateString({ strict: true }) asOf?: string;
}
