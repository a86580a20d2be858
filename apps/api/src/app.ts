import express, { Router } from 'express';
import type { ApiDeps } from './deps.js';
import { errorMiddleware, notFoundRoute } from './http/errors.middleware.js';
import { requestId } from './http/request-id.js';
import { buildOpenApi } from './http/openapi.js';
import { deferBodyErrors, mount, requireJsonBody } from './http/route.js';
import { adminRoutes } from './routes/admin.routes.js';
import { catalogRoutes } from './routes/catalog.routes.js';
import { consoleRouter } from './routes/console.routes.js';
import { eventRoutes } from './routes/events.routes.js';
import { mountHealth } from './routes/health.routes.js';
import { linkRoutes } from './routes/links.routes.js';
import { linkWebhookRoutes } from './routes/link-webhooks.routes.js';
import { outboundRoutes } from './routes/outbound.routes.js';
import { webhookRoutes } from './routes/webhooks.routes.js';

export const API_VERSION = '0.1.0';

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestId);
  // Express's router answers OPTIONS itself (200 text/plain with an Allow header) on any path that
  // has a route. The contract has no CORS preflight and no OPTIONS, so it is an undeclared method
  // like any other: the contract's 404. (Add CORS deliberately, and to the contract, if ever needed.)
  app.use((req, res, next) => (req.method === 'OPTIONS' ? notFoundRoute(req, res, next) : next()));

  const health = Router();
  mountHealth(health, deps);
  app.use(health);

  const api = Router();
  api.use(express.json({ limit: deps.config.DISPATCH_MAX_BODY, strict: true, type: ['application/json', 'application/*+json'] }));
  api.use(deferBodyErrors);
  api.use(requireJsonBody);
  // The catalog comes before the outbound routes so `/integrations/outbound/events` is not read as an id.
  // The event routes come first: POST /api/events is nearly all of the traffic, and no other path
  // starts with /events, so it is matched without testing every other route's path on the way.
  const routes = [...eventRoutes, ...adminRoutes, ...linkRoutes, ...linkWebhookRoutes, ...webhookRoutes, ...catalogRoutes, ...outboundRoutes];
  const openApi = buildOpenApi(routes, API_VERSION);
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  mount(api, deps, routes);
  app.use('/api', api);
  // After /api, so API requests never pass through the console's layer.
  app.use('/console', consoleRouter(deps.config.DISPATCH_CONSOLE_DIR));

  app.use(notFoundRoute);
  app.use(errorMiddleware(deps.logger, deps.config.DISPATCH_MAX_BODY));
  return app;
}
