import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '../http/problem.js';
import type { AuthUser } from './auth-user.js';
import { AuthService, type LoginResult } from './auth.service.js';
import { CurrentUser, Operates, Public, Reads } from './decorators.js';
import { ChangePasswordDto, LoginDto } from './dto.js';
import { UsersService, toAuthUser } from './users.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginDto): Promise<LoginResult> {
    return this.auth.login(body.username, body.password);
  }

  @ApiBearerAuth()
  @Get('me')
  @Reads('GetOwnAccount')
  async me(@CurrentUser() current: AuthUser) {
    const user = await this.users.findById(current.id);
    if (!user) throw new ProblemException(401, 'UNAUTHENTICATED', 'This account no longer exists');
    return { ...toAuthUser(user), displayName: user.displayName };
  }

  /** Any user, for their own password (the bootstrap admin first of all). */
  @ApiBearerAuth()
  @Post('password')
  @Operates('ChangeOwnPassword')
  @HttpCode(204)
  async changePassword(@CurrentUser() current: AuthUser, @Body() body: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(current, body.currentPassword, body.newPassword);
  }
}
