import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { type AppConfig, type DatabaseHandle } from '@app/database';
import type { EventStore } from '@app/event-store';
import { AppModule } from './app.module.js';
import { EVENT_STORE } from './infrastructure/tokens.js';
import { ProblemFilter } from './http/problem.filter.js';
import { problem } from './http/problem.js';
import { validationPipe } from './http/validation.js';
import { installBundleBodyParser, installJsonBodyParser } from './http/json-body.js';
import { BUNDLE_MEDIA_TYPE, KIT_MEDIA_TYPE } from './handover/bundle.js';
import { installRequestContext } from './http/request-context.js';
import { createOpenApiDocument } from './openapi/document.js';
import { appLogger } from './logging/app-logger.js';
import { EVIDENCE_MAX_BYTES } from './evidence/evidence-store.js';

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

/**
 * The dashboard's CSP: its own scripts only (no inline script, no eval), inline styles allowed
 * (Vue style bindings and ECharts tooltips write style attributes), data: images (the favicon),
 * API calls to the same origin, and no framing by anyone (`frame-ancestors 'none'`, with helmet's
 * X-Frame-Options for older browsers). No upgrade-insecure-requests: the app is served over
 * plain HTTP on 127.0.0.1 by default.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  scriptSrcAttr: ["'none'"],
};

/**
 * What fastify refuses before routing (a path segment longer than its limit, a malformed URL) is a
 * problem+json too, like every other refusal.
 */
function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const code = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URI_TOO_LONG' : 'VALIDATION_FAILED';
  const detail = code === 'URI_TOO_LONG' ? 'A path segment is too long' : 'The URL is malformed';
  void reply
    .status(code === 'URI_TOO_LONG' ? 414 : status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(problem(code === 'URI_TOO_LONG' ? 414 : status, code, detail));
}

/** Builds the HTTP app on a database that is already running; used by main and by the e2e tests. */
export async function createApp(config: AppConfig, database: DatabaseHandle): Promise<NestFastifyApplication> {
  const bodyLimit = 256 * 1024;
  const adapter = new FastifyAdapter({ bodyLimit, frameworkErrors: answerFrameworkError });
  installRequestContext(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database), adapter, {
    logger: appLogger(config.logLevel),
    abortOnError: false,
  });
  // JSON nested too deep or with too long arrays is refused before it is parsed (http/json-body.ts).
  installJsonBodyParser(app, bodyLimit);
  installBundleBodyParser(app, BUNDLE_MEDIA_TYPE);
  installBundleBodyParser(app, KIT_MEDIA_TYPE);
  // helmet's headers, its middleware made once: @fastify/helmet made it again for every request (reading the CSP's
  // directives anew each time: ~6% of the server's CPU on a dashboard request, in a profile).
  const securityHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  // The Swagger UI page runs inline scripts of its own: no CSP there (the other headers stay).
  // Every API answer (cases, names, problems) and the metrics are kept out of caches: no-store.
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    if (/^\/(api|metrics)(\/|\?|$)/.test(request.url)) void reply.header('cache-control', 'no-store');
    if (request.url === '/api/docs' || request.url.startsWith('/api/docs/') || request.url.startsWith('/api/docs?')) {
      reply.removeHeader('content-security-policy');
    }
  });
  // 佐证材料 uploads (POST /api/evidence): one file a request, streamed to disk, at most 20 MiB.
  await app.register(fastifyMultipart, { limits: { fileSize: EVIDENCE_MAX_BYTES, files: 1, fields: 0, parts: 1 } });
  // Not global: only the sign-in is limited (SignInThrottleGuard), per address and per username.
  await app.register(fastifyRateLimit, { global: false });
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(validationPipe());
  const web = webDist();
  if (web) {
    // The dashboard at /, with client-side routes answered by index.html (see ProblemFilter).
    app.useStaticAssets({ root: web, prefix: '/', wildcard: false, index: ['index.html'] });
  }
  app.useGlobalFilters(new ProblemFilter(web ? readFileSync(`${web}/index.html`, 'utf8') : undefined));
  SwaggerModule.setup('api/docs', app, () => createOpenApiDocument(app), { jsonDocumentUrl: 'api/docs/openapi.json' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export function eventStoreOf(app: NestFastifyApplication): EventStore {
  return app.get<EventStore>(EVENT_STORE);
}

export async function closeApp(app: NestFastifyApplication): Promise<void> {
  await app.close();
  await eventStoreOf(app)
    .close()
    .catch(() => undefined);
}
