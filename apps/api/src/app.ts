import express, { Router } from 'express';
import { API_ROUTES, buildOpenApi } from '@dispatch/core/api';
import type { ApiDeps } from './deps.js';
import { errorMiddleware, notFoundRoute } from './http/errors.middleware.js';
import { requestId } from './http/request-id.js';
import { metricsRoute, observeRequests, rememberRouteBase } from './metrics/http-metrics.js';
import { deferBodyErrors, mount, requireJsonBody } from './http/route.js';
import { adminRoutes } from './routes/admin.routes.js';
import { deliveryRoutes } from './routes/deliveries.routes.js';
import { endpointRoutes } from './routes/endpoints.routes.js';
import { consoleRouter } from './routes/console.routes.js';
import { docsRouter } from './routes/docs.routes.js';
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
  // Which X-Forwarded-For hops give req.ip (the failed-authentication throttle counts per address).
  app.set('trust proxy', deps.config.DISPATCH_TRUST_PROXY);
  app.use(observeRequests(deps));
  app.use(requestId);
  // Express's router answers OPTIONS itself (200 text/plain with an Allow header) on any path that
  // has a route. The contract has no CORS preflight and no OPTIONS, so it is an undeclared method
  // like any other: the contract's 404. (Add CORS deliberately, and to the contract, if ever needed.)
  app.use((req, res, next) => (req.method === 'OPTIONS' ? notFoundRoute(req, res, next) : next()));

  const health = Router();
  mountHealth(health, deps);
  health.get('/metrics', metricsRoute(deps));
  app.use(health);

  const api = Router();
  api.use(rememberRouteBase);
  api.use(express.json({ limit: deps.config.DISPATCH_MAX_BODY, strict: true, type: ['application/json', 'application/*+json'] }));
  api.use(deferBodyErrors);
  api.use(requireJsonBody);
  // The routes are matched in the contract's order (API_ROUTES): the event routes first, as
  // POST /api/events is nearly all of the traffic.
  const openApi = buildOpenApi(API_ROUTES, API_VERSION);
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  const implementations = [...eventRoutes, ...deliveryRoutes, ...endpointRoutes, ...adminRoutes, ...linkRoutes, ...linkWebhookRoutes, ...webhookRoutes, ...outboundRoutes];
  mount(api, deps, API_ROUTES, implementations);
  app.use('/api', api);
  // After /api, so API requests never pass through the console's layer.
  app.use('/console', consoleRouter(deps.config.DISPATCH_CONSOLE_DIR));
  app.use('/docs', docsRouter(openApi));

  app.use(notFoundRoute);
  app.use(errorMiddleware(deps.logger, deps.config.DISPATCH_MAX_BODY));
  return app;
}
