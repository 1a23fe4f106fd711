import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard, built by `npm run build:web` to apps/web/dist, which the API serves at / on the same
 * origin as /api (apps/api/src/app.factory.ts). For work on the pages, `npx vite --config
 * apps/web/vite.config.ts` serves them with /api proxied to an app on :3000.
 * `@app/domain` is libs/domain itself, bundled at build time: it is pure TypeScript (no framework,
 * database or Node built-in), and only what apps/web/src/domain.ts names ends up in the bundle.
 * `@app/projections/answers` holds the API's answer types, imported type-only (nothing to bundle).
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: {
      '@app/domain': fileURLToPath(new URL('../../libs/domain/src/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 700,
    reportCompressedSize: false,
  },
  server: {
    // For `npx vite apps/web` against a running API on :3000.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
