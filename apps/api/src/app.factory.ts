import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppConfig, type DatabaseHandle } from '@app/database';
import type { PgEventStore } from '@app/event-store';
import { AppModule } from './app.module.js';
import { EVENT_STORE } from './infrastructure/tokens.js';
import { ProblemFilter } from './http/problem.filter.js';
import { validationPipe } from './http/validation.js';
import { installRequestContext } from './http/request-context.js';
import { appLogger } from './logging/app-logger.js';

/**
 * The built dashboard (apps/web/dist), found from this file whether it runs from the sources
 * (tests) or from dist/; WEB_DIST overrides. Absent when the web app was not built.
 */
export function webDist(): string | undefined {
  const candidates = [
    process.env.WEB_DIST,
    fileURLToPath(new URL('../../web/dist', import.meta.url)),
    fileURLToPath(new URL('../../../../apps/web/dist', import.meta.url)),
  ];
  return candidates.find((dir) => dir && existsSync(`${dir}/index.html`));
}

/** Builds the HTTP app on a database that is already running; used by main and by the e2e tests. */
export async function createApp(config: AppConfig, database: DatabaseHandle): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: 256 * 1024 });
  installRequestContext(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database), adapter, {
    logger: appLogger(config.logLevel),
    abortOnError: false,
  });
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(validationPipe());
  const web = webDist();
  if (web) {
    // The dashboard at /, with client-side routes answered by index.html (see ProblemFilter).
    app.useStaticAssets({ root: web, prefix: '/', wildcard: false, index: ['index.html'] });
  }
  app.useGlobalFilters(new ProblemFilter(web ? readFileSync(`${web}/index.html`, 'utf8') : undefined));
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
