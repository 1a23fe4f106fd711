import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The answer types of the API, declared once; the OpenAPI document names them for every operation. */
export class FieldErrorDto {
  @ApiProperty({ example: 'departmentId' }) field!: string;
  @ApiProperty({ example: 'exists' }) rule!: string;
  @ApiProperty() message!: string;
}

/** RFC 7807 problem details, the one error shape. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:xuncha:problem:validation-failed' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable; clients match on it' }) code!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

/** What every command answers (also as ETag and X-Event-Position); a creation adds the new id's name. */
export class CommandAnswerDto {
  @ApiProperty({ format: 'uuid', description: 'The case the command was decided on' }) id!: string;
  @ApiProperty({ description: "The case's revision after the command; send it back as If-Match" }) revision!: number;
  @ApiProperty({ description: 'Position in the global log; send it as X-Min-Position to read your write' })
  position!: number;
}

/** One case folded from its stream (fields depend on the aggregate). */
export class CaseDto {
  @ApiProperty({ example: 'recorded' }) status!: string;
  @ApiProperty({ description: 'The revision this answer reflects, also sent as ETag' }) revision!: number;
  @ApiPropertyOptional({ format: 'date-time' }) lastRecordedAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Set when the state as of a past moment was asked' })
  asOf?: string;
}

export class HistoryEventDto {
  @ApiProperty() revision!: number;
  @ApiProperty() position!: number;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() type!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty() role!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) occurredAt!: string | null;
  @ApiProperty() backdated!: boolean;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
}

export class HistoryDto {
  @ApiProperty() streamId!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ type: [HistoryEventDto] }) events!: HistoryEventDto[];
}

export class PageDto {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  items!: Record<string, unknown>[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

/** Figures, reports and other answers whose fields the operation's description names. */
export class ObjectAnswerDto {}

export const RESPONSE_MODELS = [
  FieldErrorDto,
  ProblemDto,
  CommandAnswerDto,
  CaseDto,
  HistoryEventDto,
  HistoryDto,
  PageDto,
];
