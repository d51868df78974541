import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web console is plain static files that the API serves at `/`: no dev-only server features are
 * needed in production, and nothing is loaded from another host (the city network may be closed).
 */
export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or styles, ever: the Content-Security-Policy allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
  resolve: {
    // Service code the console runs as is (neither file imports anything): the order's submit rules, the
    // very function the service gates submit with; and the canonical JSON the packet signature covers.
    alias: {
      '@domain/order-rules': fileURLToPath(new URL('../../libs/cases/src/order-rules.ts', import.meta.url)),
      '@domain/canonical-json': fileURLToPath(new URL('../../libs/common/src/canonical-json.ts', import.meta.url)),
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
