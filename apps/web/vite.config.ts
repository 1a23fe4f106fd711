import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard, built by `npm run build:web` to apps/web/dist, which the API serves at / on the same
 * origin as /api (apps/api/src/app.factory.ts). For work on the pages, `npx vite --config
 * apps/web/vite.config.ts` serves them with /api proxied to an app on :3000.
 * The Chinese labels and the role table come from libs/domain at build time (those files import only
 * types, so nothing of the server is bundled).
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: {
      '@domain': fileURLToPath(new URL('../../libs/domain/src', import.meta.url)),
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
