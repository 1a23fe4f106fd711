/**
 * ESLint (flat config): typescript-eslint's recommended rules with type information for the API, libraries,
 * tests and benchmarks (tsconfig.json), eslint-plugin-vue's recommended rules for the dashboard in apps/web,
 * and eslint-config-prettier last so that no rule argues with Prettier about layout.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Generated, installed or run-time output.
    ignores: [
      '**/node_modules/',
      'dist/',
      'apps/web/dist/',
      'coverage/',
      'bench-results/',
      'test/artifacts/',
      'data/',
      '.data-test/',
      '.cache-tools/',
    ],
  },
  js.configs.recommended,

  // API, libraries, tests and benchmarks: type-aware through the project's tsconfig.json.
  {
    files: ['apps/api/**/*.ts', 'libs/**/*.ts', 'test/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      // Unused names are errors, except the deliberate ones: `_`-prefixed parameters and rest siblings used
      // to drop a property (`const { password: _, ...rest } = user`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Floating promises are real bugs here (lost errors in projector loops and shutdown hooks); `void` marks
      // the intended fire-and-forget.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // Nest's handlers, Fastify hooks and event emitters take async callbacks where a void return is declared;
      // checking attributes and arguments would flag every one of them.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      // Numbers and booleans in template strings are fine (log lines, SQL placeholders $1…$n); objects are not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Nest's DI needs classes with only static members or empty constructors with parameter properties.
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Tests and benchmarks handle untyped JSON bodies (supertest, pg rows, autocannon results) on purpose:
    // the `no-unsafe-*` family would demand a cast on every `res.body.x`, which adds noise, not safety.
    files: ['test/**/*.ts', '**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.browser-spec.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // jest's expect(obj.method).toHaveBeenCalled() passes methods unbound by design.
      '@typescript-eslint/unbound-method': 'off',
      // Fakes and handlers in tests are async to satisfy the interface they stand in for, awaiting nothing.
      '@typescript-eslint/require-await': 'off',
    },
  },

  {
    // Raw SQL results (pg's rows are `any`) are read in the query and projector code; until those rows get
    // declared types, the `no-unsafe-*` family reports them as warnings (counted by `npm run lint`), not errors.
    // An async method that awaits nothing is how a synchronous implementation keeps an async port's contract
    // (the in-memory event store, the demo loader's steps), so require-await is off.
    files: ['apps/api/**/*.ts', 'libs/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'warn',
      '@typescript-eslint/no-unsafe-member-access': 'warn',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      '@typescript-eslint/no-unsafe-return': 'warn',
      '@typescript-eslint/require-await': 'off',
    },
  },

  // The dashboard: Vue single-file components and their TypeScript, without type information (the web app's
  // tsconfig is for the editor; type-aware linting of .vue files would need vue-tsc's language service).
  {
    files: ['apps/web/**/*.ts', 'apps/web/**/*.vue'],
    extends: [tseslint.configs.recommended, vue.configs['flat/recommended']],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
      globals: globals.browser,
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Single-word view names (App, Login) are this app's convention; routes, not tags, use them.
      'vue/multi-word-component-names': 'off',
    },
  },

  // Plain JavaScript: config files and scripts run by Node.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  prettier,
);
