import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { leadStream, mayOperate, mayRead, type Role } from '@app/domain';
import type { EventStore } from '@app/event-store';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Operates, Reads } from '../auth/decorators.js';
import { ProblemException } from '../http/problem.js';
import { SafeText } from '../http/text-policy.js';
import { EVENT_STORE } from '../infrastructure/tokens.js';
import { PersonalDataService, type ErasureResult, type PersonalDataRead } from './personal-data.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ErasePersonalDataDto {
  @SafeText(2000, { multiline: true })
  reason!: string;
}

/**
 * The route guard enforces the domain's tables; the check here repeats it so that the routes stay closed even
 * if the guard is ever missing from the module graph (this is the most sensitive data there is).
 */
function signedIn(user: AuthUser | undefined, roles: readonly Role[]): AuthUser {
  if (!user) throw new ProblemException(401, 'UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <token>');
  if (!roles.includes(user.role)) {
    throw new ProblemException(
      403,
      'FORBIDDEN_ROLE',
      `This requires the role ${roles.join(' or ')}; you are ${user.role}`,
      undefined,
      {
        requiredRoles: roles,
      },
    );
  }
  return user;
}

@Controller()
export class PersonalDataController {
  constructor(
    private readonly personalData: PersonalDataService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** Lawful erasure (e.g. on a court order or at the end of retention): destroys the subject's key. */
  @Post('personal-data/:ref/erase')
  @HttpCode(200)
  @Operates('ErasePersonalData')
  async erase(
    @Param('ref') ref: string,
    @Body() body: ErasePersonalDataDto,
    @CurrentUser() user: AuthUser | undefined,
  ): Promise<ErasureResult & { ref: string }> {
    const by = signedIn(user, mayOperate.ErasePersonalData);
    return { ref, ...(await this.personalData.erase(ref, by, body.reason)) };
  }

  /** Who read the names of this lead, when, why, and what they were shown. */
  @Get('leads/:id/personal-data-reads')
  @Reads('ListPersonalDataReads')
  async reads(
    @Param('id') id: string,
    @CurrentUser() user: AuthUser | undefined,
  ): Promise<{ items: PersonalDataRead[] }> {
    signedIn(user, mayRead.ListPersonalDataReads);
    if (!UUID.test(id) || (await this.store.streamRevision(leadStream(id))) === 0) {
      throw new ProblemException(404, 'LEAD_NOT_FOUND', `No lead ${id}`);
    }
    return { items: await this.personalData.readsOf(id) };
  }
}
