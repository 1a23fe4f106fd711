import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ROLES, mayDo, mayOperate, mayRead, type Role } from '@app/domain';
import { AuthGuard } from '../auth/auth.guard.js';
import type { AuthService } from '../auth/auth.service.js';
import type { UsersService } from '../auth/users.service.js';
import { createOpenApiDocument, previewApp, routesOf, type RouteInfo } from './document.js';

/** Routes that answer without a token. */
const PUBLIC = ['AuthController_login', 'HealthController_health', 'MetricsController_scrape'];

/** The roles the guard lets through on one route: a signed-in user of each role asks. */
async function allowedBy(guard: AuthGuard, app: NestFastifyApplication, route: RouteInfo): Promise<Role[]> {
  const controller = routesController(app, route);
  const allowed: Role[] = [];
  for (const role of ROLES) {
    const request = { headers: { authorization: `Bearer ${role}` } };
    const context = {
      getHandler: () => controller.prototype[route.handler],
      getClass: () => controller,
      getType: () => 'http',
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
    } as unknown as ExecutionContext;
    try {
      if (await guard.canActivate(context)) allowed.push(role);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('FORBIDDEN_ROLE');
    }
  }
  return allowed;
}

const controllers = new Map<string, { prototype: Record<string, unknown> }>();
function routesController(_app: NestFastifyApplication, route: RouteInfo) {
  return controllers.get(route.controller)!;
}

describe('every route of the app', () => {
  let app: NestFastifyApplication;
  let routes: RouteInfo[];
  let guard: AuthGuard;

  beforeAll(async () => {
    app = await previewApp();
    routes = routesOf(app);
    const { ModulesContainer } = await import('@nestjs/core');
    for (const module of app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const type = wrapper.metatype as unknown as { name: string; prototype: Record<string, unknown> };
        controllers.set(type.name, type);
      }
    }
    const auth = {
      verifyToken: async (token: string) => ({
        user: { id: `u-${token}`, username: token, role: token as Role, departmentId: 'd' },
        tokenVersion: 1,
      }),
    } as unknown as AuthService;
    const users = {
      status: async (id: string) => ({
        role: id.slice(2),
        departmentId: 'd',
        disabled: false,
        tokenVersion: 1,
        mustChangePassword: false,
      }),
    } as unknown as UsersService;
    guard = new AuthGuard(new Reflector(), auth, users);
  });
  afterAll(() => app.close());

  it('are all found (73 operations)', () => {
    expect(routes.length).toBe(73);
  });

  it('names a command, query or operation of the domain tables, unless explicitly public', () => {
    const undeclared = routes.filter((r) => !r.permission && !r.isPublic).map((r) => r.operationId);
    expect(undeclared).toEqual([]);
    expect(
      routes
        .filter((r) => r.isPublic)
        .map((r) => r.operationId)
        .sort(),
    ).toEqual([...PUBLIC].sort());
  });

  it('lets through exactly the roles of the domain table, and every public route without a token', async () => {
    const tables = { command: mayDo, query: mayRead, operation: mayOperate } as Record<
      string,
      Record<string, readonly Role[]>
    >;
    for (const route of routes) {
      if (route.isPublic) continue;
      const expected = [...tables[route.permission!.kind][route.permission!.name]].sort();
      expect([route.operationId, (await allowedBy(guard, app, route)).sort()]).toEqual([route.operationId, expected]);
    }
  });

  it('covers every command of mayDo with a route', () => {
    const sent = new Set(routes.filter((r) => r.permission?.kind === 'command').map((r) => r.permission!.name));
    expect(Object.keys(mayDo).filter((c) => !sent.has(c as never))).toEqual([]);
  });

  it('is documented: summary, security, a success schema and its problems', () => {
    const document = createOpenApiDocument(app);
    type Op = { summary?: string; security?: unknown[]; responses: Record<string, { content?: object }> };
    const ops = Object.values(document.paths).flatMap((item) => Object.values(item as Record<string, Op>));
    expect(ops.length).toBe(73);
    for (const op of ops) {
      expect(op.summary).toBeTruthy();
      expect(op.security).toBeDefined();
      const success = Object.entries(op.responses).find(([code]) => code.startsWith('2'))!;
      if (success[0] !== '204') expect(success[1].content).toBeDefined();
    }
    const secured = ops.filter((op) => op.security!.length > 0);
    expect(secured.length).toBe(73 - PUBLIC.length);
    for (const op of secured) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
  });
});
