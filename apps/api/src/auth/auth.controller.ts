import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '../http/problem.js';
import type { AuthUser } from './auth-user.js';
import { AuthService, type LoginResult } from './auth.service.js';
import { AllowPendingPasswordChange, CurrentUser, Operates, Public, Reads } from './decorators.js';
import { SignInThrottleGuard } from './sign-in-throttle.guard.js';
import { ChangePasswordDto, LoginDto } from './dto.js';
import { UsersService, toAuthUser } from './users.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  /** 429 `RATE_LIMITED` with `Retry-After` past LOGIN_ATTEMPTS_PER_MINUTE per address or per username. */
  @Public()
  @UseGuards(SignInThrottleGuard)
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

  /**
   * Any user, for their own password (the bootstrap admin first of all, and every demo user before
   * anything else). Ends every session of the user, this one too: sign in again with the new password.
   */
  @ApiBearerAuth()
  @AllowPendingPasswordChange()
  @Post('password')
  @Operates('ChangeOwnPassword')
  @HttpCode(204)
  async changePassword(@CurrentUser() current: AuthUser, @Body() body: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(current, body.currentPassword, body.newPassword);
  }
}
