import { defaultClientConditions, defineConfig } from 'vite';

// The console is a static bundle served by the API under /console (same origin, no CDN).
// Workspace packages resolve from source through the `dispatch-source` condition, so the build
// needs no earlier build of @dispatch/client or @dispatch/core. Only their browser-safe entries
// are imported (`@dispatch/client`, `@dispatch/core/api`).
export default defineConfig({
  base: '/console/',
  resolve: { conditions: ['dispatch-source', ...defaultClientConditions] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Evergreen browsers support modulepreload; the polyfill would be an inline script (CSP).
    modulePreload: { polyfill: false },
  },
  // `pnpm --filter @dispatch/console dev`: the API runs beside it (npm start) on port 3000.
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
