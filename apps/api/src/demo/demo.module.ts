import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { DemoLoader } from './demo.loader.js';

/**
 * The demo tour loader. Needs the CommandBus (CqrsModule.forRoot is global), UsersService and the
 * event store (global), so it works wherever CasesModule and AuthModule are part of the app.
 */
@Module({
  imports: [AuthModule],
  providers: [DemoLoader],
  exports: [DemoLoader],
})
export class DemoModule {}
