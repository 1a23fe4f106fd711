/** Boundaries run by `npm test` (docs/domain.md, "Boundaries"). */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain is plain TypeScript: no framework, database, node built-ins or app code.',
      severity: 'error',
      from: { path: '^libs/domain/src', pathNot: '\\.spec\\.ts$' },
      to: {
        path: [
          'node_modules/@nestjs',
          'node_modules/typeorm',
          'node_modules/pg',
          'node_modules/@eventstore',
          '^apps/',
          '^libs/(event-store|projections|database)/',
        ],
      },
    },
    {
      name: 'domain-no-node-builtins',
      severity: 'error',
      from: { path: '^libs/domain/src', pathNot: '\\.spec\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'event-store-knows-no-domain',
      comment: 'The event store port stores streams of opaque events; it never imports the domain or the app.',
      severity: 'error',
      from: { path: '^libs/event-store' },
      to: { path: ['^libs/domain', '^libs/projections', '^apps/', 'node_modules/@nestjs', 'node_modules/typeorm'] },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'api-application-knows-no-http',
      comment:
        'Layers of apps/api: controllers (*.controller.ts, cases/http-helpers.ts, guards, interceptors, http/) → ' +
        'application (application/, cases/application/, *.service.ts, dashboard/read-model-db.ts) → libs/domain. ' +
        'The application raises coded errors; only http/ maps them to statuses, and it never sees fastify.',
      severity: 'error',
      from: {
        path: '^apps/api/src/(application/|cases/application/|.*\\.service\\.ts$|dashboard/read-model-db\\.ts$)',
      },
      to: {
        path: [
          '^apps/api/src/http/',
          '\\.controller\\.ts$',
          '\\.interceptor\\.ts$',
          '\\.guard\\.ts$',
          '^apps/api/src/cases/http-helpers\\.ts$',
          'node_modules/fastify',
          'node_modules/@nestjs/platform-fastify',
        ],
      },
    },
    {
      name: 'api-domain-is-below-application',
      comment: 'The error model and the application layer never import the edge (controllers, http/).',
      severity: 'error',
      from: { path: '^apps/api/src/application/' },
      to: { path: '^apps/api/src/(?!application/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|apps/web)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
