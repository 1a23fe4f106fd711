import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { ROLES, type Role } from '@app/domain';
import { SafeText } from '../http/text-policy.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password.js';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @SafeText(100)
  username: string;

  @ApiProperty({ example: 'change-me-please', format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  currentPassword: string;

  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH })
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH)
  newPassword: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'zhang.wei', minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9._-]+$' })
  @IsString()
  @Length(3, 50)
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'username may only hold A-Z, a-z, 0-9, ".", "_" and "-"' })
  username: string;

  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH })
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH)
  password: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for unit_liaison: the department they speak for' })
  @IsOptional()
  @IsUUID('all')
  departmentId?: string;

  @ApiPropertyOptional({ example: '张伟', maxLength: 100 })
  @IsOptional()
  @SafeText(100, { allowEmpty: true })
  displayName?: string;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize?: number;
}

/** What an admin may change on an account; every change ends the user's sessions. */
export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'The unit; null to unbind (not for a unit_liaison)',
  })
  @ValidateIf((_o, value) => value !== undefined && value !== null)
  @IsUUID('all')
  departmentId?: string | null;

  @ApiPropertyOptional({ description: 'true: the user can no longer sign in, and their tokens stop working at once' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

/** An admin sets a password for a user, who must choose their own at the next sign-in. */
export class ResetPasswordDto {
  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH })
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH)
  newPassword: string;
}
