import { join } from 'node:path';
import express, { Router, type RequestHandler } from 'express';

// The web console: static files built by `pnpm -r build` (apps/console/dist), served under
// /console on the API's own origin, so it talks to /api with no CORS and no network beyond it.
// Mounted after /api: no request outside /console runs any of this.

const NOT_BUILT =
  'The Dispatch console is not built. Build it with `pnpm -r build` (or `pnpm --filter @dispatch/console build`) ' +
  'in the checkout, or set DISPATCH_CONSOLE_DIR to the folder of a built console.\n';

// The console loads only its own files and calls only its own origin. Styles set from scripts go
// through the CSSOM, which style-src does not restrict.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set(SECURITY_HEADERS);
  next();
};

export function consoleRouter(dir: string): Router {
  const router = Router();
  const index = join(dir, 'index.html');
  router.use(securityHeaders);
  // Vite names every asset by its content hash: a changed file is a new URL, so cache for a year.
  router.use('/assets', express.static(join(dir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true }));
  // A missing asset is a 404, not the app's page (a stale tab asking for an old chunk must fail clearly).
  router.use('/assets', (_req, _res, next) => next('router'));
  // Any other path is a page of the app: index.html, never cached, so a new build is picked up at once.
  router.get('/{*path}', (_req, res, next) => {
    res.sendFile(index, { headers: { 'cache-control': 'no-cache' }, dotfiles: 'deny' }, (error?: NodeJS.ErrnoException) => {
      if (!error) return;
      if (error.code !== 'ENOENT' || res.headersSent) return next(error);
      res.status(503).type('text/plain').set('cache-control', 'no-store').send(NOT_BUILT);
    });
  });
  return router;
}
