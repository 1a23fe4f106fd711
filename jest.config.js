/** Jest runs TypeScript as ESM through ts-jest (NestJS 12 is ESM-only). */
import vm from 'node:vm';

const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.jest.json' }];

// @fastify/static (CommonJS) requires content-disposition 3, which is ESM-only. Jest on Node ≥ 24.9 evaluates such a
// require() natively as ESM (jest-runtime's own test: vm.SourceTextModule has hasAsyncGraph); there the package must
// stay as published — compiled to CommonJS it would still be evaluated as a module and fail with "exports is not
// defined", which Nest's PackageLoader reports as "@fastify/static is missing". Older Node's jest cannot
// require(esm), so only there is the package compiled to CommonJS for the tests.
const jestRequiresEsm = typeof vm.SourceTextModule?.prototype.hasAsyncGraph === 'function';
const esmOnlyAsCommonJs = jestRequiresEsm
  ? {}
  : {
      transform: {
        '/node_modules/content-disposition/.+\\.js$': [
          'ts-jest',
          { tsconfig: { allowJs: true, module: 'commonjs', esModuleInterop: true }, useESM: false },
        ],
      },
      transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
    };

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest, ...esmOnlyAsCommonJs.transform },
  ...(esmOnlyAsCommonJs.transformIgnorePatterns && {
    transformIgnorePatterns: esmOnlyAsCommonJs.transformIgnorePatterns,
  }),
  moduleNameMapper: {
    '^@app/(domain|event-store|projections|database|bench)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};
export default {
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/*/src/**/*.spec.ts', '<rootDir>/apps/*/src/**/*.spec.ts'],
    },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/libs/*/test/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
  ],
};
