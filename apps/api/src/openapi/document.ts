import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type Type } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { COMMAND_TYPE_LABELS, mayDo, mayOperate, mayRead } from '@app/domain';
import { AppModule } from '../app.module.js';
import { IS_PUBLIC_KEY, PERMISSION_KEY, rolesOf, type Permission } from '../auth/decorators.js';
import { RESPONSE_MODELS } from './responses.js';
import { describeValidatedInputs } from './validation-schemas.js';

/** The document's header: title, description, the bearer scheme every non-public operation names. */
export function openApiConfig(): Omit<OpenAPIObject, 'paths'> {
  return new DocumentBuilder()
    .setTitle('机动式巡察 case tracker API')
    .setDescription(
      'Commands answer {id, revision, position} with ETag and X-Event-Position; errors are RFC 7807 problem+json.',
    )
    .setVersion('1')
    .setLicense('UNLICENSED', 'https://example.invalid/unlicensed')
    .addServer('/', 'This server')
    .addBearerAuth()
    .build();
}

/** One route of the app as Nest registered it, with what it declares for the guard. */
export interface RouteInfo {
  operationId: string;
  controller: string;
  handler: string;
  method: RequestMethod;
  path: string;
  isPublic: boolean;
  permission?: Permission;
}

/** Every route of every controller in the app's module graph. */
export function routesOf(app: NestFastifyApplication): RouteInfo[] {
  const routes: RouteInfo[] = [];
  const seen = new Set<Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const proto = controller.prototype as Record<string, unknown>;
      for (const handler of Object.getOwnPropertyNames(proto)) {
        const fn = proto[handler];
        if (handler === 'constructor' || typeof fn !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, fn) as string | undefined;
        if (path === undefined) continue;
        routes.push({
          operationId: `${controller.name}_${handler}`,
          controller: controller.name,
          handler,
          method: Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod,
          path: `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/'),
          isPublic: Boolean(Reflect.getMetadata(IS_PUBLIC_KEY, fn) ?? Reflect.getMetadata(IS_PUBLIC_KEY, controller)),
          permission: Reflect.getMetadata(PERMISSION_KEY, fn) as Permission | undefined,
        });
      }
    }
  }
  return routes;
}

const words = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
const sentence = (name: string) => words(name).replace(/^./, (c) => c.toUpperCase());

const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
});

function answerOf(route: RouteInfo): Record<string, unknown> {
  const name = route.permission?.name ?? '';
  if (route.permission?.kind === 'command') return json('CommandAnswerDto');
  if (name.endsWith('History')) return json('HistoryDto');
  if (/^Get(Round|Finding|Lead|Department)$/.test(name)) return json('CaseDto');
  if (/^List(Rounds|Findings|Leads|Departments|Users)$/.test(name)) return json('PageDto');
  if (name === 'ExportLedger') {
    const file = { schema: { type: 'string', format: 'binary' } };
    return { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': file, 'text/csv': file };
  }
  if (route.controller === 'MetricsController') return { 'text/plain': { schema: { type: 'string' } } };
  return { 'application/json': { schema: { type: 'object', additionalProperties: true } } };
}

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: unknown;
  responses: Record<string, { description?: string; content?: unknown; headers?: unknown }>;
};

/**
 * Completes what the decorators leave out, from what each route declares: a summary, who may call
 * it (the domain's tables), bearer security unless public, the success schema and the problems.
 */
export function completeDocument(document: OpenAPIObject, routes: RouteInfo[]): OpenAPIObject {
  const byId = new Map(routes.map((r) => [r.operationId, r]));
  for (const [path, item] of Object.entries(document.paths)) {
    for (const op of Object.values(item as Record<string, Operation>)) {
      const route = op.operationId ? byId.get(op.operationId) : undefined;
      if (!route) continue;
      const { permission } = route;
      const command = permission?.kind === 'command' ? permission.name : undefined;
      op.summary ??= command
        ? `${sentence(command)} (${COMMAND_TYPE_LABELS[command]})`
        : sentence(permission?.name ?? route.handler);
      const who = permission ? `Allowed roles: ${rolesOf(permission).join(', ')}.` : 'Public: no token needed.';
      op.description = [op.description, who].filter(Boolean).join('\n\n');
      op.security = route.isPublic ? [] : [{ bearer: [] }];
      if (command) {
        op.parameters = [
          ...(op.parameters ?? []),
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            description: 'The revision the caller saw, e.g. "3"; another revision answers 412 and writes nothing',
            schema: { type: 'string' },
          } as { name: string; in: string },
        ];
      }
      const success = Object.keys(op.responses).find((code) => code.startsWith('2')) ?? '200';
      const answer = op.responses[success] ?? {};
      op.responses[success] = {
        ...answer,
        description: answer.description || (command ? 'The command was decided and recorded' : 'The answer'),
        ...(success === '204' ? {} : { content: answerOf(route) }),
        ...(command
          ? {
              headers: {
                ETag: { description: 'The new revision, for If-Match', schema: { type: 'string' } },
                'X-Event-Position': { description: 'Position of the last event written', schema: { type: 'string' } },
              },
            }
          : {}),
      };
      const hasInput = Boolean(op.requestBody) || (op.parameters ?? []).length > 0;
      if (hasInput) op.responses['400'] ??= problem('Invalid input: `errors` names each field and rule');
      if (!route.isPublic || route.controller === 'AuthController' || route.controller === 'MetricsController') {
        op.responses['401'] ??= problem('No valid bearer token (or wrong credentials)');
      }
      if (!route.isPublic) op.responses['403'] ??= problem("The caller's role may not do this (FORBIDDEN_ROLE)");
      if (path.includes('{')) op.responses['404'] ??= problem('No such case');
      if (command) {
        op.responses['409'] ??= problem("The case's state refuses the command, or it kept changing");
        op.responses['412'] ??= problem('If-Match names another revision (REVISION_MISMATCH)');
      }
      op.responses['503'] ??= problem(
        'The database cannot be reached right now (DATABASE_UNAVAILABLE), with Retry-After; a command ' +
          'answered 503 wrote nothing, or what a retry with the same Idempotency-Key answers',
      );
    }
  }
  return document;
}

export function createOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(app, openApiConfig(), { extraModels: RESPONSE_MODELS });
  return completeDocument(describeValidatedInputs(document, app), routesOf(app));
}

/** The domain tables, for the route test: the roles each permission allows. */
export const PERMISSION_TABLES = { command: mayDo, query: mayRead, operation: mayOperate } as const;

const NO_DATABASE: DatabaseHandle = { mode: 'external', url: 'postgres://openapi.invalid/none', stop: async () => {} };
const NO_CONFIG: AppConfig = {
  port: 0,
  dataDir: '.',
  logLevel: 'error',
  projections: false,
  demo: false,
  sealIntervalSeconds: 0,
  loginAttemptsPerMinute: 10,
  eventStore: 'postgres',
};

/**
 * The app's module graph in Nest's preview mode: every module, controller and route is scanned,
 * no provider is instantiated, so no database is needed. Used to write the OpenAPI document
 * offline and by the tests that walk every route.
 */
export async function previewApp(): Promise<NestFastifyApplication> {
  const module = AppModule.forRoot(NO_CONFIG, NO_DATABASE);
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  return app;
}
