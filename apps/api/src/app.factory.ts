import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LOG_LEVELS, type AppConfig, type DatabaseHandle } from '@app/database';
import type { PgEventStore } from '@app/event-store';
import { AppModule } from './app.module.js';
import { EVENT_STORE } from './infrastructure/tokens.js';
import { ProblemFilter } from './http/problem.filter.js';
import { validationPipe } from './http/validation.js';
import { installRequestContext } from './http/request-context.js';

/** Builds the HTTP app on a database that is already running; used by main and by the e2e tests. */
export async function createApp(config: AppConfig, database: DatabaseHandle): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: 256 * 1024 });
  installRequestContext(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database), adapter, {
    logger: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel) + 1),
    abortOnError: false,
  });
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemFilter());
  const openApi = new DocumentBuilder()
    .setTitle('机动式巡察 case tracker API')
    .setDescription('Commands answer {id, revision, position} with ETag and X-Event-Position; errors are RFC 7807 problem+json.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'api/docs/openapi.json' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export function eventStoreOf(app: NestFastifyApplication): PgEventStore {
  return app.get<PgEventStore>(EVENT_STORE);
}

export async function closeApp(app: NestFastifyApplication): Promise<void> {
  await app.close();
  await eventStoreOf(app).close().catch(() => undefined);
}
