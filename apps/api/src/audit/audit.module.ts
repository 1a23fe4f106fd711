import { Module } from '@nestjs/common';
import { evidenceProviders } from '../evidence/evidence.providers.js';
import { AuditController } from './audit.controller.js';

@Module({ controllers: [AuditController], providers: [...evidenceProviders] })
export class AuditModule {}
